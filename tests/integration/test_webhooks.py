"""Webhooks: owner-scoped subscriptions, the secret shown once and sealed at rest, signed
deliveries that a receiver can verify, the SSRF guard and the admin allow-list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.pipeline.webhooks import verify
from chalicelib.integrations.webhook_sender import REFUSED
from tests.factories import auth_headers, send_json
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import person
from tests.integration.reservations_kit import at, booked, create_resource
from tests.integration.webhook_receiver import Receiver, running_receiver

BASE = "/api/v1/webhooks"
ALLOW = "/api/v1/admin/webhook-allowlist"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Pipeline:
    create_resource("room-1")
    return Pipeline(app)


def subscribe(client: Client, token: str, url: str, events: list[str] | None = None) -> Any:
    body = {"url": url, "events": events or ["reservation.created"]}
    response = send_json(client, "POST", BASE, body, token)
    assert response.status_code == 201, response.body
    return response.json_body


def allow_loopback(
    client: Client, admin_token: str, owner_id: str, port: int | None = None
) -> dict[str, Any]:
    """Open 127.0.0.1 (or one port of it) to one owner's webhooks."""
    body: dict[str, Any] = {
        "network": "127.0.0.1/32",
        "note": "test receiver",
        "owner_id": owner_id,
    }
    if port is not None:
        body["port"] = port
    response = send_json(client, "POST", ALLOW, body, admin_token)
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def deliveries(client: Client, token: str, webhook_id: str) -> list[dict[str, Any]]:
    response = client.http.get(f"{BASE}/{webhook_id}/deliveries", headers=auth_headers(token))
    assert response.status_code == 200, response.body
    return list(response.json_body["items"])


# ---------------------------------------------------------------- subscriptions


def test_create_shows_the_secret_once_and_seals_it_at_rest(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    created = subscribe(client, user_token, "https://hooks.example.com/x")
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["reservation.created"] and created["active"] is True
    fetched = client.http.get(f"{BASE}/{created['webhook_id']}", headers=auth_headers(user_token))
    assert fetched.status_code == 200 and "secret" not in fetched.json_body
    listed = client.http.get(BASE, headers=auth_headers(user_token)).json_body["items"]
    assert [h["webhook_id"] for h in listed] == [created["webhook_id"]]
    assert all("secret" not in h for h in listed)
    # At rest the secret is ciphertext, never the secret itself
    raw = boto3.client("dynamodb").get_item(
        TableName="reserver-main",
        Key={"PK": {"S": f"WEBHOOK#{created['webhook_id']}"}, "SK": {"S": "META"}},
    )["Item"]
    assert created["secret"] not in json.dumps(raw)
    assert raw["secret_sealed"]["S"].startswith("v1.")


def test_rotate_gives_a_new_secret_once(
    client: Client, clock: FrozenClock, user_token: str
) -> None:
    created = subscribe(client, user_token, "https://hooks.example.com/x")
    rotated = send_json(
        client, "POST", f"{BASE}/{created['webhook_id']}/rotate-secret", None, user_token
    )
    assert rotated.status_code == 200
    assert rotated.json_body["secret"].startswith("whsec_")
    assert rotated.json_body["secret"] != created["secret"]


def test_update_and_delete(client: Client, clock: FrozenClock, user_token: str) -> None:
    created = subscribe(client, user_token, "https://hooks.example.com/x")
    path = f"{BASE}/{created['webhook_id']}"
    patched = send_json(client, "PATCH", path, {"events": ["*"], "active": False}, user_token)
    assert patched.status_code == 200
    assert patched.json_body["events"] == ["*"] and patched.json_body["active"] is False
    assert send_json(client, "DELETE", path, None, user_token).status_code == 204
    assert client.http.get(path, headers=auth_headers(user_token)).status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "ftp://x.example.com", "events": ["*"]}, "invalid_webhook_url"),
        ({"url": "https://u:p@x.example.com", "events": ["*"]}, "invalid_webhook_url"),
        ({"url": "https://x.example.com", "events": ["no.such"]}, "invalid_webhook_events"),
        ({"url": "https://x.example.com", "events": []}, "validation_error"),
        ({"url": "https://x.example.com", "events": ["*"], "extra": 1}, "validation_error"),
        ({"events": ["*"]}, "validation_error"),
    ],
)
def test_invalid_subscriptions_are_422(
    client: Client, clock: FrozenClock, user_token: str, body: dict[str, Any], code: str
) -> None:
    response = send_json(client, "POST", BASE, body, user_token)
    assert response.status_code == 422
    assert response.json_body["error"]["code"] == code


