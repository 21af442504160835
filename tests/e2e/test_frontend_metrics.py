"""The admin metrics panel in the browser (issue 15): the counters of a window and each
worker queue, read from the same summary the API and `rr admin metrics` give."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from chalicelib.topology import TOPOLOGY
from tests.e2e.browser import (
    ApiClient,
    Site,
    admin_area,
    screenshot,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_admin_reads_the_metrics_of_a_window(site: Site, browser: Browser, api: ApiClient) -> None:
    # Given the administrator signed in (which made requests of its own), on Admin > Metrics
    page, panel, console = admin_area(browser, site, api, "Metrics")
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
