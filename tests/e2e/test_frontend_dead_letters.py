"""The admin's jobs and dead letters screen: a poison message is inspected in the browser and
redriven; a job runs now and shows its result."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from chalicelib.topology import TOPOLOGY
from tests.e2e.browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    ApiClient,
    Site,
    expect_dashboard,
    new_page,
    screenshot,
    sign_in,
    unique,
)
from tests.e2e.helpers import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_a_poison_message_is_inspected_and_redriven_in_the_browser(
    site: Site, browser: Browser, api: ApiClient, admin_api_token: str, sqs: Any
) -> None:
    # Given a message the audit worker cannot read, retried until it lands in its DLQ
    queue = TOPOLOGY.queue("reserver-audit")
    url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
    marker = unique("poison")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"not": "an event", "m": marker}))

    def dead() -> bool:
        queues = api.call("GET", "/api/v1/admin/dead-letters", admin_api_token)
        return any(marker in m["body_excerpt"] for q in queues for m in q["messages"])

    eventually(dead, 90.0, every=1.0)
    # When the admin opens Jobs and dead letters
    page, console = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="Admin").click()
    page.get_by_role("tab", name="Jobs and dead letters").click()
    # Then the queue's card lists the message with its tries
    card = page.get_by_role("article", name=f"Dead letters of {queue.name}")
    letter = card.locator("tbody tr", has_text=marker)
    expect(letter).to_have_count(1)
    tries = int(letter.locator("td").nth(2).text_content() or "0")
    assert tries >= queue.max_receive_count
    screenshot(page, "57-admin-dead-letters")
    # When they redrive it (confirmed), Then the message moves back to the worker's queue
    card.get_by_role("button", name=f"Redrive {queue.name}").click()
    page.get_by_role("dialog", name=f"Redrive {queue.name}").get_by_role(
        "button", name="Redrive"
    ).click()
    expect(page.locator("#toast")).to_contain_text(f"moved back to {queue.name}")
    # And a job runs now and tells its result
    job = page.locator('li[data-job="expire-reservations"]')
    job.get_by_role("button", name="Run now: expire-reservations").click()
    expect(job.get_by_role("status")).to_contain_text("Ran ")
    screenshot(page, "58-admin-jobs")
    assert console.errors == []
    page.context.close()
