"""Composite resources (issue 14): the expansion of what a booking occupies, and the rules of
setting parts (pure)."""

from __future__ import annotations

import pytest

from chalicelib.domain.catalog.composites import LinkState, plan_parts
from chalicelib.domain.errors import InvalidInput
from chalicelib.store.reservations.occupied_by import Links, related

LINKS = {
    "hall": Links("hall", parts=("a", "b")),
    "hall2": Links("hall2", parts=("a", "c")),
    "a": Links("a", part_of=("hall", "hall2")),
    "b": Links("b", part_of=("hall",)),
    "c": Links("c", part_of=("hall2",)),
}


def test_a_composite_occupies_its_parts_and_the_composites_sharing_them() -> None:
    assert related("hall", LINKS) == ("a", "b", "hall2")


def test_a_part_occupies_the_composites_containing_it_but_not_its_siblings() -> None:
    assert related("a", LINKS) == ("hall", "hall2")
    assert related("b", LINKS) == ("hall",)


def test_an_unlinked_resource_occupies_only_itself() -> None:
    assert related("room", LINKS) == ()


def test_the_relation_is_symmetric_so_racing_bookings_share_a_day_version() -> None:
    for rid in LINKS:
        for other in related(rid, LINKS):
            assert rid in related(other, LINKS), (rid, other)


def _plan(composite: str, wanted: list[str], current: dict[str, LinkState]) -> object:
    return plan_parts(composite, wanted, current, max_parts=3, max_composites=1)


def test_setting_parts_links_both_ways_and_unlinks_removed_parts() -> None:
    current = {"hall": LinkState(parts=("a", "b")), "a": LinkState(part_of=("hall",))}
    current["b"] = LinkState(part_of=("hall",))
    change = plan_parts("hall", ["b", "c"], current, max_parts=3, max_composites=1)
    assert change.parts == ("b", "c")
    assert change.part_of == {"a": (), "b": ("hall",), "c": ("hall",)}


@pytest.mark.parametrize(
    ("wanted", "current", "reason"),
    [
        (["hall"], {}, "a resource cannot be its own part"),
        (["a", "a"], {}, "listed twice"),
        (["a", "b", "c", "d"], {}, "at most 3 parts"),
        (["a"], {"a": LinkState(parts=("x",))}, "a composite cannot be a part"),
        (["a"], {"hall": LinkState(part_of=("big",))}, "a part of another composite"),
        (["a"], {"a": LinkState(part_of=("other",))}, "already a part of 1 composites"),
    ],
)
def test_bad_parts_are_refused_with_the_reason(
    wanted: list[str], current: dict[str, LinkState], reason: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        _plan("hall", wanted, current)
    reasons = [p["reason"] for p in raised.value.details["problems"]]
    assert any(reason in r for r in reasons), reasons
