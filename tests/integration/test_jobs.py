"""Scheduled jobs, run by an admin through the API: each idempotent, each safe when two runs
overlap (conditional writes), and none runnable by ordinary users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.reservations import ReservationStatus
from chalicelib.store.reservations.repository import ReservationStore
from tests.factories import ADMIN_PASSWORD, ADMIN_USERNAME, auth_headers, login, send_json
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import event_names, person
from tests.integration.reservations_kit import at, booked, cancel, create_resource

JOBS = "/api/v1/admin/jobs"


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Pipeline:
    create_resource("room-1")
    return Pipeline(app)


def admin(client: Client) -> str:
    """A fresh admin token (these tests move the clock past token lifetimes)."""
    return str(login(client, ADMIN_USERNAME, ADMIN_PASSWORD)["access_token"])


def run(client: Client, name: str) -> dict[str, int]:
    response = send_json(client, "POST", f"{JOBS}/{name}/run", None, admin(client))
    assert response.status_code == 200, response.body
    result: dict[str, int] = response.json_body["result"]
    return result


def status_of(reservation_id: str) -> ReservationStatus:
    found = ReservationStore().get(reservation_id)
    assert found is not None
    return found.status


def test_only_admins_may_list_or_run_jobs(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    listed = client.http.get(JOBS, headers=auth_headers(admin_token))
    assert listed.status_code == 200
    assert {j["name"] for j in listed.json_body} == {
        "expire-reservations",
        "maintenance-auto-reset",
        "send-reminders",
        "webhook-retry-sweep",
        "purge-stale-records",
        "audit-retention",
        "recover-stuck-batches",
        "release-no-shows",
        "expire-waitlist-offers",  # waitlist
        # approvals (issue 10)
        "expire-approvals",
        "remind-approvers",
        "rebuild-analytics",  # analytics (issue 12)
    }
    assert client.http.get(JOBS, headers=auth_headers(user_token)).status_code == 403
    for path in (f"{JOBS}/expire-reservations/run", "/api/v1/admin/cleanup-expired"):
        assert send_json(client, "POST", path, None, user_token).status_code == 403, path
        assert client.http.post(path).status_code == 401, path
    unknown = send_json(client, "POST", f"{JOBS}/nope/run", None, admin_token)
    assert unknown.status_code == 404 and unknown.json_body["error"]["code"] == "job_not_found"


def test_expiry_marks_ended_reservations_once(
    client: Client, pipeline: Pipeline, clock: FrozenClock, admin_token: str
) -> None:
    # Given one reservation that will end and one that will still be running
    ada = person(client, "ada")
    ended = booked(client, ada.token, at(10), at(11))
    running = booked(client, ada.token, at(11), at(14))
    # When the job runs at 12:00 tomorrow, twice
    clock.set(at(12))
    none = {"completed": 0, "no_show": 0, "skipped": 0}
    assert run(client, "expire-reservations") == {**none, "expired": 1}
    assert run(client, "expire-reservations") == {**none, "expired": 0}
    # Then only the ended one is expired, by the system, and it says so in the audit log
    assert status_of(ended) == ReservationStatus.EXPIRED
    assert status_of(running) == ReservationStatus.ACTIVE
    pipeline.run()
    history = client.http.get(
        f"/api/v1/audit/entity/reservation/{ended}", headers=auth_headers(admin(client))
    ).json_body["items"]
    assert (history[0]["action"], history[0]["actor_id"], history[0]["channel"]) == (
        "expired",
        "system",
        "system",
    )
    # The old product's path runs the same job, for admins only
    legacy = send_json(client, "POST", "/api/v1/admin/cleanup-expired", None, admin(client))
    assert legacy.status_code == 200 and legacy.json_body["name"] == "expire-reservations"


def test_an_overlapping_expiry_run_with_a_stale_view_changes_nothing(
    client: Client, pipeline: Pipeline, clock: FrozenClock, admin_token: str
) -> None:
    ada = person(client, "ada")
    reservation_id = booked(client, ada.token, at(10), at(11))
    stale = ReservationStore().get(reservation_id)
    assert stale is not None
    clock.set(at(12))
    assert run(client, "expire-reservations")["expired"] == 1
    # A second run that read the reservation before the first one wrote loses the condition
    service = wiring.jobs()
    assert service._end(stale, None, clock.now()) == "skipped"
    assert status_of(reservation_id) == ReservationStatus.EXPIRED


def test_maintenance_is_reset_when_its_time_has_come(
    client: Client, pipeline: Pipeline, clock: FrozenClock, admin_token: str
) -> None:
    path = "/api/v1/resources/room-1/status/unavailable"
    body = {"reason": "projector", "auto_reset_hours": 2}
    assert send_json(client, "PUT", path, body, admin_token).status_code == 200
    assert run(client, "maintenance-auto-reset") == {"reset": 0, "skipped": 0}
    pipeline.run()
    clock.advance(timedelta(hours=2, minutes=1))
    assert run(client, "maintenance-auto-reset") == {"reset": 1, "skipped": 0}
    assert run(client, "maintenance-auto-reset") == {"reset": 0, "skipped": 0}
    pipeline.pump_stream()
    assert event_names(pipeline.bodies("reserver-webhooks")) == ["resource.maintenance_ended"]
    pipeline.run()
    history = client.http.get(
        "/api/v1/audit/entity/resource/room-1", headers=auth_headers(admin(client))
    ).json_body["items"]
    assert history[0]["actor_id"] == "system"
    assert history[0]["changes"]["maint_started_at"]["after"] is None


def test_purge_removes_expired_idempotency_records(
    client: Client, pipeline: Pipeline, clock: FrozenClock, admin_token: str
) -> None:
    # (a cancellation reaches the waitlist worker, which keeps a Powertools record per event;
    # the other workers of a booking are idempotent on their own and write none)
    ada = person(client, "ada")
    reservation = booked(client, ada.token, at(10), at(11))
    assert cancel(client, ada.token, reservation).status_code == 200
    pipeline.run()
    table = boto3.client("dynamodb")
    before = table.scan(TableName="reserver-idempotency", Select="COUNT")["Count"]
    assert before > 0
    assert run(client, "purge-stale-records")["idempotency_records"] == 0
    clock.advance(timedelta(days=4))
    result = run(client, "purge-stale-records")
    assert result["idempotency_records"] == before
    assert table.scan(TableName="reserver-idempotency", Select="COUNT")["Count"] == 0


def test_job_runs_report_their_times(client: Client, clock: FrozenClock, admin_token: str) -> None:
    response = send_json(client, "POST", f"{JOBS}/webhook-retry-sweep/run", None, admin_token)
    body: dict[str, Any] = response.json_body
    assert body["name"] == "webhook-retry-sweep" and body["result"] == {"enqueued": 0}
    assert body["started_at"] == "2026-11-24T09:00:00.000Z"
