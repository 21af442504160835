"""Route families behind stand-ins (chalicelib/api/lazy_routes.py, issue 15), in process: the
stand-ins describe the same routes, the family loads on its first request and answers it,
and a family that fails to load keeps its stand-ins. The real app in the real bundle:
tests/integration/test_lambda_bundle.py."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from chalice.app import Chalice
from chalice.test import Client

from chalicelib.api import lazy_routes
from tests.integration.lazy_bundle_probe import table

FAMILY = "tests.integration.lazy_family.things"


@pytest.fixture(autouse=True)
def _families_of_this_file_only() -> Iterator[None]:
    """The registry is process-wide: families these tests leave pending (one that never
    loads, on purpose) must not reach the real app's `load_all` (/openapi.json) in later
    tests of the same worker."""
    pending, owned = dict(lazy_routes._pending), dict(lazy_routes._owned)
    yield
    lazy_routes._pending.clear()
    lazy_routes._pending.update(pending)
    lazy_routes._owned.clear()
    lazy_routes._owned.update(owned)


def _manifest(tmp_path: Path) -> tuple[Chalice, Path]:
    # A fresh module each time: Chalice consumes a blueprint's registrations (one app each).
    sys.modules.pop(FAMILY, None)
    eager = Chalice(app_name="eager")
    lazy_routes.register(eager, [FAMILY], manifest=tmp_path / "absent.json")
    target = tmp_path / "route_manifest.json"
    lazy_routes.write_manifest(eager, target)
    return eager, target


def test_a_family_registered_at_once_is_all_the_manifest_holds(tmp_path: Path) -> None:
    _, target = _manifest(tmp_path)
    manifest = json.loads(target.read_text())
    assert list(manifest) == [FAMILY]
    assert {(e["path"], e["method"]) for e in manifest[FAMILY]} == {
        ("/things/{thing_id}", "GET"),
        ("/things", "POST"),
    }


def test_stand_ins_describe_the_family_and_load_it_on_the_first_request(tmp_path: Path) -> None:
    eager, target = _manifest(tmp_path)
    sys.modules.pop(FAMILY)  # as in a fresh Lambda container
    app = Chalice(app_name="lazy")
    lazy_routes.register(app, [FAMILY], manifest=target)

    assert FAMILY not in sys.modules
    assert table(app) == table(eager)
    with Client(app) as client:
        got = client.http.get("/things/42")
        assert FAMILY in sys.modules
        added = client.http.post(
            "/things", headers={"Content-Type": "application/x-www-form-urlencoded"}, body="a=1"
        )
    assert (got.status_code, got.json_body) == (200, {"thing_id": "42", "method": "GET"})
    assert got.headers["Access-Control-Expose-Headers"] == "Location"
    assert (added.status_code, added.json_body) == (200, {"added": "yes"})
    assert table(app) == table(eager)
    assert app.routes["/things/{thing_id}"]["GET"].view_function.__name__ == "get_thing"


def test_a_family_that_fails_to_load_keeps_its_stand_ins(tmp_path: Path) -> None:
    _, target = _manifest(tmp_path)
    missing = "tests.integration.lazy_family.missing"
    entries = json.loads(target.read_text())[FAMILY]
    target.write_text(json.dumps({missing: entries}))
    app = Chalice(app_name="lazy")
    lazy_routes.register(app, [missing], manifest=target)

    with Client(app) as client:
        statuses = [client.http.get("/things/42").status_code for _ in range(2)]
    assert statuses == [500, 500]  # an error answer each time, and each request tries again
    assert app.routes["/things/{thing_id}"]["GET"].view_name == "get_thing"
    assert app.routes["/things/{thing_id}"]["GET"].view_function.__name__ == "view"
