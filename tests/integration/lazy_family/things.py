"""A route family for tests/integration/test_lazy_routes.py (a real module, imported for real)."""

from __future__ import annotations

from chalice.app import Blueprint, CORSConfig

bp = Blueprint(__name__)
CORS = CORSConfig(allow_origin="*", expose_headers=["Location"], max_age=600)


@bp.route("/things/{thing_id}", methods=["GET"], cors=CORS)
def get_thing(thing_id: str) -> dict[str, str]:
    return {"thing_id": thing_id, "method": bp.current_request.method}


@bp.route("/things", methods=["POST"], content_types=["application/x-www-form-urlencoded"])
def add_thing() -> dict[str, str]:
    return {"added": "yes"}
