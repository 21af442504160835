"""The stream relay skips records of item types whose changes mean no event (issue 16): most
records are the pipeline's own counters, markers and entries. Skipping must never drop an
event: every skipped type is checked against the relay's own mapping."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.pipeline.events import ChangeKind
from chalicelib.workers.stream import events_for_change, item_type_of, silent_types
from tests.unit.event_factories import change, reservation_image

KINDS: tuple[ChangeKind, ...] = ("INSERT", "MODIFY", "REMOVE")


@pytest.mark.parametrize("item_type", sorted(silent_types()))
@pytest.mark.parametrize("kind", KINDS)
def test_a_silent_type_means_no_event_whatever_the_change(item_type: str, kind: ChangeKind) -> None:
    before = reservation_image(type=item_type, status="active", version=1)
    after = reservation_image(type=item_type, status="cancelled", version=2)
    old = None if kind == "INSERT" else before
    new = None if kind == "REMOVE" else after
    assert events_for_change(change(kind, old=old, new=new)) == []


def test_the_bookkeeping_of_a_booking_is_silent_and_what_users_change_is_not() -> None:
    silent = silent_types()
    assert {"analytics_counter", "audit_stat", "audit_value", "audit_entry"} <= silent
    assert {"metric_counted", "notification", "email_claim", "catalog_version"} <= silent
    # a reservation (events, audit, analytics) and the reminders' marker (an event) are not
    assert "reservation" not in silent and "reservation_reminder" not in silent


def _record(images: dict[str, Any]) -> dict[str, Any]:
    return {"eventName": "MODIFY", "dynamodb": images}


def test_the_type_is_read_from_the_raw_image_of_either_side() -> None:
    typed = {"type": {"S": "audit_stat"}}
    assert item_type_of(_record({"NewImage": typed})) == "audit_stat"
    assert item_type_of(_record({"OldImage": typed})) == "audit_stat"  # a delete
    assert item_type_of(_record({"Keys": {"PK": {"S": "X"}}})) == ""  # keys only: decoded
    assert item_type_of({"eventName": "INSERT"}) == ""
