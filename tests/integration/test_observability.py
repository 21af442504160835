"""Observability in process (issue 15): one booking's correlation id followed from the API
answer through the stream, the bus, a worker's log lines and the live push; the metrics the
admin summary reads (the same counters EMF gets); EMF silent locally, well-formed in AWS.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.pipeline.events import RESERVATION_CREATED, make_event
from chalicelib.domain.pipeline.metrics import Totals, minute_of
from chalicelib.integrations.emf import EmfEmitter
from chalicelib.observability import SERVICE
from chalicelib.services.pipeline.metrics import FLUSH_EVERY
from chalicelib.topology import TOPOLOGY
from tests.factories import auth_headers
from tests.fakes.websocket import FakeWebsocketAPI
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import person
from tests.integration.reservations_kit import (
    TOMORROW,
    add_blackout,
    at,
    book,
    booking_body,
    create_resource,
)
from tests.integration.ws_kit import WsClient

SUMMARY = "/api/v1/admin/metrics/summary"


@pytest.fixture
def log_lines() -> Iterator[list[dict[str, Any]]]:
    """The app's structured log lines (JSON, as CloudWatch gets them), at INFO."""
    lines: list[dict[str, Any]] = []
    std = logging.getLogger(SERVICE)
    formatter = std.handlers[0].formatter

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(self.format(record)))

    keep = Keep()
    keep.setFormatter(formatter)
    level = std.level
    std.addHandler(keep)
    std.setLevel(logging.INFO)
    yield lines
    std.removeHandler(keep)
    std.setLevel(level)


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Pipeline:
    create_resource("room-1")
    return Pipeline(app)


def book_with(client: Client, token: str, hour: int, correlation_id: str | None = None) -> Any:
    headers = auth_headers(token)
    if correlation_id is not None:
        headers["X-Correlation-Id"] = correlation_id
    body = json.dumps(booking_body(at(hour), at(hour + 1)))
    return client.http.post("/api/v1/reservations", headers=headers, body=body)


def test_one_bookings_correlation_id_is_followed_from_the_answer_to_the_live_push(
    client: Client, pipeline: Pipeline, fake_ws: FakeWebsocketAPI, log_lines: list[dict[str, Any]]
) -> None:
    # Given Ada, signed in on a socket
    ada = person(client, "ada")
    pipeline.run()
    ws = WsClient(fake_ws).connect().sign_in(ada.token)
    log_lines.clear()
    # When she books, naming her own correlation id
    answer = book_with(client, ada.token, 10, correlation_id="trace-ada-0001")
    assert answer.status_code == 201, answer.body
    # Then the answer carries it
    assert answer.headers["X-Correlation-Id"] == "trace-ada-0001"
    # When the pipeline runs
    pipeline.run()
    mine = [line for line in log_lines if line.get("correlation_id") == "trace-ada-0001"]
    said = {line["message"] for line in mine}
    # Then the stream relay logged the events it put on the bus under that id
    [published] = [line for line in mine if line["message"] == "events published"]
    assert RESERVATION_CREATED in [e["name"] for e in published["events"]]
    # And every worker that took the event logged it under that id, with its queue lag
    workers = {line["worker"] for line in mine if line["message"] == "record received"}
    assert {"reserver-notify", "reserver-live", "reserver-audit"} <= workers
    assert all(line["queue_lag_ms"] >= 0 for line in mine if line["message"] == "record received")
    assert "live pushes sent" in said
    # And the live push of her reservation names it too
    [entry] = [e for e in ws.live_entries() if e["event"] == RESERVATION_CREATED]
    assert entry["correlation_id"] == "trace-ada-0001"
    # And no line of this request was left without an id
    assert all(line.get("correlation_id") for line in log_lines if "worker" in line)


def test_without_a_usable_header_the_request_gets_its_own_id(
    client: Client, user_token: str
) -> None:
    # Given no header, or one that is not a sane token (it is never echoed)
    create_resource("room-1")
    plain = book_with(client, user_token, 10)
    odd = book_with(client, user_token, 12, correlation_id="<script>" + "x" * 200)
    # Then each answer carries an id of its own
    ids = [plain.headers["X-Correlation-Id"], odd.headers["X-Correlation-Id"]]
    assert all(ids) and ids[0] != ids[1] and "<" not in ids[1]
    # And refusals carry it too
    refused = client.http.get("/api/v1/admin/jobs", headers=auth_headers(user_token))
    assert refused.status_code == 403 and refused.headers["X-Correlation-Id"]