def test_other_users_webhooks_are_not_found_and_anonymous_is_401(
    client: Client, clock: FrozenClock, user_token: str, other_user_token: str
) -> None:
    created = subscribe(client, user_token, "https://hooks.example.com/x")
    path = f"{BASE}/{created['webhook_id']}"
    assert client.http.get(path, headers=auth_headers(other_user_token)).status_code == 404
    for method, suffix in (
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/test"),
        ("POST", "/rotate-secret"),
    ):
        body = {"active": False} if method == "PATCH" else None
        response = send_json(client, method, path + suffix, body, other_user_token)
        assert response.status_code == 404, (method, suffix)
    listed = client.http.get(f"{path}/deliveries", headers=auth_headers(other_user_token))
    assert listed.status_code == 404
    assert client.http.get(BASE).status_code == 401
    assert client.http.get(f"{BASE}/events").status_code == 200  # the catalogue is public


def test_the_allow_list_is_for_admins(
    client: Client, clock: FrozenClock, user_token: str, admin_token: str
) -> None:
    assert client.http.get(ALLOW, headers=auth_headers(user_token)).status_code == 403
    body = {"network": "127.0.0.1/32"}
    assert send_json(client, "POST", ALLOW, body, user_token).status_code == 403
    bad = send_json(client, "POST", ALLOW, {"network": "not-an-ip", "owner_id": "u1"}, admin_token)
    assert bad.status_code == 422
    body = {"network": "10.0.0.7", "port": 8443, "owner_id": "u1"}
    added = send_json(client, "POST", ALLOW, body, admin_token)
    assert added.status_code == 201
    assert added.json_body["network"] == "10.0.0.7/32" and added.json_body["port"] == 8443
    assert added.json_body["owner_id"] == "u1" and added.json_body["webhook_id"] is None
    entry = added.json_body["entry_id"]
    assert send_json(client, "DELETE", f"{ALLOW}/{entry}", None, user_token).status_code == 403
    assert send_json(client, "DELETE", f"{ALLOW}/{entry}", None, admin_token).status_code == 204
    assert send_json(client, "DELETE", f"{ALLOW}/{entry}", None, admin_token).status_code == 404


# ---------------------------------------------------------------- deliveries


def test_a_booking_is_delivered_signed_to_an_allow_listed_receiver(
    client: Client, pipeline: Pipeline, receiver: Receiver, admin_token: str, clock: FrozenClock
) -> None:
    # Given Ada's webhook on a local receiver that an admin allow-listed
    ada = person(client, "ada")
    allow_loopback(client, admin_token, ada.user_id, receiver.port)
    hook = subscribe(client, ada.token, receiver.url)
    # When Ada books and the pipeline runs
    reservation_id = booked(client, ada.token, at(10), at(11))
    pipeline.run()
    # Then the receiver got one POST it can verify with the secret
    [request] = receiver.received
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["x-webhook-event"] == "reservation.created"
    assert verify(
        hook["secret"],
        headers["x-webhook-signature"],
        request.body,
        now=int(clock.now().timestamp()),
    )
    envelope = json.loads(request.body)
    assert envelope["data"]["reservation_id"] == reservation_id
    assert envelope["metadata"]["event_name"] == "reservation.created"
    # And the delivery log shows it, with the receiver's answer
    [delivery] = deliveries(client, ada.token, hook["webhook_id"])
    assert delivery["delivery_id"] == headers["x-webhook-id"]
    assert delivery["status"] == "succeeded"
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] == 200 and attempt["latency_ms"] >= 0
    assert attempt["response_excerpt"] == '{"ok": true}'


def test_other_users_bookings_never_reach_my_webhook(
    client: Client, pipeline: Pipeline, receiver: Receiver, admin_token: str
) -> None:
    ada, bea = person(client, "ada"), person(client, "bea")
    allow_loopback(client, admin_token, ada.user_id)
    subscribe(client, ada.token, receiver.url, ["*"])
    booked(client, bea.token, at(10), at(11))
    pipeline.run()
    names = [json.loads(r.body)["metadata"]["event_name"] for r in receiver.received]
    assert "resource.created" in names  # the catalogue is public
    assert not [n for n in names if n.startswith(("reservation.", "user."))]


def test_private_destinations_are_refused_unless_allow_listed(
    client: Client, pipeline: Pipeline, receiver: Receiver
) -> None:
    # Given a webhook on 127.0.0.1 and no allow-list entry
    ada = person(client, "ada")
    hook = subscribe(client, ada.token, receiver.url)
    booked(client, ada.token, at(10), at(11))
    pipeline.run()
    # Then nothing was sent; the delivery failed at once and sits in the deliveries DLQ
    assert receiver.received == []
    [delivery] = deliveries(client, ada.token, hook["webhook_id"])
    assert delivery["status"] == "failed"
    assert delivery["attempts"][0]["error"] == REFUSED
    [dead] = pipeline.dead_letters("reserver-webhook-deliveries")
    assert json.loads(dead["Body"])["delivery_id"] == delivery["delivery_id"]


