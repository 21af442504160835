"""Calendar feeds (issue 12): subscription URLs, the token feed, my-feed, exports, links and
resource feeds, in-process on moto. Every feed body goes through tests/calendar_kit.py
(icalendar, recurring-ical-events and a framing check of our own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from chalice.test import Client

from chalicelib import wiring
from chalicelib.domain.calendar.tokens import token_hash
from chalicelib.domain.catalog.resources import Location, Resource
from chalicelib.domain.clock import FrozenClock
from chalicelib.store import dynamo
from chalicelib.store.catalog.repository import ResourceStore
from chalicelib.store.reservations.items import table_name
from tests.calendar_kit import Ev, calendar_header, parse_feed, path_of
from tests.factories import auth_headers, error_code
from tests.integration.reservations_kit import (
    at,
    booked,
    cancel,
    create_resource,
    reschedule,
    send,
)

CAL = "/api/v1/calendar"


def zoned_resource(resource_id: str, zone: str) -> Resource:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    resource = Resource(
        resource_id=resource_id,
        name=f"Room in {zone}",
        timezone=zone,
        location=Location(building="HQ", floor="2"),
        created_at=created,
        updated_at=created,
    )
    return ResourceStore(wiring.cursors()).create(resource)


def get(client: Client, path: str, token: str | None = None, **headers: str) -> Any:
    sent = auth_headers(token) if token else {}
    return client.http.get(path, headers={**sent, **headers})


def subscription(client: Client, token: str) -> dict[str, str]:
    response = get(client, f"{CAL}/subscription-url", token)
    assert response.status_code == 200, response.body
    return dict(response.json_body)


def feed_of(client: Client, token: str, query: str = "") -> list[Ev]:
    url = path_of(subscription(client, token)["url"]) + query
    response = get(client, url)  # no bearer: the URL is the credential
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("text/calendar")
    return parse_feed(response.body.decode())


def by_uid(events: list[Ev], reservation_id: str) -> Ev:
    return next(e for e in events if e.uid == f"{reservation_id}@resource-reserver")


@pytest.fixture
def room(clock: FrozenClock) -> Resource:
    return create_resource("room-1")


# --- subscription URL and token --------------------------------------------------------------


def test_the_subscription_url_is_stable_and_serves_my_reservations_without_a_bearer(
    client: Client, room: Resource, user_token: str, other_user_token: str
) -> None:
    mine = booked(client, user_token, at(9), at(10), notes="standup")
    theirs = booked(client, other_user_token, at(11), at(12))

    first, second = subscription(client, user_token), subscription(client, user_token)

    assert first == second
    assert first["url"].endswith(".ics") and first["webcal_url"].startswith("webcal://")
    events = feed_of(client, user_token)
    assert [e.uid for e in events] == [f"{mine}@resource-reserver"]
    assert theirs not in str(events)
    assert "standup" in events[0].description and events[0].status == "CONFIRMED"


def test_the_token_is_stored_only_as_a_hash(
    client: Client, room: Resource, user_token: str
) -> None:
    token = path_of(subscription(client, user_token)["url"]).rsplit("/", 1)[1][: -len(".ics")]

    raw = str(dynamo.client().scan(TableName=table_name())["Items"])

    assert token not in raw
    assert token_hash(token) in raw


def test_regenerating_kills_the_old_url(client: Client, room: Resource, user_token: str) -> None:
    old = path_of(subscription(client, user_token)["url"])
    response = send(client, "POST", f"{CAL}/regenerate-token", user_token)
    assert response.status_code == 200, response.body
    new = path_of(response.json_body["url"])

    assert new != old
    assert get(client, old).status_code == 404
    assert get(client, new).status_code == 200
    assert path_of(subscription(client, user_token)["url"]) == new


@pytest.mark.parametrize(
    "name",
    ["nope.ics", ".ics", "a" * 43 + ".ics", "x" * 120, "%00.ics", "..%2F..%2Fetc.ics"],
)
def test_a_token_that_is_not_live_is_a_json_404(client: Client, room: Resource, name: str) -> None:
    response = get(client, f"{CAL}/feed/{name}")

    assert response.status_code == 404
    assert error_code(response) in ("calendar_feed_not_found", "not_found")


@pytest.mark.parametrize(
    "query", ["past_days=-1", "past_days=400", "future_days=0", "future_days=9999", "past_days=x"]
)
def test_a_window_out_of_bounds_is_a_422(
    client: Client, room: Resource, user_token: str, query: str
) -> None:
    url = path_of(subscription(client, user_token)["url"])

    response = get(client, f"{url}?{query}")

    assert response.status_code == 422, response.body
    assert error_code(response) == "validation_error"


def test_the_window_bounds_what_the_feed_holds(
    client: Client, room: Resource, user_token: str
) -> None:
    soon = booked(client, user_token, at(9), at(10))
    later = booked(client, user_token, at(9) + timedelta(days=20), at(10) + timedelta(days=20))

    near = feed_of(client, user_token, "?future_days=7")
    far = feed_of(client, user_token, "?future_days=30")

    assert [e.uid for e in near] == [f"{soon}@resource-reserver"]
    assert {e.uid for e in far} == {f"{soon}@resource-reserver", f"{later}@resource-reserver"}


# --- RFC 5545 behaviour: SEQUENCE, cancellation, retention, caching -------------------------


def test_every_change_bumps_sequence_and_a_cancellation_stays_as_cancelled(
    client: Client, room: Resource, user_token: str
) -> None:
    rid = booked(client, user_token, at(9), at(10))
    created = by_uid(feed_of(client, user_token), rid)

    assert reschedule(client, user_token, rid, at(13), at(14)).status_code == 200
    moved = by_uid(feed_of(client, user_token), rid)
    assert cancel(client, user_token, rid).status_code == 200
    cancelled = by_uid(feed_of(client, user_token), rid)

    assert created.sequence < moved.sequence < cancelled.sequence
    assert moved.start == at(13) and cancelled.status == "CANCELLED"


def test_a_cancelled_booking_leaves_the_feed_after_the_retention_period(
    client: Client, clock: FrozenClock, room: Resource, user_token: str
) -> None:
    rid = booked(client, user_token, at(9) + timedelta(days=60), at(10) + timedelta(days=60))
    assert cancel(client, user_token, rid).status_code == 200
    url = path_of(subscription(client, user_token)["url"])

    clock.advance(timedelta(days=29))
    kept = parse_feed(get(client, url).body.decode())
    clock.advance(timedelta(days=2))
    gone = parse_feed(get(client, url).body.decode())

    assert [e.status for e in kept] == ["CANCELLED"]
    assert gone == []


def test_etag_and_if_none_match_give_a_304_until_something_changes(
    client: Client, room: Resource, user_token: str
) -> None:
    rid = booked(client, user_token, at(9), at(10))
    url = path_of(subscription(client, user_token)["url"])
    first = get(client, url)
    etag = first.headers["ETag"]

    again = get(client, url, **{"If-None-Match": etag})
    other = get(client, url, **{"If-None-Match": '"something-else"'})
    assert cancel(client, user_token, rid).status_code == 200
    changed = get(client, url, **{"If-None-Match": etag})

    assert "max-age=" in first.headers["Cache-Control"]
    assert first.headers["Cache-Control"].startswith("private")
    assert again.status_code == 304 and again.body == b""
    assert again.headers["ETag"] == etag
    assert other.status_code == 200
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_feed_names_itself_and_asks_to_be_refreshed(
    client: Client, room: Resource, user_token: str
) -> None:
    booked(client, user_token, at(9), at(10))
    body = get(client, path_of(subscription(client, user_token)["url"])).body.decode()

    assert str(calendar_header(body, "X-WR-CALNAME")).startswith("My reservations")
    assert calendar_header(body, "REFRESH-INTERVAL").dt == timedelta(hours=1)


# --- my-feed, export, links ------------------------------------------------------------------


def test_my_feed_needs_a_bearer_and_shows_only_mine(
    client: Client, room: Resource, user_token: str, other_user_token: str
) -> None:
    mine = booked(client, user_token, at(9), at(10))
    booked(client, other_user_token, at(11), at(12))

    anonymous = get(client, f"{CAL}/my-feed")
    response = get(client, f"{CAL}/my-feed", user_token)
    repeat = get(
        client, f"{CAL}/my-feed", user_token, **{"If-None-Match": response.headers["ETag"]}
    )

    assert anonymous.status_code == 401
    assert [e.uid for e in parse_feed(response.body.decode())] == [f"{mine}@resource-reserver"]
    assert repeat.status_code == 304


def test_export_is_for_the_owner_and_admins_only(
    client: Client, room: Resource, user_token: str, other_user_token: str, admin_token: str
) -> None:
    rid = booked(client, user_token, at(9), at(10))

    owner = get(client, f"{CAL}/export/{rid}.ics", user_token)
    admin = get(client, f"{CAL}/export/{rid}.ics", admin_token)
    other = get(client, f"{CAL}/export/{rid}.ics", other_user_token)
    missing = get(client, f"{CAL}/export/01NOSUCHID0000000000000000.ics", user_token)

    assert owner.status_code == 200 and admin.status_code == 200
    assert owner.headers["Content-Disposition"].endswith(f'filename="reservation-{rid}.ics"')
    [event] = parse_feed(owner.body.decode())
    assert event.uid == f"{rid}@resource-reserver" and event.start == at(9)
    assert other.status_code == 404 and error_code(other) == "reservation_not_found"
    assert missing.status_code == 404


def test_links_fill_in_google_and_outlook(
    client: Client, room: Resource, user_token: str, other_user_token: str
) -> None:
    rid = booked(client, user_token, at(9), at(10))

    response = get(client, f"{CAL}/links/{rid}", user_token)
    other = get(client, f"{CAL}/links/{rid}", other_user_token)

    assert response.status_code == 200, response.body
    links = response.json_body
    google = parse_qs(urlparse(links["google"]).query)
    outlook = parse_qs(urlparse(links["outlook"]).query)
    assert links["google"].startswith("https://calendar.google.com/calendar/render?")
    assert google["dates"] == ["20261125T090000Z/20261125T100000Z"]
    assert google["text"] == ["Resource room-1"]
    assert outlook["startdt"] == ["2026-11-25T09:00:00Z"]
    assert outlook["enddt"] == ["2026-11-25T10:00:00Z"]
    assert links["office365"].startswith("https://outlook.office.com/")
    assert links["ics"].endswith(f"/api/v1/calendar/export/{rid}.ics")
    assert other.status_code == 404


# --- resource feeds --------------------------------------------------------------------------


def set_mode(client: Client, admin: str, mode: str, **extra: Any) -> Any:
    body = {"mode": mode, **extra}
    return send(client, "PUT", f"{CAL}/resources/room-1/settings", admin, body)


def test_a_resource_feed_is_off_until_an_admin_turns_it_on(
    client: Client, room: Resource, user_token: str, admin_token: str
) -> None:
    booked(client, user_token, at(9), at(10))
    path = f"{CAL}/resources/room-1/feed.ics"

    off_anon = get(client, path)
    off_admin = get(client, path, admin_token)
    view = get(client, f"{CAL}/resources/room-1/settings", admin_token)

    assert off_anon.status_code == 404 and error_code(off_anon) == "calendar_feed_not_found"
    assert off_admin.status_code == 200
    assert view.json_body == {
        "resource_id": "room-1",
        "mode": "off",
        "url": None,
        "webcal_url": None,
    }


def test_a_public_resource_feed_shows_busy_blocks_and_my_own_details(
    client: Client, room: Resource, user_token: str, other_user_token: str, admin_token: str
) -> None:
    mine = booked(client, user_token, at(9), at(10), notes="secret agenda")
    theirs = booked(client, other_user_token, at(11), at(12), notes="bob's plans")
    assert set_mode(client, admin_token, "public").status_code == 200
    path = f"{CAL}/resources/room-1/feed.ics"

    anon = get(client, path)
    alice = get(client, path, user_token)
    admin = get(client, path, admin_token)

    anon_events = parse_feed(anon.body.decode())
    assert anon.headers["Cache-Control"].startswith("public")
    assert [e.summary for e in anon_events] == ["Busy: Resource room-1"] * 2
    text = anon.body.decode()
    assert mine not in text and theirs not in text and "agenda" not in text
    alice_text = alice.body.decode()
    assert "secret agenda" in alice_text and "bob's plans" not in alice_text
    assert "secret agenda" in admin.body.decode() and "bob's plans" in admin.body.decode()


def test_a_tokenized_resource_feed_needs_its_token_and_regenerating_kills_the_old(
    client: Client, room: Resource, user_token: str, admin_token: str
) -> None:
    booked(client, user_token, at(9), at(10))
    made = set_mode(client, admin_token, "token")
    assert made.status_code == 200, made.body
    url = path_of(made.json_body["url"])

    good = get(client, url)
    bare = get(client, f"{CAL}/resources/room-1/feed.ics")
    wrong = get(client, f"{CAL}/resources/room-1/feed.ics?token={'x' * 43}")
    again = set_mode(client, admin_token, "token", regenerate_token=True)
    stale = get(client, url)

    assert good.status_code == 200 and len(parse_feed(good.body.decode())) == 1
    assert bare.status_code == 404 and wrong.status_code == 404
    assert path_of(again.json_body["url"]) != url and stale.status_code == 404
    assert get(client, f"{CAL}/resources/room-1/feed.ics", user_token).status_code == 200


def test_resource_feed_settings_are_for_admins_and_checked(
    client: Client, room: Resource, user_token: str, admin_token: str
) -> None:
    assert set_mode(client, user_token, "public").status_code == 403
    assert set_mode(client, admin_token, "loud").status_code == 422
    unknown = send(client, "PUT", f"{CAL}/resources/nope/settings", admin_token, {"mode": "off"})
    assert unknown.status_code == 404


# --- series and DST --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "first_utc_hour", "after_dst_utc_hour"),
    [("Europe/Berlin", 8, 7), ("America/New_York", 14, 13)],
)
def test_a_weekly_series_keeps_its_local_time_across_dst(
    client: Client,
    clock: FrozenClock,
    user_token: str,
    zone: str,
    first_utc_hour: int,
    after_dst_utc_hour: int,
) -> None:
    zoned_resource("room-z", zone)
    start = datetime(2027, 3, 1, first_utc_hour, tzinfo=UTC)  # 09:00 local, before DST
    body = {
        "resource_id": "room-z",
        "start_time": start.isoformat().replace("+00:00", "Z"),
        "end_time": (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        "rrule": "FREQ=WEEKLY;COUNT=6",
    }
    created = send(client, "POST", "/api/v1/reservations/recurring", user_token, body)
    assert created.status_code == 201, created.body
    occurrences = {(o["reservation_id"], o["start_time"]) for o in created.json_body["occurrences"]}

    events = feed_of(client, user_token, "?future_days=200")

    ours = {(e.uid.split("@")[0], e.start.isoformat(timespec="milliseconds")) for e in events}
    assert ours == {(rid, s.replace("Z", "+00:00")) for rid, s in occurrences}
    assert {e.tzid for e in events} == {zone}
    assert {e.local_hour for e in events} == {9}  # 09:00 in the zone, every week
    utc_hours = [e.start.hour for e in sorted(events, key=lambda e: e.start)]
    assert utc_hours[0] == first_utc_hour and utc_hours[-1] == after_dst_utc_hour
