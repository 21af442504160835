"""The Import / export screen (issue 14): a user checks a CSV with a bad row (dry run: the row
named, nothing booked), fixes it, checks again, imports it, and exports their reservations."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import (
    USER_PASSWORD,
    ApiClient,
    Site,
    browser_today,
    screenshot,
    signed_in_user,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _file(tmp_path: Path, room: str, *, bad: bool) -> Path:
    day = (browser_today() + timedelta(days=4)).isoformat()
    second_end = "noon" if bad else f"{day}T11:00:00Z"
    path = tmp_path / ("bad.csv" if bad else "good.csv")
    path.write_text(
        "resource,start,end,title\n"
        f"{room},{day}T09:00:00Z,{day}T10:00:00Z,Planning\n"
        f"{room},{day}T10:00:00Z,{second_end},Review\n"
    )
    return path


def test_a_user_checks_fixes_imports_and_exports(
    browser: Browser, site: Site, api: ApiClient, room: dict[str, Any], tmp_path: Path
) -> None:
    page, username = signed_in_user(browser, site, api)
    token = api.login(username, USER_PASSWORD)
    page.get_by_role("tab", name="Import / export").click()
    panel = page.get_by_role("tabpanel", name="Import / export")
    upload = panel.get_by_label("CSV file (max 1 MB, 1000 rows)")
    # Given a file whose row 2 has a bad end time, When it is checked
    upload.set_input_files(str(_file(tmp_path, str(room["name"]), bad=True)))
    panel.get_by_role("button", name="Check (dry run)").click()
    # Then row 2's end column is named, and nothing is booked
    problems = panel.get_by_role("table", name="problem(s)")
    expect(problems.get_by_role("row", name="2")).to_contain_text("end")
    screenshot(page, "99-import-dry-run-problems")
    # When the fixed file is checked, then imported
    upload.set_input_files(str(_file(tmp_path, str(room["name"]), bad=False)))
    panel.get_by_role("button", name="Check (dry run)").click()
    expect(panel.get_by_role("table", name="Would be booked").locator("tbody tr")).to_have_count(2)
    assert api.call("GET", "/api/v1/reservations/my", token)["items"] == []
    panel.get_by_role("button", name="Import", exact=True).click()
    expect(panel.get_by_text("Imported 2 reservation(s).")).to_be_visible()
    assert len(api.call("GET", "/api/v1/reservations/my", token)["items"]) == 2
    # When they export, Then a CSV with their two reservations is downloaded
    with page.expect_download() as download:
        panel.get_by_role("button", name="Export CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("reservation_id,") and len(lines) == 3
    page.context.close()