def test_an_allow_list_entry_opens_the_network_to_its_owner_only(
    client: Client, pipeline: Pipeline, receiver: Receiver, admin_token: str
) -> None:
    # Given loopback allow-listed for Ada's webhooks, and Bea's webhook on the same receiver
    ada, bea = person(client, "ada"), person(client, "bea")
    allow_loopback(client, admin_token, ada.user_id, receiver.port)
    ada_hook = subscribe(client, ada.token, receiver.url)
    bea_hook = subscribe(client, bea.token, receiver.url)
    # When both ping
    for who, hook in ((ada, ada_hook), (bea, bea_hook)):
        path = f"{BASE}/{hook['webhook_id']}/test"
        assert send_json(client, "POST", path, None, who.token).status_code == 202
    pipeline.run()
    # Then only Ada's reached the private receiver; Bea's was refused with the generic text
    [received] = receiver.received
    assert json.loads(received.body)["data"]["webhook_id"] == ada_hook["webhook_id"]
    [refused] = deliveries(client, bea.token, bea_hook["webhook_id"])
    assert refused["status"] == "failed" and refused["attempts"][0]["error"] == REFUSED


def test_an_entry_for_one_webhook_does_not_open_its_owners_other_webhooks(
    client: Client, pipeline: Pipeline, receiver: Receiver, admin_token: str
) -> None:
    # Given two of Ada's webhooks, the first one allow-listed by id
    ada = person(client, "ada")
    first, second = (
        subscribe(client, ada.token, receiver.url),
        subscribe(client, ada.token, receiver.url),
    )
    body = {"network": "127.0.0.1/32", "webhook_id": first["webhook_id"]}
    assert send_json(client, "POST", ALLOW, body, admin_token).status_code == 201
    # When Ada books
    booked(client, ada.token, at(10), at(11))
    pipeline.run()
    # Then exactly one POST arrived, signed with the first webhook's secret
    [received] = receiver.received
    headers = {k.lower(): v for k, v in received.headers.items()}
    assert [d["status"] for d in deliveries(client, ada.token, second["webhook_id"])] == ["failed"]
    assert (
        deliveries(client, ada.token, first["webhook_id"])[0]["delivery_id"]
        == headers["x-webhook-id"]
    )


def test_an_entry_must_name_one_webhook_or_one_owner(
    client: Client, clock: FrozenClock, admin_token: str
) -> None:
    # An entry for everyone is refused, so is one naming both, or a webhook that does not exist
    for scope in ({}, {"owner_id": "u1", "webhook_id": "w1"}):
        refused = send_json(client, "POST", ALLOW, {"network": "10.0.0.0/8", **scope}, admin_token)
        assert refused.status_code == 422
        assert refused.json_body["error"]["code"] == "allowlist_scope_required"
    missing = {"network": "10.0.0.0/8", "webhook_id": "nope"}
    assert send_json(client, "POST", ALLOW, missing, admin_token).status_code == 404


def test_a_test_ping_is_queued_not_sent_inline(
    client: Client, pipeline: Pipeline, receiver: Receiver, admin_token: str
) -> None:
    ada = person(client, "ada")
    allow_loopback(client, admin_token, ada.user_id)
    hook = subscribe(client, ada.token, receiver.url)
    response = send_json(client, "POST", f"{BASE}/{hook['webhook_id']}/test", None, ada.token)
    assert response.status_code == 202
    assert response.json_body["status"] == "pending"
    assert receiver.received == []  # not inline
    pipeline.run()
    [ping] = receiver.received
    assert json.loads(ping.body)["metadata"]["event_name"] == "webhook.ping"


def test_redeliver_sends_the_same_payload_again_as_a_new_delivery(
    client: Client, pipeline: Pipeline, receiver: Receiver, admin_token: str
) -> None:
    ada = person(client, "ada")
    allow_loopback(client, admin_token, ada.user_id)
    hook = subscribe(client, ada.token, receiver.url)
    booked(client, ada.token, at(10), at(11))
    pipeline.run()
    [original] = deliveries(client, ada.token, hook["webhook_id"])
    path = f"{BASE}/{hook['webhook_id']}/deliveries/{original['delivery_id']}/redeliver"
    response = send_json(client, "POST", path, None, ada.token)
    assert response.status_code == 202
    assert response.json_body["redelivery_of"] == original["delivery_id"]
    pipeline.run()
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
    detail = client.http.get(
        f"{BASE}/{hook['webhook_id']}/deliveries/{original['delivery_id']}",
        headers=auth_headers(ada.token),
    )
    assert json.loads(detail.json_body["payload"])["data"]["user_id"] == ada.user_id
    missing = client.http.get(
        f"{BASE}/{hook['webhook_id']}/deliveries/nope", headers=auth_headers(ada.token)
    )
    assert missing.status_code == 404


def test_a_disabled_webhook_gets_nothing(
    client: Client, pipeline: Pipeline, receiver: Receiver, admin_token: str
) -> None:
    ada = person(client, "ada")
    allow_loopback(client, admin_token, ada.user_id)
    hook = subscribe(client, ada.token, receiver.url)
    send_json(client, "PATCH", f"{BASE}/{hook['webhook_id']}", {"active": False}, ada.token)
    booked(client, ada.token, at(10), at(11))
    pipeline.run()
    assert receiver.received == []
