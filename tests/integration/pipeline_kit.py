"""Factories for the pipeline tests: people with mailboxes, bookings, mail read back from
moto's SES, and fakes for the collaborators a test needs to break."""

from __future__ import annotations

import email
import json
from dataclasses import dataclass
from email.message import Message
from typing import Any

from chalice.test import Client
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.integrations.mailer import OutgoingEmail
from tests.factories import auth_headers, login, register, send_json
from tests.fakes.outbound import InMemoryMailer


@dataclass(frozen=True)
class Person:
    username: str
    token: str
    user_id: str
    email: str | None


def person(
    client: Client, username: str, *, email_address: str | None = "default", verified: bool = True
) -> Person:
    """A registered, signed-in user (role user); by default with `<username>@example.com`,
    verified (`verified=False`: as registration leaves it, no mail until the link is used)."""
    address = f"{username}@example.com" if email_address == "default" else email_address
    profile = register(client, username, email=address, verified=verified)
    token = str(login(client, username)["access_token"])
    return Person(username, token, str(profile["id"]), address)


def set_preferences(client: Client, who: Person, **prefs: Any) -> None:
    response = send_json(client, "PATCH", "/api/v1/users/me", prefs, who.token)
    assert response.status_code == 200, response.body


def notifications(client: Client, token: str, query: str = "") -> dict[str, Any]:
    response = client.http.get(f"/api/v1/notifications{query}", headers=auth_headers(token))
    assert response.status_code == 200, response.body
    body: dict[str, Any] = response.json_body
    return body


def sent_mail() -> list[Message]:
    """What moto's SES accepted, parsed (tests read it back from the backend)."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [email.message_from_string(m.raw_data) for m in backend.sent_messages]


def mail_to(address: str) -> list[Message]:
    return [m for m in sent_mail() if m["To"] == address]


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode() if isinstance(payload, bytes) else str(payload)
    return ""


class FlakyMailer(InMemoryMailer):
    """Fails the first `times` sends to each address in `fail_once_for`, then works."""

    def __init__(self, fail_once_for: set[str], *, times: int = 1) -> None:
        super().__init__()
        self._pending = dict.fromkeys(fail_once_for, times)
        self.failures = 0

    def send(self, message: OutgoingEmail) -> str:
        if self._pending.get(message.to, 0) > 0:
            self._pending[message.to] -= 1
            self.failures += 1
            raise ConnectionError("SES is having a moment")
        return super().send(message)


class RefusingEventBridge:
    """Wraps the real (moto) client; refuses the first `refusals` entries it sees."""

    def __init__(self, real: Any, refusals: int) -> None:
        self._real = real
        self._refusals = refusals
        self.calls = 0

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls += 1
        results: list[dict[str, Any]] = []
        accepted = []
        for entry in Entries:
            if self._refusals > 0:
                self._refusals -= 1
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                accepted.append(entry)
                results.append({"EventId": "pending"})
        if accepted:
            self._real.put_events(Entries=accepted)
        failed = sum(1 for r in results if "ErrorCode" in r)
        return {"FailedEntryCount": failed, "Entries": results}


def event_names(bodies: list[dict[str, Any]]) -> list[str]:
    return sorted(str(b["detail"]["metadata"]["event_name"]) for b in bodies)


def detail(body: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(body)["detail"]
    return parsed
