"""Route families: registered with the app at once, or, in the Lambda bundle, imported on
their first request.

A cold start of the API function used to import every route module and, through them, every
schema, service, store, PynamoDB and botocore: ~700 ms of CPU before the first request, most
of it for routes that request never reaches (issue 15: < 500 ms). The bundle builder
(infra/cdk/bundle.py) imports the app once at build time and writes MANIFEST: for each family
module, the Chalice route entries its blueprint registers. When that file is present,
`register` puts a stand-in entry per route into the app's route table (same path, method,
view name, content types and CORS, so `chalice package` describes the same API); the first
request to any route of a family imports its module, swaps the family's stand-ins for the real
entries and calls the real view. Without the file (tests, the local stack) every family is
imported and registered at once, as before.

A family is one module with a Chalice `Blueprint` named `bp` (`chalicelib/api/<family>.py`).
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from chalice.app import Chalice, CORSConfig, RouteEntry

# Written into the staged bundle only (never committed: .gitignore).
MANIFEST = Path(__file__).with_name("route_manifest.json")

# The app each family was registered on at once, and the (path, method) pairs it added.
_owned: dict[str, tuple[Chalice, list[tuple[str, str]]]] = {}
# Families still behind stand-ins: the app and the (path, method) pairs they stand in for.
_pending: dict[str, tuple[Chalice, list[tuple[str, str]]]] = {}
# A request on another thread (the local server) may reach a family while it loads.
_loading = threading.RLock()


def register(app: Chalice, modules: Sequence[str], manifest: Path = MANIFEST) -> None:
    """Register every family's routes: stand-ins if the bundle's manifest says what they are,
    else the modules themselves."""
    table = json.loads(manifest.read_text()) if manifest.exists() else {}
    for module in modules:
        if module in table:
            _register_stand_ins(app, module, table[module])
        else:
            _register_now(app, module)


def load_all() -> None:
    """Import every family still deferred (the OpenAPI document describes all routes)."""
    for module in list(_pending):
        _load(module)


def manifest_of(app: Chalice) -> dict[str, list[dict[str, Any]]]:
    """What the bundle builder writes: each eagerly registered family's route entries."""
    return {
        module: [_entry_json(app.routes[path][method]) for path, method in routes]
        for module, (owner, routes) in _owned.items()
        if owner is app
    }


def write_manifest(app: Chalice, target: Path | str = MANIFEST) -> None:
    Path(target).write_text(json.dumps(manifest_of(app), sort_keys=True) + "\n")


def _register_now(app: Chalice, module: str) -> None:
    before = {(path, method) for path, entries in app.routes.items() for method in entries}
    app.register_blueprint(importlib.import_module(module).bp)
    after = [(path, method) for path, entries in app.routes.items() for method in entries]
    _owned[module] = (app, [key for key in after if key not in before])


def _register_stand_ins(app: Chalice, module: str, entries: list[dict[str, Any]]) -> None:
    keys = []
    for entry in entries:
        path, method = entry["path"], entry["method"]
        app.routes[path][method] = RouteEntry(
            _stand_in(app, module, path, method),
            entry["view_name"],
            path,
            method,
            api_key_required=entry["api_key_required"],
            content_types=entry["content_types"],
            cors=_cors(entry["cors"]),
        )
        keys.append((path, method))
    _pending[module] = (app, keys)


def _stand_in(app: Chalice, module: str, path: str, method: str) -> Callable[..., Any]:
    def view(**path_params: str) -> Any:
        _load(module)
        return app.routes[path][method].view_function(**path_params)

    return view


def _load(module: str) -> None:
    with _loading:
        if module not in _pending:  # loaded meanwhile: the table holds the real entries
            return
        importlib.import_module(module)  # first: if it fails, the stand-ins stay (and retry)
        app, keys = _pending.pop(module)
        for path, method in keys:
            del app.routes[path][method]
        _register_now(app, module)


def _entry_json(entry: RouteEntry) -> dict[str, Any]:
    if entry.authorizer is not None:  # the API authenticates in routing.py, not in API Gateway
        raise ValueError(f"{entry.uri_pattern}: a Chalice authorizer cannot be deferred")
    cors = entry.cors.get_access_control_headers() if entry.cors is not None else None
    return {
        "path": entry.uri_pattern,
        "method": entry.method,
        "view_name": entry.view_name,
        "api_key_required": entry.api_key_required,
        "content_types": entry.content_types,
        "cors": cors,
    }


def _cors(headers: dict[str, str] | None) -> CORSConfig | None:
    if headers is None:
        return None
    expose = headers.get("Access-Control-Expose-Headers")
    max_age = headers.get("Access-Control-Max-Age")
    return CORSConfig(
        allow_origin=headers["Access-Control-Allow-Origin"],
        allow_headers=headers["Access-Control-Allow-Headers"].split(","),
        expose_headers=expose.split(",") if expose else None,
        max_age=int(max_age) if max_age is not None else None,
        allow_credentials=True if "Access-Control-Allow-Credentials" in headers else None,
    )
