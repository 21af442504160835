"""Cursors are opaque (encrypted), authenticated, and scoped to one listing."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.store.pagination import CursorCodec

KEY = {"PK": "USER#1", "SK": "RES#2026-11-24T09:00:00.000Z#01"}


def test_round_trip() -> None:
    codec = CursorCodec("s" * 40)
    cursor = codec.encode(KEY, scope="my")
    assert cursor is not None and "USER" not in cursor
    assert codec.decode(cursor, scope="my") == KEY


def test_no_last_key_means_no_cursor() -> None:
    codec = CursorCodec("s" * 40)
    assert codec.encode(None) is None
    assert codec.decode(None) is None


@pytest.mark.parametrize("cursor", ["%%%", "abc", "A" * 60])
def test_garbage_is_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        CursorCodec("s" * 40).decode(cursor)
    assert caught.value.code == "invalid_cursor"


def test_cursor_from_another_scope_or_secret_is_refused() -> None:
    cursor = CursorCodec("s" * 40).encode(KEY, scope="my")
    with pytest.raises(InvalidInput):
        CursorCodec("s" * 40).decode(cursor, scope="admin")
    with pytest.raises(InvalidInput):
        CursorCodec("t" * 40).decode(cursor, scope="my")


def test_a_cursor_does_not_reveal_the_key_it_stands_for() -> None:
    # A schedule's start key holds another user's reservation id: the cursor must not show it
    import base64

    key = {"PK": "RESOURCE#room-1", "SK": "SLOT#2026-11-24T09:00:00.000Z#01SECRETID"}
    cursor = CursorCodec("s" * 40).encode(key, scope="schedule")
    assert cursor is not None
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"SECRETID" not in decoded and b"SLOT" not in decoded


def test_a_tampered_cursor_is_refused() -> None:
    codec = CursorCodec("s" * 40)
    cursor = codec.encode(KEY, scope="my")
    assert cursor is not None
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    with pytest.raises(InvalidInput):
        codec.decode(flipped, scope="my")
