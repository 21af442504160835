"""Cursors are opaque, signed, and scoped to one listing."""

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
