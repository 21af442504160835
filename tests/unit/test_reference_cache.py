"""The per-process cache of global reference data: bounded staleness, forgotten on write."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.catalog.resources import Blackout
from chalicelib.store.catalog.reference_cache import FLOOR_MARGIN, GlobalBlackouts, TtlSlot


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountingRead:
    def __init__(self, values: list[str]) -> None:
        self.values = values
        self.calls = 0

    def __call__(self) -> str:
        value = self.values[min(self.calls, len(self.values) - 1)]
        self.calls += 1
        return value


def make_blackout(start: str, end: str, blackout_id: str = "b1") -> Blackout:
    return Blackout(blackout_id, date.fromisoformat(start), date.fromisoformat(end), "holiday")


def test_a_value_is_reused_within_the_ttl_and_read_again_after_it() -> None:
    # Given a 5 s slot and a store whose value changes after the first read
    clock = FakeMonotonic()
    slot: TtlSlot[str] = TtlSlot(5.0, clock)
    read = CountingRead(["old", "new"])
    # When it is read twice within 5 s
    first, second = slot.get(read), slot.get(read)
    # Then the store was read once and both callers see the first value
    assert (first, second, read.calls) == ("old", "old", 1)
    # And 5 s later the next caller sees the new value
    clock.now += 5.0
    assert slot.get(read) == "new"
    assert read.calls == 2


def test_forget_makes_the_next_read_fresh_at_once() -> None:
    # Given a cached value
    slot: TtlSlot[str] = TtlSlot(5.0, FakeMonotonic())
    read = CountingRead(["old", "new"])
    assert slot.get(read) == "old"
    # When this process writes (forget) and reads again within the TTL
    slot.forget()
    # Then it sees the new value
    assert slot.get(read) == "new"


def test_a_value_read_across_a_forget_is_not_kept() -> None:
    # Given a read that races with a write: forget() happens while the store is being read
    slot: TtlSlot[str] = TtlSlot(5.0, FakeMonotonic())

    def racing_read() -> str:
        slot.forget()
        return "maybe-stale"

    # When that read finishes
    assert slot.get(racing_read) == "maybe-stale"
    # Then its value is not cached: the next caller reads again
    assert slot.get(lambda: "fresh") == "fresh"


def test_an_unusable_cached_value_is_read_again() -> None:
    # Given a cached value that the caller cannot use (e.g. its blackouts start too late)
    slot: TtlSlot[str] = TtlSlot(5.0, FakeMonotonic())
    slot.get(lambda: "narrow")
    # When the caller needs something else
    got = slot.get(lambda: "wide", usable=lambda value: value == "wide")
    # Then the store is read and the new value replaces the old one
    assert got == "wide"
    assert slot.get(lambda: "unused") == "wide"


def test_global_blackouts_are_filtered_to_the_requested_dates() -> None:
    # Given the global blackouts cached from a floor
    cached = GlobalBlackouts(
        date(2026, 11, 1),
        (
            make_blackout("2026-11-30", "2026-12-01", "a"),
            make_blackout("2026-12-24", "2026-12-26", "b"),
        ),
    )
    # When a booking asks for 2026-12-01..2026-12-02
    found = cached.between(date(2026, 12, 1), date(2026, 12, 2))
    # Then only the blackout touching those dates is returned
    assert [b.blackout_id for b in found] == ["a"]
    assert cached.between(date(2026, 12, 2), date(2026, 12, 23)) == []


def test_the_floor_leaves_a_margin_before_the_first_request() -> None:
    from chalicelib.store.catalog import reference_cache

    # Given an empty cache
    reference_cache.forget_all()
    floors: list[date] = []

    def read_from(floor: date) -> list[Blackout]:
        floors.append(floor)
        return [make_blackout("2026-12-02", "2026-12-02")]

    # When two requests come, the second a few days earlier than the first
    first = reference_cache.global_blackouts(date(2026, 12, 1), date(2026, 12, 3), read_from)
    second = reference_cache.global_blackouts(date(2026, 11, 28), date(2026, 11, 29), read_from)
    # Then one query served both, from a week before the first request
    assert floors == [date(2026, 12, 1) - FLOOR_MARGIN]
    assert [b.blackout_id for b in first] == ["b1"]
    assert second == []
    # And a request before the floor queries again
    reference_cache.global_blackouts(date(2026, 10, 1), date(2026, 10, 1), read_from)
    assert floors[-1] == date(2026, 10, 1) - FLOOR_MARGIN
    reference_cache.forget_all()
