"""Let people name things: an id is used as is, otherwise a name is looked up."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from cli.client import ApiClient, ApiError, CliError

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def is_id(ref: str) -> bool:
    return bool(_ULID.match(ref))


def find_resource(client: ApiClient, ref: str) -> dict[str, Any]:
    """The resource with this id, else the one with this exact (case-insensitive) name."""
    if is_id(ref):
        try:
            found: dict[str, Any] = client.get(f"resources/{ref}")
            return found
        except ApiError as exc:
            if exc.status != 404:
                raise
    # Names are unique (case-insensitive); the text filter narrows the pages to read.
    for item in client.paginate("resources", {"q": ref, "limit": 100}, all_pages=True):
        if str(item.get("name", "")).lower() == ref.lower():
            return dict(item)
    raise CliError(f"no resource with id or name {ref!r} (try `rr resources list --q ...`)")


def resource_id(client: ApiClient, ref: str) -> str:
    return ref if is_id(ref) else str(find_resource(client, ref)["resource_id"])


def user_id(client: ApiClient, ref: str) -> str:
    """A ULID is used as is; anything else is looked up as an exact username (admins)."""
    if is_id(ref):
        return ref
    for user in client.paginate(
        "auth/admin/users", {"q": ref.lower(), "limit": 100}, all_pages=True
    ):
        if str(user.get("username", "")).lower() == ref.lower():
            return str(user["id"])
    raise CliError(f"no user named {ref!r}")


def path_part(value: str) -> str:
    """Quote a user-given value for use inside a URL path."""
    return quote(value, safe="")
