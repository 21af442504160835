"""A location's (resource group's) calendar feed (issue 12): every resource of its subtree, off
until an admin turns it on, public or tokenized, busy blocks for everyone but the owner and
admins, bounded in resources. Feeds are parsed by tests/calendar_kit.py (icalendar,
recurring-ical-events and a framing check)."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.calendar.tokens import FeedTokens
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.principal import Principal, Role
from chalicelib.services.calendar.group_feeds import GroupFeeds
from chalicelib.store.calendar.group_members import GroupMembers
from chalicelib.store.calendar.tokens import FeedTokenStore
from chalicelib.wiring.calendar import calendar_config
from tests.calendar_kit import calendar_header, parse_feed, path_of
from tests.factories import auth_headers, error_code
from tests.integration.reservations_kit import at, booked, cancel, create_resource, send

CAL = "/api/v1/calendar"
GROUPS = "/api/v1/resource-groups"


def new_group(client: Client, admin: str, name: str, parent_id: str | None = None) -> str:
    body: dict[str, Any] = {"name": name, "kind": "building" if parent_id is None else "floor"}
    if parent_id:
        body["parent_id"] = parent_id
    response = send(client, "POST", GROUPS, admin, body)
    assert response.status_code == 201, response.body
    return str(response.json_body["group_id"])


def assign(client: Client, admin: str, group_id: str, resource_id: str) -> None:
    body = {"resource_id": resource_id}
    response = send(client, "POST", f"{GROUPS}/{group_id}/resources", admin, body)
    assert response.status_code in (200, 201), response.body


def set_mode(client: Client, admin: str, group_id: str, mode: str, **extra: Any) -> Any:
    body = {"mode": mode, **extra}
    return send(client, "PUT", f"{CAL}/groups/{group_id}/settings", admin, body)


def get(client: Client, path: str, token: str | None = None) -> Any:
    return client.http.get(path, headers=auth_headers(token) if token else {})


@pytest.fixture
def tree(clock: FrozenClock, client: Client, admin_token: str) -> dict[str, str]:
    """HQ > Floor 2; room-a on Floor 2, room-b on HQ, room-c nowhere."""
    for rid in ("room-a", "room-b", "room-c"):
        create_resource(rid)
    hq = new_group(client, admin_token, "HQ")
    floor = new_group(client, admin_token, "Floor 2", hq)
    assign(client, admin_token, floor, "room-a")
    assign(client, admin_token, hq, "room-b")
    return {"hq": hq, "floor": floor}


def test_a_location_feed_covers_its_subtree_and_is_off_until_turned_on(
    client: Client, tree: dict[str, str], user_token: str, admin_token: str
) -> None:
    booked(client, user_token, at(9), at(10), resource_id="room-a")
    booked(client, user_token, at(11), at(12), resource_id="room-b")
    booked(client, user_token, at(13), at(14), resource_id="room-c")
    path = f"{CAL}/groups/{tree['hq']}/feed.ics"
    off = get(client, path)
    made = set_mode(client, admin_token, tree["hq"], "public")

    hq = get(client, path)
    floor_on = set_mode(client, admin_token, tree["floor"], "public")
    floor = parse_feed(get(client, f"{CAL}/groups/{tree['floor']}/feed.ics").body.decode())

    assert off.status_code == 404 and error_code(off) == "calendar_feed_not_found"
    assert made.status_code == 200 and made.json_body["url"].endswith(path)
    assert hq.status_code == 200 and hq.headers["Cache-Control"].startswith("public")
    assert calendar_header(hq.body.decode(), "X-WR-CALNAME") == "HQ (Resource Reserver)"
    events = parse_feed(hq.body.decode())
    assert sorted(e.start for e in events) == [at(9), at(11)]  # not room-c's
    assert {e.summary for e in events} == {"Busy: Resource room-a", "Busy: Resource room-b"}
    assert floor_on.status_code == 200 and [e.start for e in floor] == [at(9)]


def test_others_see_busy_blocks_the_owner_and_admins_details_and_cancelled_ones_stay(
    client: Client,
    tree: dict[str, str],
    user_token: str,
    other_user_token: str,
    admin_token: str,
) -> None:
    mine = booked(client, user_token, at(9), at(10), resource_id="room-a", notes="secret agenda")
    gone = booked(client, user_token, at(11), at(12), resource_id="room-b")
    assert cancel(client, user_token, gone).status_code == 200
    assert set_mode(client, admin_token, tree["hq"], "public").status_code == 200
    path = f"{CAL}/groups/{tree['hq']}/feed.ics"

    anon = get(client, path).body.decode()
    bob = get(client, path, other_user_token).body.decode()
    alice = get(client, path, user_token).body.decode()
    admin = get(client, path, admin_token).body.decode()

    for text in (anon, bob):
        assert mine not in text and "secret agenda" not in text
        assert sorted(e.status for e in parse_feed(text)) == ["CANCELLED", "CONFIRMED"]
    assert "secret agenda" in alice and "secret agenda" in admin
    assert {e.uid for e in parse_feed(alice)} >= {f"{mine}@resource-reserver"}


def test_a_tokenized_location_feed_needs_its_token_and_regenerating_kills_the_old(
    client: Client, tree: dict[str, str], user_token: str, admin_token: str
) -> None:
    booked(client, user_token, at(9), at(10), resource_id="room-a")
    made = set_mode(client, admin_token, tree["hq"], "token")
    assert made.status_code == 200, made.body
    url = path_of(made.json_body["url"])
    bare = f"{CAL}/groups/{tree['hq']}/feed.ics"

    good = get(client, url)
    again = set_mode(client, admin_token, tree["hq"], "token", regenerate_token=True)

    assert good.status_code == 200 and len(parse_feed(good.body.decode())) == 1
    assert good.headers["Cache-Control"].startswith("private")
    assert get(client, bare).status_code == 404
    assert get(client, f"{bare}?token={'x' * 43}").status_code == 404
    assert path_of(again.json_body["url"]) != url and get(client, url).status_code == 404
    assert get(client, bare, user_token).status_code == 200  # signed in: may read anyway
    view = get(client, f"{CAL}/groups/{tree['hq']}/settings", admin_token)
    assert view.json_body["mode"] == "token" and path_of(view.json_body["url"]) != url


def test_etag_gives_a_304(client: Client, tree: dict[str, str], admin_token: str) -> None:
    assert set_mode(client, admin_token, tree["hq"], "public").status_code == 200
    path = f"{CAL}/groups/{tree['hq']}/feed.ics"
    etag = get(client, path).headers["ETag"]

    again = client.http.get(path, headers={"If-None-Match": etag})

    assert again.status_code == 304 and again.body in (b"", None)


def test_settings_are_for_admins_and_checked(
    client: Client, tree: dict[str, str], user_token: str, admin_token: str
) -> None:
    hq = tree["hq"]

    assert get(client, f"{CAL}/groups/{hq}/settings", user_token).status_code == 403
    assert set_mode(client, user_token, hq, "public").status_code == 403
    assert set_mode(client, admin_token, hq, "everyone").status_code == 422
    unknown = set_mode(client, admin_token, "nope", "public")
    assert unknown.status_code == 404 and error_code(unknown) == "group_not_found"
    assert get(client, f"{CAL}/groups/nope/feed.ics", admin_token).status_code == 404
    bad_window = get(client, f"{CAL}/groups/{hq}/feed.ics?future_days=9999", admin_token)
    assert bad_window.status_code == 422


def test_a_subtree_over_the_bound_cannot_have_a_feed(
    client: Client, tree: dict[str, str], admin_token: str
) -> None:
    built = wiring.calendar_group_feeds()
    small_bound = GroupFeeds(
        wiring.calendar_feeds(),
        FeedTokenStore(),
        GroupMembers(wiring.resource_store(), wiring.clock().now),
        clock=wiring.clock(),
        config=calendar_config(),
        derive=FeedTokens("test-secret"),
        max_resources=1,  # HQ's subtree holds 2
    )
    admin = Principal("admin-1", "admin", frozenset({Role.ADMIN}))

    with pytest.raises(InvalidInput) as refused:
        small_bound.set_mode(admin, tree["hq"], "public", regenerate=False)
    small = small_bound.set_mode(admin, tree["floor"], "public", regenerate=False)

    assert refused.value.code == "group_feed_too_large"
    assert small.mode == "public"
    assert built.view(admin, tree["hq"]).mode == "off"  # the refusal saved nothing
