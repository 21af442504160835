"""The admin metrics panel in the browser (issue 15): the counters of a window and each
worker queue, read from the same summary the API and `rr admin metrics` give."""

from __future__ import annotations

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
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_admin_reads_the_metrics_of_a_window(site: Site, browser: Browser, api: ApiClient) -> None:
    # Given the administrator signed in (which made requests of its own)
    api.ensure_setup()
    page, console = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    # When they open Admin > Metrics
    page.get_by_role("tab", name="Admin").click()
    page.get_by_role("tab", name="Metrics").click()
    panel = page.get_by_role("tabpanel", name="Metrics")
    # Then the counters of the last hour and every worker queue are shown
    queues = panel.get_by_role("table", name="Worker queues")
    expect(queues).to_be_visible()
    for queue in TOPOLOGY.queues:
        expect(queues.get_by_role("row", name=queue.name)).to_be_visible()
    expect(panel.locator("dl.meta")).to_contain_text("Requests")
    requests = panel.locator("dl.meta dd").first
    assert int(requests.inner_text()) > 0
    screenshot(page, "60-admin-metrics")
    # When they widen the window, Then the panel reads it again
    panel.get_by_label("Window").select_option("1440")
    expect(panel.get_by_text("(whole minutes)")).to_be_visible()
    assert console.errors == []
    page.context.close()