def test_the_admin_summary_counts_requests_bookings_conflicts_and_denials_by_rule(
    client: Client, pipeline: Pipeline, admin_token: str
) -> None:
    # Given a user, and a blackout on the day after tomorrow
    ada = person(client, "ada")
    closed = TOMORROW + timedelta(days=1)
    add_blackout("room-1", closed)
    before = summary(client, admin_token)
    # When she books, books the same time again, and books into a blackout
    assert book(client, ada.token, at(10), at(11)).status_code == 201
    assert book(client, ada.token, at(10, 30), at(11, 30)).status_code == 409
    denied = book(client, ada.token, at(14, day=closed), at(15, day=closed))
    assert denied.status_code == 422, denied.body
    rule = denied.json_body["error"]["code"]
    # Then the request-side counters show at once (the summary writes its own buffer first)
    after = summary(client, admin_token)
    assert after["requests"] - before["requests"] == 4  # three bookings and the summary
    assert after["conflicts"] == before["conflicts"] + 1
    assert after["denials_by_rule"].get(rule, 0) == before["denials_by_rule"].get(rule, 0) + 1
    assert after["bookings"] == before["bookings"]  # counted from the stream, not yet run
    # When the pipeline runs, Then the booking is counted from its event
    pipeline.run()
    assert summary(client, admin_token)["bookings"] == before["bookings"] + 1
    # And every worker queue is listed with its depth and dead letters
    final = summary(client, admin_token)
    assert [q["queue"] for q in final["queues"]] == [q.name for q in TOPOLOGY.queues]
    assert final["dead_letters"] == 0 and final["window_minutes"] == 60


def summary(client: Client, token: str, query: str = "") -> dict[str, Any]:
    response = client.http.get(f"{SUMMARY}{query}", headers=auth_headers(token))
    assert response.status_code == 200, response.body
    body: dict[str, Any] = response.json_body
    return body


def test_an_event_is_counted_once_however_often_it_is_relayed(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # Given one booking event, relayed twice (a retried stream batch republishes it)
    event = make_event(
        RESERVATION_CREATED, {"reservation_id": "r1"}, source_id="rec-1", occurred_at=clock.now()
    )
    recorder = wiring.metrics_recorder()
    # When it is counted twice, Then only the first counts
    assert recorder.events([event]) == 1
    assert recorder.events([event]) == 0
    assert summary(client, admin_token)["bookings"] == 1


def test_the_window_is_bounded_and_only_for_admins(
    client: Client, clock: FrozenClock, admin_token: str, user_token: str
) -> None:
    assert summary(client, admin_token, "?minutes=1440")["window_minutes"] == 1440
    too_long = client.http.get(f"{SUMMARY}?minutes=1441", headers=auth_headers(admin_token))
    assert too_long.status_code == 422
    assert client.http.get(SUMMARY, headers=auth_headers(user_token)).status_code == 403


def test_emf_is_silent_locally_and_well_formed_when_enabled(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the local setting (tests run with POWERTOOLS_METRICS_DISABLED=true)
    EmfEmitter().emit("Denials", "Count", 1, {"rule": "blackout_date"})
    assert capsys.readouterr().out == ""
    # When metrics are enabled (as in AWS), Then one EMF line per data point, own dimensions
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    EmfEmitter().emit("Denials", "Count", 1, {"rule": "blackout_date"})
    [line] = capsys.readouterr().out.splitlines()
    emf = json.loads(line)
    [directive] = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ResourceReserver"
    assert directive["Metrics"] == [{"Name": "Denials", "Unit": "Count"}]
    assert set(directive["Dimensions"][0]) == {"service", "rule"}
    assert emf["rule"] == "blackout_date" and emf["Denials"] in (1, [1])


def test_request_counts_are_written_in_batches_not_once_per_request(
    client: Client, clock: FrozenClock
) -> None:
    # Given a process whose buffer was just written
    recorder, store = wiring.metrics_recorder(), wiring.metric_counters()
    first = minute_of(clock.now())

    def stored() -> int:
        rows = store.rows(first, first + timedelta(minutes=1))
        return Totals.of(rows).totals["requests"]

    recorder.flush()
    base = stored()
    # When three requests are answered within the flush interval
    for _ in range(3):
        recorder.request(None)
    # Then nothing is written yet (the booking path keeps its round trips)
    assert stored() == base
    # When the interval has passed, Then the next request writes the four in one go
    clock.advance(FLUSH_EVERY)
    recorder.request(None)
    assert stored() == base + 4
