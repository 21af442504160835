"""Catalogue rules: names, tags, time zones, policies, drafts and listing filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.catalog import rules as catalog
from chalicelib.domain.catalog.resources import BookingPolicy, Location, ResourceStatus
from chalicelib.domain.catalog.rules import ResourceDraft, ResourceQuery
from chalicelib.domain.errors import InvalidInput

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def fields_of(error: InvalidInput) -> set[str]:
    return {d["field"] for d in error.details}


# --- names --------------------------------------------------------------------------------


def test_name_is_trimmed_and_inner_whitespace_collapsed() -> None:
    assert catalog.normalize_name("  Room \t  1 ") == "Room 1"


def test_name_key_is_case_insensitive_identity() -> None:
    # Given names that differ only in case and spacing, Then they share one key
    assert catalog.name_key("Room  1") == catalog.name_key("ROOM 1") == "room 1"
    assert catalog.name_key("Straße") == catalog.name_key("STRASSE")


@pytest.mark.parametrize("name", ["", "x" * 101])
def test_empty_or_long_names_are_problems(name: str) -> None:
    assert catalog.name_problems(name)


# --- tags ---------------------------------------------------------------------------------


def test_tags_are_lowercased_trimmed_and_deduplicated_in_order() -> None:
    tags, problems = catalog.normalize_tags([" Projector", "quiet  room", "PROJECTOR", "a-b_c"])
    assert tags == ("projector", "quiet room", "a-b_c")
    assert problems == []


@pytest.mark.parametrize("bad", ["", "   ", "x" * 33, "no/slash", "émoji", "semi;colon"])
def test_invalid_tags_are_reported(bad: str) -> None:
    _, problems = catalog.normalize_tags([bad])
    assert problems and problems[0].field == "tags"


def test_thirty_two_characters_is_the_longest_tag() -> None:
    tags, problems = catalog.normalize_tags(["x" * 32])
    assert tags == ("x" * 32,) and problems == []


def test_more_than_twenty_distinct_tags_is_a_problem_but_duplicates_do_not_count() -> None:
    _, too_many = catalog.normalize_tags([f"t{i}" for i in range(21)])
    _, fine = catalog.normalize_tags([f"t{i % 20}" for i in range(40)])
    assert too_many and not fine


def test_clean_tag_raises_with_the_field_name() -> None:
    with pytest.raises(InvalidInput) as caught:
        catalog.clean_tag("bad/tag", field_name="to")
    assert caught.value.code == "invalid_tag"
    assert fields_of(caught.value) == {"to"}


def test_retag_replaces_keeps_order_and_merges_duplicates() -> None:
    assert catalog.retag(("a", "b", "c"), "b", "x") == ("a", "x", "c")
    assert catalog.retag(("a", "b", "c"), "b", "c") == ("a", "c")
    assert catalog.retag(("a", "b"), "a", None) == ("b",)


# --- time zones and policy ----------------------------------------------------------------


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
def test_iana_zones_are_accepted(zone: str) -> None:
    assert catalog.zone_problem(zone) is None


@pytest.mark.parametrize(
    "zone",
    [
        "",
        "Mars/Olympus",
        "CEST+2",
        " UTC",
        "../etc/passwd",
        "a\\b",
        "localtime",
        "posix/Europe/Berlin",
    ],
)
def test_unknown_zones_are_refused(zone: str) -> None:
    assert catalog.zone_problem(zone) is not None


def test_default_policy_is_valid() -> None:
    assert catalog.policy_problems(BookingPolicy()) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"min_duration": timedelta(0)}, "min_duration_minutes"),
        ({"max_duration": timedelta(days=7, minutes=1)}, "max_duration_minutes"),
        (
            {"min_duration": timedelta(hours=2), "max_duration": timedelta(hours=1)},
            "max_duration_minutes",
        ),
        ({"buffer_before": timedelta(minutes=-1)}, "buffer_before_minutes"),
        ({"buffer_after": timedelta(hours=25)}, "buffer_after_minutes"),
        ({"horizon": timedelta(hours=12)}, "booking_horizon_days"),
        ({"min_notice": timedelta(days=31)}, "min_notice_minutes"),
    ],
)
def test_policy_problems_name_the_api_field(change: dict[str, timedelta], field: str) -> None:
    problems = catalog.policy_problems(replace(BookingPolicy(), **change))
    assert field in {p.field for p in problems}


def test_max_duration_of_exactly_the_reservation_span_is_allowed() -> None:
    policy = replace(BookingPolicy(), max_duration=timedelta(days=7))
    assert catalog.policy_problems(policy) == []


# --- drafts -------------------------------------------------------------------------------


def test_new_resource_is_normalised_versioned_and_stamped() -> None:
    # Given a messy but valid draft
    draft = ResourceDraft(
        name="  Room   101 ",
        description=" Big room ",
        tags=("Quiet", "quiet", "Projector"),
        location=Location(" HQ ", " 1 ", " 101 "),
        timezone="Europe/Berlin",
    )
    # When it becomes a resource
    resource = catalog.new_resource(draft, "r-1", NOW)
    # Then everything is clean and version 1
    assert resource.name == "Room 101"
    assert resource.description == "Big room"
    assert resource.tags == ("quiet", "projector")
    assert resource.location == Location("HQ", "1", "101")
    assert resource.version == 1
    assert resource.created_at == resource.updated_at == NOW


def test_a_bad_draft_reports_every_problem_at_once() -> None:
    draft = ResourceDraft(
        name="",
        capacity=0,
        timezone="Nowhere/Land",
        tags=("ok", "not/ok"),
        approvers=("u1",),
        requires_approval=False,
        policy=replace(BookingPolicy(), min_duration=timedelta(0)),
    )
    with pytest.raises(InvalidInput) as caught:
        catalog.clean_draft(draft)
    assert caught.value.code == "invalid_resource"
    assert fields_of(caught.value) == {
        "name",
        "capacity",
        "timezone",
        "tags",
        "approvers",
        "min_duration_minutes",
    }


def test_approvers_need_approval_and_look_like_user_ids() -> None:
    ok = ResourceDraft(name="R", requires_approval=True, approvers=("01J0ABC", "01J0ABC", "u_2"))
    assert catalog.clean_draft(ok).approvers == ("01J0ABC", "u_2")
    bad = ResourceDraft(name="R", requires_approval=True, approvers=("has space",))
    with pytest.raises(InvalidInput):
        catalog.clean_draft(bad)


def test_revise_keeps_identity_and_creation_but_changes_fields() -> None:
    resource = catalog.new_resource(ResourceDraft(name="A"), "r-1", NOW)
    later = NOW + timedelta(hours=1)
    revised = catalog.revise(resource, replace(catalog.draft_of(resource), capacity=8), later)
    assert (revised.resource_id, revised.created_at, revised.version) == ("r-1", NOW, 1)
    assert revised.capacity == 8 and revised.updated_at == later


def test_draft_of_round_trips() -> None:
    resource = catalog.new_resource(ResourceDraft(name="A", tags=("x",), capacity=3), "r", NOW)
    assert catalog.clean_draft(catalog.draft_of(resource)) == catalog.draft_of(resource)


# --- listing filters ----------------------------------------------------------------------


def test_clean_query_normalises_text_filters_and_tags() -> None:
    query = catalog.clean_query(
        ResourceQuery(q="  Big  ROOM ", tags=("Quiet", "quiet"), building=" HQ ", floor=" 2F ")
    )
    assert (query.q, query.tags, query.building, query.floor) == (
        "big room",
        ("quiet",),
        "hq",
        "2f",
    )


def test_clean_query_refuses_bad_tags_and_sorts() -> None:
    with pytest.raises(InvalidInput) as caught:
        catalog.clean_query(ResourceQuery(tags=("a/b",), sort="price"))
    assert fields_of(caught.value) == {"tags", "sort"}


def test_status_enum_values_match_the_api() -> None:
    assert [s.value for s in ResourceStatus] == ["available", "in_use", "maintenance", "disabled"]
