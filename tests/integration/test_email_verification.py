"""Issue 9, finding 14: an address gets no mail and no calendar invitation until its owner
follows a signed, expiring, single-use link; the link's page changes nothing by itself."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from chalice.test import Client

from app import app
from chalicelib import wiring
from chalicelib.api.schemas.auth import UserOut
from chalicelib.domain.clock import FrozenClock
from chalicelib.domain.pipeline import events as ev
from chalicelib.domain.pipeline.events import DomainEvent, EventMetadata
from chalicelib.domain.principal import Principal
from tests.factories import error_code, post_json, send_json
from tests.integration.pipeline_driver import Pipeline
from tests.integration.pipeline_kit import Person, mail_to, person, text_of
from tests.integration.reservations_kit import at, booked, create_resource

CONFIRM = "/api/v1/auth/verify-email"
RESEND = "/api/v1/users/me/email/verification"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def pipeline(client: Client, clock: FrozenClock) -> Pipeline:
    create_resource("room-1")
    return Pipeline(app)


def link_token(address: str, nth: int = -1) -> str:
    """The token of the nth verification mail to `address` (the newest by default)."""
    links = [m for m in mail_to(address) if m["Subject"] == "Confirm your email address"]
    found = re.search(r"token=(\S+)", text_of(links[nth]))
    assert found, text_of(links[nth])
    return unquote(found.group(1))


def verified(client: Client, who: Person) -> bool:
    """What GET /users/me says (read from the store: the token may have expired meanwhile)."""
    return UserOut.from_domain(wiring.accounts().profile(_as(who))).email_verified


def _as(who: Person) -> Principal:
    return Principal(subject_id=who.user_id, username=who.username, roles=frozenset())


def confirm(client: Client, token: str) -> object:
    return post_json(client, CONFIRM, {"token": token})


def test_registration_mails_only_the_link_until_it_is_confirmed(
    client: Client, pipeline: Pipeline, clock: FrozenClock
) -> None:
    # Given Ada registered with an address she has not verified
    ada = person(client, "ada", verified=False)
    assert not verified(client, ada)
    # When she books and the pipeline runs
    booked(client, ada.token, at(10), at(11))
    pipeline.run()
    # Then the only mail her address got is the verification link (no confirmation, no .ics)
    [only] = mail_to("ada@example.com")
    assert only["Subject"] == "Confirm your email address"
    assert f"http://127.0.0.1:8000{CONFIRM}?token=" in text_of(only)
    # And nothing was dead-lettered: a skipped recipient is not a failure
    assert pipeline.dead_letters("reserver-email") == []
    # When she confirms with the link's token and books again
    answer = confirm(client, link_token("ada@example.com"))
    assert answer.status_code == 200, answer.body  # type: ignore[attr-defined]
    assert answer.json_body == {"email": "ada@example.com", "email_verified": True}  # type: ignore[attr-defined]
    assert verified(client, ada)
    booked(client, ada.token, at(12), at(13))
    pipeline.run()
    # Then the confirmation with its invitation arrives
    subjects = [m["Subject"] for m in mail_to("ada@example.com")]
    assert subjects == ["Confirm your email address", "Reservation confirmed: Resource room-1"]


def test_the_email_worker_records_why_an_unverified_recipient_got_nothing(
    client: Client, clock: FrozenClock
) -> None:
    ada = person(client, "ada", verified=False)
    event = DomainEvent(
        data={"reservation_id": "r1", "resource_id": "room-1", "user_id": ada.user_id},
        metadata=EventMetadata(ev.RESERVATION_CREATED, "e1", "c1", clock.now()),
    )
    report = wiring.email().deliver(event)
    assert report.sent == 0
    assert report.skipped == [(ada.user_id, "address_not_verified")]


def test_the_links_page_changes_nothing_until_its_button_is_pressed(
    client: Client, pipeline: Pipeline
) -> None:
    # Given the link mailed to Ada
    ada = person(client, "ada", verified=False)
    pipeline.run()
    token = link_token("ada@example.com")
    # When the link is opened (a browser, or a mail scanner following it)
    page = client.http.get(f"{CONFIRM}?token={token}")
    # Then a page with a button comes back, locked down, and the address is still unverified
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    body = page.body.decode()
    assert '<form method="post" action="/api/v1/auth/verify-email">' in body
    assert 'name="token"' in body and "<script" not in body
    assert not verified(client, ada)
    # When the button posts the form, Then the address is verified and a page says so
    done = client.http.post(CONFIRM, headers=FORM, body=f"token={token}")
    assert done.status_code == 200 and "Address verified" in done.body.decode()
    assert verified(client, ada)
    # And the link works once
    again = client.http.post(CONFIRM, headers=FORM, body=f"token={token}")
    assert again.status_code == 422 and "did not work" in again.body.decode()
    assert error_code(confirm(client, token)) == "invalid_verification_token"


def test_forged_expired_and_replaced_links_are_refused(
    client: Client, pipeline: Pipeline, clock: FrozenClock
) -> None:
    ada = person(client, "ada", verified=False)
    pipeline.run()
    first = link_token("ada@example.com")
    # A token whose MAC was changed, or that is not a token at all
    forged = first[:-4] + ("AAAA" if not first.endswith("AAAA") else "BBBB")
    for bad in (forged, "v1.x.y.1.z", "nonsense"):
        response = confirm(client, bad)
        assert response.status_code == 422 and error_code(response) == "invalid_verification_token"
    # A new link (asked for a minute later) replaces the first
    clock.advance(timedelta(minutes=1))
    assert post_json(client, RESEND, {}, ada.token).status_code == 202
    pipeline.run()
    second = link_token("ada@example.com")
    assert second != first
    assert error_code(confirm(client, first)) == "invalid_verification_token"
    # And a link is good for 24 hours only
    clock.advance(timedelta(hours=24))
    expired = confirm(client, second)
    assert expired.status_code == 410 and error_code(expired) == "verification_link_expired"
    assert not verified(client, ada)


def test_resending_is_limited_and_needs_an_unverified_address(
    client: Client, pipeline: Pipeline, clock: FrozenClock
) -> None:
    ada = person(client, "ada", verified=False)
    pipeline.run()
    # A resend right after registration's mail is refused for a minute (no inbox flooding)
    soon = post_json(client, RESEND, {}, ada.token)
    assert soon.status_code == 429 and error_code(soon) == "verification_recently_sent"
    clock.advance(timedelta(seconds=61))
    assert post_json(client, RESEND, {}, ada.token).status_code == 202
    pipeline.run()
    assert len(mail_to("ada@example.com")) == 2
    assert confirm(client, link_token("ada@example.com")).status_code == 200
    done = post_json(client, RESEND, {}, ada.token)
    assert done.status_code == 409 and error_code(done) == "email_already_verified"
    bea = person(client, "bea", email_address=None)
    none = post_json(client, RESEND, {}, bea.token)
    assert none.status_code == 409 and error_code(none) == "no_email"


def test_a_changed_address_is_unverified_until_its_own_link_is_used(
    client: Client, pipeline: Pipeline
) -> None:
    # Given Ada's verified address
    ada = person(client, "ada")
    assert verified(client, ada)
    # When she changes it
    changed = send_json(
        client, "PATCH", "/api/v1/users/me", {"email": "ada@new.example"}, ada.token
    )
    assert changed.status_code == 200 and changed.json_body["email_verified"] is False
    booked(client, ada.token, at(10), at(11))
    pipeline.run()
    # Then the new address gets only its link, the old one nothing more
    assert [m["Subject"] for m in mail_to("ada@new.example")] == ["Confirm your email address"]
    assert mail_to("ada@example.com") == []
    # And re-saving the same address keeps it as verified as it was
    assert confirm(client, link_token("ada@new.example")).status_code == 200
    same = send_json(client, "PATCH", "/api/v1/users/me", {"email": "ada@new.example"}, ada.token)
    assert same.json_body["email_verified"] is True
