"""A listing's raw resource items are decoded once per write (issue 16): `items.from_raw` keeps
the decoded Resource per (id, version, audit write id), so a busy search does not decode the
same few hundred resources on every request, and any write (a fresh write id) is decoded
anew."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.catalog.resources import Resource
from chalicelib.store.catalog.items import from_raw, to_item


def raw_of(resource: Resource, write_id: str | None) -> dict[str, Any]:
    raw: dict[str, Any] = to_item(resource).serialize()
    if write_id is not None:
        raw["audit_write_id"] = {"S": write_id}
    return raw


def a_room(name: str, capacity: int = 4) -> Resource:
    created = datetime(2026, 12, 1, tzinfo=UTC)
    return Resource(
        resource_id="decode-room",
        name=name,
        capacity=capacity,
        created_at=created,
        updated_at=created,
    )


def test_a_written_item_is_decoded_once_and_each_new_write_again() -> None:
    # Given a room's item as a listing page returns it
    first = raw_of(a_room("Room A"), "01KWRITE000000000000000001")
    # When it is decoded twice, then the second time is the same object
    decoded = from_raw(first)
    assert decoded.name == "Room A"
    assert from_raw(dict(first)) is decoded
    # When a write changes it (a fresh write id) at the SAME version and time stamp, as a
    # frozen test clock could make them, then its new content is decoded
    renamed = raw_of(a_room("Room B", capacity=9), "01KWRITE000000000000000002")
    assert (from_raw(renamed).name, from_raw(renamed).capacity) == ("Room B", 9)
    # And the first write's item still decodes to its own content
    assert from_raw(first).name == "Room A"


def test_an_item_without_a_write_id_is_decoded_every_time() -> None:
    raw = raw_of(a_room("Unstamped"), None)
    once, twice = from_raw(raw), from_raw(raw)
    assert once == twice
    assert once is not twice
