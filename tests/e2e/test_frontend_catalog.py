"""Locations, labels and saved searches in the web app (catalog14): an admin builds a small
tree and moves a building; a user sees label chips, filters by a label, saves the search and
runs it again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    ApiClient,
    Site,
    expect_dashboard,
    new_page,
    screenshot,
    settled,
    sign_in,
    signed_in_user,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_admin_builds_and_reshapes_the_location_tree(
    browser: Browser, site: Site, api: ApiClient
) -> None:
    api.ensure_setup()
    page, console = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="Admin").click()
    page.get_by_role("tab", name="Locations").click()
    panel = page.get_by_role("tabpanel", name="Locations")
    hq, north = unique("HQ"), unique("North")
    # When the admin creates a site, then a building inside it
    # exact: the tree's "Rename: <group>" buttons match "Name" too once other tests made groups
    panel.get_by_label("Name", exact=True).fill(hq)
    panel.get_by_label("Kind", exact=True).select_option("site")
    panel.get_by_role("button", name="Create").click()
    panel.get_by_role("button", name=f"Add child: {hq}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name", exact=True).fill(north)
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Then the building is nested under the site
    site_node = panel.locator("li.tree-node", has_text=hq).first
    expect(site_node.locator("li.tree-node", has_text=north)).to_have_count(1)
    settled(page)
    screenshot(page, "90-catalog-locations-tree")
    # When it moves to the top level, Then it is a root of its own
    panel.get_by_role("button", name=f"Move: {north}").click()
    page.get_by_role("dialog").get_by_label("New parent").select_option("")
    page.get_by_role("dialog").get_by_role("button", name="Move").click()
    expect(site_node.locator("li.tree-node", has_text=north)).to_have_count(0)
    expect(panel.locator("li.tree-node", has_text=north)).to_have_count(1)
    assert console.errors == []
    page.context.close()


def test_label_chips_filter_and_saved_search(
    browser: Browser, site: Site, api: ApiClient, admin_api_token: str
) -> None:
    # Given two rooms, one labelled equipment:projector
    token = admin_api_token
    category = unique("eq")
    label = api.call(
        "POST", "/api/v1/labels", token, json={"name": f"{category}:projector", "color": "#1f77b4"}
    )
    with_projector = api.create_resource(token, unique("Lab"))
    api.create_resource(token, unique("Lab"))
    api.call(
        "PUT",
        f"/api/v1/labels/resources/{with_projector['resource_id']}",
        token,
        json={"label_ids": [label["label_id"]]},
    )
    page, _ = signed_in_user(browser, site, api)
    panel = page.get_by_role("tabpanel", name="Resources")
    # When the user ticks the label in the filter
    panel.get_by_role("checkbox", name=label["name"]).check()
    settled(page)
    # Then only the labelled room is listed, with its chip
    cards = panel.locator("li.resource")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(str(with_projector["name"]))
    expect(cards.first.get_by_role("list", name="Labels")).to_contain_text(label["name"])
    # When they save the search, drop the filter, and run the saved search
    name: str = unique("Projectors")
    panel.get_by_label("Name this search").fill(name)
    panel.get_by_role("button", name="Save search").click()
    expect(panel.get_by_role("button", name=f"Run saved search {name}")).to_be_visible()
    panel.get_by_role("checkbox", name=label["name"]).uncheck()
    settled(page)
    expect(cards).not_to_have_count(1)
    panel.get_by_role("button", name=f"Run saved search {name}").click()
    settled(page)
    # Then the filter is back: ticked, and the list holds the labelled room only
    expect(panel.get_by_role("checkbox", name=label["name"])).to_be_checked()
    expect(cards).to_have_count(1)
    screenshot(page, "91-catalog-labels-saved-search")
    page.context.close()
