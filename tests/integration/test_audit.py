"""The audit log, derived from the stream: who did what (channel, address, before/after),
admin queries with filters and cursors, my activity, exports, retention, append-only."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.principal import Channel
from tests.factories import ADMIN_PASSWORD, ADMIN_USERNAME, auth_headers, login, send_json
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, person
from tests.integration.reservations_kit import at, booked, cancel, create_resource

BASE = "/api/v1/audit"


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Pipeline:
    create_resource("room-1")
    return Pipeline(app)


def get(client: Client, token: str, path: str) -> Any:
    response = client.http.get(path, headers=auth_headers(token))
    assert response.status_code == 200, response.body
    return response.json_body


def booked_and_cancelled(
    client: Client, pipeline: Pipeline, admin_token: str
) -> tuple[Person, str]:
    ada = person(client, "ada")
    headers = {**auth_headers(ada.token), "X-Client-Channel": "cli"}
    body = {
        "resource_id": "room-1",
        "start_time": "2026-11-25T10:00:00Z",
        "end_time": "2026-11-25T11:00:00Z",
    }
    created = client.http.post("/api/v1/reservations", headers=headers, body=json.dumps(body))
    assert created.status_code == 201, created.body
    reservation_id = str(created.json_body["reservation_id"])
    assert cancel(client, admin_token, reservation_id, "room needed").status_code == 200
    pipeline.run()
    return ada, reservation_id


def test_an_entity_history_says_who_did_what_from_where(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    ada, reservation_id = booked_and_cancelled(client, pipeline, admin_token)
    page = get(client, admin_token, f"{BASE}/entity/reservation/{reservation_id}")
    cancelled, created = page["items"]  # newest first
    assert (created["action"], created["actor_id"], created["channel"]) == (
        "created",
        ada.user_id,
        "cli",
    )
    assert created["client_ip"] == "127.0.0.1"  # what chalice's test gateway reports
    assert created["changes"]["status"] == {"before": None, "after": "active"}
    assert created["correlation_id"]
    assert cancelled["action"] == "cancelled" and cancelled["channel"] == "api"
    assert cancelled["actor_id"] != ada.user_id  # the admin
    assert cancelled["changes"]["status"] == {"before": "active", "after": "cancelled"}
    assert cancelled["changes"]["cancel_reason"]["after"] == "room needed"
    one = get(client, admin_token, f"{BASE}/logs/{cancelled['entry_id']}")
    assert one == cancelled


def test_registration_is_audited_without_the_password_hash(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    ada = person(client, "ada")
    pipeline.run()
    items = get(client, admin_token, f"{BASE}/entity/user/{ada.user_id}")["items"]
    [entry] = [e for e in items if e["action"] == "created"]  # (then: address verified)
    assert entry["changes"]["password_hash"] == {"before": None, "after": "[redacted]"}
    assert "argon2" not in json.dumps(entry)


def test_filters_and_cursor_pages(client: Client, pipeline: Pipeline, admin_token: str) -> None:
    ada, _ = booked_and_cancelled(client, pipeline, admin_token)
    for hour in (12, 14, 16):
        booked(client, ada.token, at(hour), at(hour + 1))
    pipeline.run()
    only_cancels = get(client, admin_token, f"{BASE}/logs?action=cancelled")["items"]
    assert [e["action"] for e in only_cancels] == ["cancelled"]
    by_ada = get(client, admin_token, f"{BASE}/logs?actor_id={ada.user_id}&action=created")
    assert len(by_ada["items"]) == 4 and {e["entity_type"] for e in by_ada["items"]} == {
        "reservation"
    }
    # Paging two at a time visits every entry once, newest first
    seen: list[str] = []
    query = f"{BASE}/logs?limit=2&entity_type=reservation"
    while query:
        page = get(client, admin_token, query)
        seen += [e["entry_id"] for e in page["items"]]
        cursor = page["next_cursor"]
        query = f"{BASE}/logs?limit=2&entity_type=reservation&cursor={cursor}" if cursor else ""
    assert len(seen) == len(set(seen)) == 5
    assert seen == sorted(seen, reverse=True)
    future = get(client, admin_token, f"{BASE}/logs?since=2099-01-01T00:00:00Z")
    assert future["items"] == []


def test_my_activity_and_a_users_activity(
    client: Client, pipeline: Pipeline, admin_token: str, other_user_token: str
) -> None:
    ada, _ = booked_and_cancelled(client, pipeline, admin_token)
    mine = get(client, ada.token, f"{BASE}/my-activity")["items"]
    assert mine and all(e["actor_id"] == ada.user_id for e in mine)
    assert get(client, other_user_token, f"{BASE}/my-activity")["items"] == []
    theirs = get(client, admin_token, f"{BASE}/user/{ada.user_id}/activity")["items"]
    assert [e["entry_id"] for e in theirs] == [e["entry_id"] for e in mine]


def test_exports_are_admin_only_and_complete(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    _, reservation_id = booked_and_cancelled(client, pipeline, admin_token)
    response = client.http.get(
        f"{BASE}/export/csv?entity_type=reservation", headers=auth_headers(admin_token)
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert [r["action"] for r in rows] == ["cancelled", "created"]
    assert {r["entity_id"] for r in rows} == {reservation_id}
    exported = client.http.get(f"{BASE}/export/json", headers=auth_headers(admin_token))
    entries = json.loads(exported.body)
    assert {"cancelled", "created"} <= {e["action"] for e in entries}


def test_who_may_read_the_log(client: Client, pipeline: Pipeline, user_token: str) -> None:
    for path in (
        f"{BASE}/logs",
        f"{BASE}/export/csv",
        f"{BASE}/export/json",
        f"{BASE}/entity/user/x",
        f"{BASE}/user/x/activity",
    ):
        assert client.http.get(path, headers=auth_headers(user_token)).status_code == 403, path
        assert client.http.get(path).status_code == 401, path
    assert client.http.get(f"{BASE}/my-activity").status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        "?limit=0",
        "?since=yesterday",
        "?since=2026-11-24T00:00:00",
        "?action=a%20b",
        "?since=2026-11-25T00:00:00Z&until=2026-11-24T00:00:00Z",
        "?cursor=nope",
    ],
)
def test_bad_queries_are_422(
    client: Client, pipeline: Pipeline, admin_token: str, query: str
) -> None:
    response = client.http.get(f"{BASE}/logs{query}", headers=auth_headers(admin_token))
    assert response.status_code == 422, response.body


def test_the_log_is_append_only_and_unknown_entries_404(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    _, reservation_id = booked_and_cancelled(client, pipeline, admin_token)
    entry = get(client, admin_token, f"{BASE}/entity/reservation/{reservation_id}")["items"][0]
    path = f"{BASE}/logs/{entry['entry_id']}"
    assert send_json(client, "DELETE", path, None, admin_token).status_code == 405
    assert send_json(client, "PATCH", path, {}, admin_token).status_code == 405
    assert (
        client.http.get(
            f"{BASE}/logs/01ARZ3NDEKTSV4RRFFQ69G5FAV", headers=auth_headers(admin_token)
        ).status_code
        == 404
    )
    assert (
        client.http.get(f"{BASE}/logs/garbage", headers=auth_headers(admin_token)).status_code
        == 404
    )


def test_retention_deletes_old_entries_only(
    client: Client, pipeline: Pipeline, clock: FrozenClock, admin_token: str
) -> None:
    booked_and_cancelled(client, pipeline, admin_token)
    assert get(client, admin_token, f"{BASE}/logs")["items"]
    clock.advance(timedelta(days=401))
    token = str(login(client, ADMIN_USERNAME, ADMIN_PASSWORD)["access_token"])
    run = send_json(client, "POST", "/api/v1/admin/jobs/audit-retention/run", None, token)
    assert run.status_code == 200, run.body
    assert run.json_body["result"]["deleted"] >= 3
    pipeline.run()  # the login above wrote fresh (audited) records: those stay
    remaining = get(client, token, f"{BASE}/logs")["items"]
    assert all(e["entity_type"] != "reservation" for e in remaining)


def test_an_admin_granting_a_role_is_recorded_as_the_admin(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    ada = person(client, "ada")
    admin_id = get(client, admin_token, "/api/v1/users/me")["id"]
    body = {"user_id": ada.user_id, "role": "admin"}
    assert send_json(client, "POST", "/api/v1/roles/assign", body, admin_token).status_code == 200
    pipeline.run()
    latest = get(client, admin_token, f"{BASE}/entity/user/{ada.user_id}")["items"][0]
    assert (latest["action"], latest["actor_id"]) == ("updated", admin_id)
    assert latest["changes"]["roles"] == {"before": ["user"], "after": ["admin", "user"]}


def test_deletes_name_the_admin_who_deleted(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    # Given a resource and a blackout created by the first admin, and a second admin
    created = send_json(client, "POST", "/api/v1/resources", {"name": "Lab 7"}, admin_token)
    resource_id = created.json_body["resource_id"]
    blackout = send_json(
        client,
        "POST",
        f"/api/v1/resources/{resource_id}/blackouts",
        {"start_date": "2026-12-24", "end_date": "2026-12-26", "reason": "holidays"},
        admin_token,
    ).json_body
    grace = person(client, "grace")
    promoted = send_json(
        client,
        "POST",
        "/api/v1/roles/assign",
        {"user_id": grace.user_id, "role": "admin"},
        admin_token,
    )
    assert promoted.status_code == 200, promoted.body
    # When the second admin deletes the blackout, then the resource
    path = f"/api/v1/resources/{resource_id}/blackouts/{blackout['blackout_id']}"
    assert client.http.delete(path, headers=auth_headers(grace.token)).status_code in (200, 204)
    deleted = client.http.delete(
        f"/api/v1/resources/{resource_id}", headers=auth_headers(grace.token)
    )
    assert deleted.status_code == 200, deleted.body
    pipeline.run()
    # Then the audit log names her as the one who deleted each of them
    for entity in (f"resource/{resource_id}", f"blackout/{blackout['blackout_id']}"):
        items = get(client, admin_token, f"{BASE}/entity/{entity}")["items"]
        removal = next(i for i in items if i["action"] == "deleted")
        assert removal["actor_id"] == grace.user_id, (entity, removal)


@pytest.mark.parametrize(
    ("claimed", "recorded"), [("system", "api"), ("SYSTEM", "api"), ("web", "web")]
)
def test_a_caller_cannot_claim_to_be_the_system(
    client: Client, pipeline: Pipeline, claimed: str, recorded: str
) -> None:
    # Given a user who labels a request `X-Client-Channel: system` (issue 9, finding 10)
    ada = person(client, "ada")
    headers = {**auth_headers(ada.token), "X-Client-Channel": claimed}
    body = {
        "resource_id": "room-1",
        "start_time": "2026-11-25T10:00:00Z",
        "end_time": "2026-11-25T11:00:00Z",
    }
    # When the booking is written and audited
    created = client.http.post("/api/v1/reservations", headers=headers, body=json.dumps(body))
    assert created.status_code == 201, created.body
    pipeline.run()
    page = get(client, ada.token, f"{BASE}/my-activity")
    # Then the audit log says what the credential is, never `system`
    assert {item["channel"] for item in page["items"]} == {recorded}


def test_an_oauth_client_is_always_the_api_channel(client: Client, admin_token: str) -> None:
    # Given an OAuth client token, When it says it is the web app (or the system)
    app_body = {"name": "robot", "scopes": ["resources:read"]}
    registered = send_json(client, "POST", "/api/v1/oauth/clients", app_body, admin_token)
    assert registered.status_code == 201, registered.body
    grant = {
        "grant_type": "client_credentials",
        "client_id": registered.json_body["client_id"],
        "client_secret": registered.json_body["client_secret"],
    }
    token = send_json(client, "POST", "/api/v1/oauth/token", grant).json_body["access_token"]
    for claimed in (Channel.WEB, Channel.SYSTEM):
        principal = wiring.authenticator().authenticate(token, client_ip="", channel=claimed)
        # Then the credential decides: an integration is `api`
        assert principal.is_client
        assert principal.channel is Channel.API
