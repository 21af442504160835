"""Booking quotas end to end in-process (issue 13): rules enforced inside the booking
transaction, given back on cancel and reschedule, explained, overridden; usage views."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from chalicelib.domain.clock import FrozenClock
from tests.factories import user_id_of
from tests.integration.reservations_kit import (
    TOMORROW,
    add_blackout,
    at,
    book,
    booked,
    cancel,
    create_resource,
    iso,
    reschedule,
    send,
)

RULES = "/api/v1/quotas/rules"


def add_rule(client: Client, admin: str, **body: Any) -> str:
    response = send(client, "POST", RULES, admin, {"name": "Weekly", **body})
    assert response.status_code == 201, response.body
    return str(response.json_body["rule_id"])


def usage_rows(client: Client, token: str, rule_id: str) -> list[dict[str, Any]]:
    response = send(client, "GET", "/api/v1/quotas/my-usage", token)
    assert response.status_code == 200, response.body
    return [r for r in response.json_body["rules"] if r["rule_id"] == rule_id]


def usage(client: Client, token: str) -> dict[str, dict[str, Any]]:
    """The latest period of each rule (tests book tomorrow, in this week)."""
    response = send(client, "GET", "/api/v1/quotas/my-usage", token)
    assert response.status_code == 200, response.body
    return {r["rule_id"]: r for r in response.json_body["rules"]}


def test_weekly_hours_are_enforced_explained_and_given_back(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given a weekly limit of 3 h
    create_resource("room-1")
    rule = add_rule(client, admin_token, metric="hours", limit=3, period="week")
    # When 2 h are booked, Then my usage says 120 of 180 minutes
    first = booked(client, user_token, at(9), at(11))
    assert usage(client, user_token)[rule]["used"] == 120
    assert usage(client, user_token)[rule]["remaining"] == 60
    # When 2 h more are asked for, Then 422 explains the numbers
    refused = book(client, user_token, at(12), at(14))
    assert refused.status_code == 422
    error = refused.json_body["error"]
    assert error["code"] == "quota_exceeded"
    (violation,) = error["details"]["violations"]
    assert violation["message"] == ("Weekly: weekly limit 3 h: you have 2 h booked, this adds 2 h")
    assert (violation["limit"], violation["used"], violation["adds"]) == (180, 120, 120)
    # When the first is moved to a 3 h window, Then its own 2 h do not count against it
    assert reschedule(client, user_token, first, at(13), at(16)).status_code == 200
    assert usage(client, user_token)[rule]["used"] == 180
    # When it is cancelled, Then the 3 h come back and can be booked again
    assert cancel(client, user_token, first).status_code == 200
    assert usage(client, user_token)[rule]["used"] == 0
    booked(client, user_token, at(9), at(12))


def test_a_denial_lists_every_failed_rule(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given a blackout tomorrow and a daily limit of 1 h
    create_resource("room-1")
    add_blackout("room-1", TOMORROW)
    add_rule(client, admin_token, name="Daily", metric="hours", limit=1, period="day")
    # When 2 h are asked for on the blackout day
    refused = book(client, user_token, at(9), at(11))
    # Then one 422 names both, the first one's code on top
    assert refused.status_code == 422
    error = refused.json_body["error"]
    assert error["code"] == "blackout_date"
    codes = [v["code"] for v in error["details"]["violations"]]
    assert codes == ["blackout_date", "quota_exceeded"]
    assert [v["rule"] for v in error["details"]["violations"]] == ["blackout", "quota"]


def test_admins_skip_quotas_and_overrides_raise_a_users_limit(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    create_resource("room-1")
    rule = add_rule(client, admin_token, metric="count", limit=1, period="day")
    booked(client, admin_token, at(7), at(8))
    booked(client, admin_token, at(8), at(9))  # an admin is exempt
    booked(client, user_token, at(9), at(10))
    assert book(client, user_token, at(10), at(11)).status_code == 422
    # When an admin gives the user 2 a day
    user_id = user_id_of(client, user_token)
    put = send(
        client,
        "PUT",
        f"/api/v1/quotas/overrides/{user_id}/{rule}",
        admin_token,
        {"limit": 2, "reason": "project week"},
    )
    assert put.status_code == 200, put.body
    # Then the second booking passes, and the usage says the limit is the override's
    booked(client, user_token, at(10), at(11))
    mine = usage_rows(client, user_token, rule)
    assert [(m["period_key"], m["used"]) for m in mine] == [("2026-11-24", 0), ("2026-11-25", 2)]
    assert (mine[1]["limit"], mine[1]["limit_source"]) == (2, "override")
    admin_view = send(client, "GET", f"/api/v1/quotas/users/{user_id}", admin_token)
    assert [r["used"] for r in admin_view.json_body["rules"]] == [0, 2]
    alerts = send(client, "GET", "/api/v1/quotas/alerts", admin_token).json_body["items"]
    assert [(a["user_id"], a["used"], a["limit"]) for a in alerts] == [(user_id, 2, 2)]
    summary = send(client, "GET", "/api/v1/quotas/summary", admin_token).json_body["items"]
    assert summary[0]["rule_id"] == rule  # the current period (today): nobody yet
    assert summary[0]["users"] == 0


def test_concurrent_reservations_come_back_when_cancelled(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    create_resource("room-1")
    add_rule(client, admin_token, name="Open", metric="concurrent", limit=1)
    first = booked(client, user_token, at(9), at(10))
    refused = book(client, user_token, at(11), at(12))
    assert refused.status_code == 422
    assert "at most 1 reservation at a time" in refused.json_body["error"]["message"]
    assert cancel(client, user_token, first).status_code == 200
    booked(client, user_token, at(11), at(12))


def test_rule_admin_bad_input_and_missing_rules(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    no_period = send(
        client, "POST", RULES, admin_token, {"name": "x", "metric": "hours", "limit": 1}
    )
    assert no_period.status_code == 422
    assert no_period.json_body["error"]["code"] == "invalid_quota_rule"
    bad_peak = send(
        client,
        "POST",
        RULES,
        admin_token,
        {"name": "x", "metric": "hours", "limit": 1, "period": "day", "peak": "17:00-09:00"},
    )
    assert bad_peak.status_code == 422
    assert send(client, "GET", f"{RULES}/nope", user_token).status_code == 404
    assert send(client, "DELETE", f"{RULES}/nope", admin_token).status_code == 404
    rule = add_rule(client, admin_token, metric="hours", limit=2, period="day", peak="09:00-17:00")
    got = send(client, "GET", f"{RULES}/{rule}", user_token).json_body
    assert (got["peak"], got["limit"]) == ("09:00-17:00", 2)
    replaced = send(
        client,
        "PUT",
        f"{RULES}/{rule}",
        admin_token,
        {"name": "Peak", "metric": "hours", "limit": 4, "period": "day", "peak": "09:00-17:00"},
    )
    assert replaced.status_code == 200 and replaced.json_body["limit"] == 4
    assert send(client, "DELETE", f"{RULES}/{rule}", admin_token).status_code == 204
    assert send(client, "GET", RULES, user_token).json_body["items"] == []


def test_series_and_bulk_count_as_a_whole_and_come_back_when_cancelled(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    # Given at most 3 reservations per month
    create_resource("room-1")
    rule = add_rule(client, admin_token, name="Monthly", metric="count", limit=3, period="month")
    series_body = {
        "resource_id": "room-1",
        "start_time": iso(at(9)),
        "end_time": iso(at(10)),
        "rrule": "FREQ=DAILY;COUNT=4",
    }
    # When a series of 4 is asked for, Then it is refused as a whole, with the total
    refused = send(client, "POST", "/api/v1/reservations/recurring", user_token, series_body)
    assert refused.status_code == 422, refused.body
    (violation,) = refused.json_body["error"]["details"]["violations"]
    assert (violation["used"], violation["adds"], violation["limit"]) == (0, 4, 3)
    # When a series of 2 is booked, Then it counts 2 (over a month boundary? no: Nov 25-26)
    series_body["rrule"] = "FREQ=DAILY;COUNT=2"
    created = send(client, "POST", "/api/v1/reservations/recurring", user_token, series_body)
    assert created.status_code == 201, created.body
    assert usage(client, user_token)[rule]["used"] == 2
    # And a bulk of 2 more does not fit, a bulk of 1 does
    items = [
        {"resource_id": "room-1", "start_time": iso(at(h)), "end_time": iso(at(h + 1))}
        for h in (13, 15)
    ]
    bulk = send(client, "POST", "/api/v1/reservations/bulk", user_token, {"items": items})
    assert bulk.status_code == 422, bulk.body
    assert bulk.json_body["error"]["code"] == "quota_exceeded"
    one = send(client, "POST", "/api/v1/reservations/bulk", user_token, {"items": items[:1]})
    assert one.status_code == 201, one.body
    assert usage(client, user_token)[rule]["used"] == 3
    # When the series is cancelled, Then its 2 come back
    series_id = created.json_body["series_id"]
    cancelled = send(client, "POST", f"/api/v1/series/{series_id}/cancel", user_token, {})
    assert cancelled.status_code == 200, cancelled.body
    assert usage(client, user_token)[rule]["used"] == 1
