"""The Webhooks screen: create with the event picker (the secret shown once really signs the
deliveries), a test ping to a failing receiver in the delivery log with its status and the
receiver's answer, redeliver once it answers; the admin's allow-list section."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from chalicelib.domain.pipeline.webhooks import verify
from tests.e2e.browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    ApiClient,
    Site,
    expect_dashboard,
    new_page,
    screenshot,
    sign_in,
    signed_in_user,
)
from tests.e2e.helpers import eventually
from tests.integration.webhook_receiver import Receiver, running_receiver

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT = 30.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def test_a_user_manages_a_webhook_and_reads_its_delivery_log(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str, receiver: Receiver
) -> None:
    # Given a receiver that fails for now, with a body that says why
    receiver.status = 503
    receiver.reply = b'{"error": "receiver is down for maintenance"}'
    page, _ = signed_in_user(browser, site, api)
    page.get_by_role("tab", name="Webhooks").click()
    panel = page.get_by_role("tabpanel", name="Webhooks")
    # When the user creates a webhook for one event through the picker
    panel.get_by_role("button", name="New webhook").click()
    dialog = page.get_by_role("dialog", name="New webhook")
    dialog.get_by_label("URL").fill(receiver.url)
    dialog.get_by_label("Description").fill("<b>CI</b> hook")
    dialog.get_by_label("reservation.created", exact=True).check()
    screenshot(page, "50-webhook-new")
    dialog.get_by_role("button", name="Create webhook").click()
    # Then the secret is shown once, in its own dialog
    shown = page.get_by_role("dialog", name="Webhook created: its signing secret")
    secret = shown.get_by_label("Signing secret").input_value()
    assert len(secret) >= 32
    screenshot(page, "51-webhook-secret-once")
    shown.get_by_role("button", name="Done").click()
    card = panel.locator("li.webhook", has_text=receiver.url)
    expect(card).to_contain_text("reservation.created")
    expect(card).to_contain_text("<b>CI</b> hook")  # text, never markup
    hook_id = card.get_attribute("data-webhook-id")
    # And an admin allows the local receiver for this webhook only (SSRF allow-list)
    allow = {"network": "127.0.0.1/32", "port": receiver.port, "webhook_id": hook_id}
    api.call("POST", "/api/v1/admin/webhook-allowlist", admin_api_token, json=allow)
    # When they send a test ping, Then the delivery log shows the failed attempt and the answer
    card.get_by_role("button", name=f"Send test: {receiver.url}").click()
    eventually(lambda: receiver.received, WAIT)
    card.get_by_role("button", name=f"Deliveries: {receiver.url}").click()
    log = page.get_by_role("dialog", name=f"Deliveries: {receiver.url}")
    rows = log.locator("tbody tr")

    def attempted() -> bool:
        log.get_by_role("button", name="Refresh").click()
        return "HTTP 503" in (rows.first.text_content(timeout=5000) or "")

    eventually(attempted, WAIT, every=1.0)
    first = rows.first
    expect(first).to_contain_text("receiver is down for maintenance")
    expect(first).to_have_attribute("data-status", "retrying")
    screenshot(page, "52-webhook-deliveries")
    # And the delivery that reached the receiver is signed with the secret shown once
    sent = receiver.received[0]
    headers = {k.lower(): v for k, v in sent.headers.items()}
    signature = headers["x-webhook-signature"]
    assert verify(secret, signature, sent.body, now=int(signature.split(",")[0][2:]))
    # When the receiver recovers and they redeliver, Then a new, successful delivery is listed
    receiver.status = 200
    receiver.reply = b'{"ok": true}'
    first.get_by_role("button", name="Redeliver", exact=False).click()

    def redelivered() -> bool:
        log.get_by_role("button", name="Refresh").click()
        return log.locator('tbody tr[data-status="succeeded"]').count() >= 1

    eventually(redelivered, WAIT, every=1.0)
    expect(log.locator('tbody tr[data-status="succeeded"]').first).to_contain_text("redelivery")
    log.get_by_role("button", name="Close").click()
    # When they delete it (confirmed), Then it is gone
    card.get_by_role("button", name=f"Delete: {receiver.url}").click()
    page.get_by_role("dialog", name="Delete webhook").get_by_role("button", name="Delete").click()
    expect(card).to_have_count(0)
    page.context.close()


def test_the_admin_sees_the_allow_list_on_the_webhooks_screen(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str
) -> None:
    page, console = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="Webhooks").click()
    section = page.get_by_role("region", name="Private networks webhooks may reach")
    form = section.get_by_role("form", name="Allow a private network")
    form.get_by_label("Network (IP or CIDR)").fill("10.9.8.0/24")
    form.get_by_label("Port (optional)").fill("8443")
    form.get_by_label("For").select_option("owner")
    form.get_by_label("Id", exact=True).fill("01NOSUCHOWNER0000000000000")
    form.get_by_label("Note").fill("e2e lab")
    form.get_by_role("button", name="Allow").click()
    entry = section.locator("li.row-item", has_text="10.9.8.0/24:8443")
    expect(entry).to_contain_text("e2e lab")
    screenshot(page, "53-webhook-allowlist")
    entry.get_by_role("button", name="Remove 10.9.8.0/24").click()
    expect(entry).to_have_count(0)
    assert console.errors == []
    page.context.close()
