"""Playwright helpers for the browser suite: launch Debian's chromium, drive the common
screens (sign in, register, menus), talk to the API directly for arrangements, screenshots.

Chromium comes from apt (/usr/bin/chromium); `playwright install` is never run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pyotp
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Test artefacts, not committed (tmp/ is ignored): look at them after a run.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "tmp" / "artefacts" / "screenshots"
TIMEOUT_MS = 8000
BROWSER_ZONE = "Europe/Paris"  # every page's time zone unless a test picks another

# The first administrator. The same credentials whether setup happens through the UI (the
# first test) or through the API (when that test is deselected), so later tests can sign in.
ADMIN_USERNAME = "site-admin"
ADMIN_PASSWORD = "Correct-Horse-42"
USER_PASSWORD = "Battery-Staple-77"


@dataclass(frozen=True)
class Site:
    """Where the stack under test lives."""

    frontend: str
    api: str
    ws: str
    setup_token: str | None = None  # printed by the stack while no administrator exists

    @classmethod
    def of(cls, stack: Any) -> Site:
        urls = stack.urls
        return cls(
            frontend=urls["frontend"], api=urls["api"], ws=urls["ws"], setup_token=stack.setup_token
        )


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@dataclass
class Console:
    """Uncaught page errors and console errors, except the browser's own 'failed to load'
    lines, which it prints for every 4xx the app handles on purpose (a 409, a 401...)."""

    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(f"console: {message.text}")


def new_page(
    browser: Browser, site: Site, *, timezone: str = BROWSER_ZONE, path: str = ""
) -> tuple[Page, Console]:
    """A fresh context (own sessionStorage) with a fixed time zone and viewport."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, timezone_id=timezone, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    console = Console()
    console.attach(page)
    page.goto(site.frontend.rstrip("/") + "/" + path)
    return page, console


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ---- the API, for arranging state quickly ---------------------------------------------------


class ApiClient:
    def __init__(self, base_url: str, setup_token: str | None = None) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10.0)
        self.setup_token = setup_token

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code < 400, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json() if response.content else None

    def setup_complete(self) -> bool:
        return bool(self.call("GET", "/api/v1/setup/status")["setup_complete"])

    def ensure_setup(self) -> None:
        """Without a first admin the site shows the setup screen instead of signing in."""
        if not self.setup_complete():
            assert self.setup_token, "setup is open but this client was given no setup token"
            body = {
                "setup_token": self.setup_token,
                "username": ADMIN_USERNAME,
                "password": ADMIN_PASSWORD,
            }
            self.call("POST", "/api/v1/setup/initialize", json=body)

    def ensure_admin(self) -> str:
        self.ensure_setup()
        return self.login(ADMIN_USERNAME, ADMIN_PASSWORD)

    def register(self, username: str, password: str = USER_PASSWORD) -> None:
        self.call("POST", "/api/v1/register", json={"username": username, "password": password})

    def login(self, username: str, password: str) -> str:
        body = {"username": username, "password": password}
        return str(self.call("POST", "/api/v1/token", json=body)["access_token"])

    def create_resource(self, token: str, name: str, **fields: Any) -> dict[str, Any]:
        body = {"name": name, "timezone": "Europe/Paris", **fields}
        result: dict[str, Any] = self.call("POST", "/api/v1/resources", token, json=body)
        return result


def unique(prefix: str) -> str:
    """Usernames and resource names that never collide between runs on a kept data dir."""
    return f"{prefix}-{time.time_ns() % 10**10:010d}"


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code of the current 30 s step (or a neighbouring one: the server accepts +-1)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


# ---- driving the UI -------------------------------------------------------------------------


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_role("tab", name="Sign in").click()
    form = page.get_by_role("form", name="Sign in")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()


def expect_dashboard(page: Page) -> None:
    expect(page.get_by_role("tab", name="Resources")).to_be_visible()
    expect(page.get_by_role("button", name="Account menu", exact=False)).to_be_visible()


def admin_area(
    browser: Browser, site: Site, api: ApiClient, area: str
) -> tuple[Page, Any, Console]:
    """The administrator signed in through the UI, on Admin > `area`: (page, its panel,
    the page's console)."""
    api.ensure_setup()
    page, console = new_page(browser, site)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect_dashboard(page)
    page.get_by_role("tab", name="Admin").click()
    page.get_by_role("tab", name=area).click()
    return page, page.get_by_role("tabpanel", name=area), console


def open_account_menu(page: Page, item: str) -> None:
    page.get_by_role("button", name="Account menu", exact=False).click()
    page.get_by_role("menuitem", name=item).click()


def sign_out(page: Page) -> None:
    open_account_menu(page, "Sign out")
    expect(page.get_by_role("tab", name="Sign in")).to_be_visible()


def settled(page: Page) -> None:
    """Wait until every list shows the answer to its latest query (no aria-busy left)."""
    busy = page.locator("[aria-busy='true']")
    try:
        expect(busy).to_have_count(0)
    except AssertionError as error:  # name the element that stayed busy
        outer = busy.first.evaluate("(node) => node.outerHTML.slice(0, 300)")
        raise AssertionError(f"still busy: {outer}") from error


def drag_across_hours(
    page: Page,
    block: Any,
    from_hour: float,
    to_hour: float,
    done: Callable[[], None],
    *,
    x_at: float = 0.5,
    scroll: str = "start",
) -> None:
    """Drag down the calendar grid from `from_hour` to `to_hour` hours below the top of
    `block` (an event whose height is one hour gives the scale), until `done()` stops raising
    AssertionError; `done` should check the selected window, not only that something opened.
    A live message may redraw the grid before or during a drag (the setup's own bookings
    arriving late), and a message box above the grid may appear or vanish under the pointer:
    the element is then gone, the drag lost or its end moved, so close what a wrong drag
    opened and drag again."""
    for attempt in range(3):
        if attempt and page.get_by_role("dialog").count():
            page.keyboard.press("Escape")
            expect(page.get_by_role("dialog")).to_have_count(0)
        block.evaluate(f"(node) => node.scrollIntoView({{block: '{scroll}'}})")
        box = block.bounding_box()
        if box is None:
            page.wait_for_timeout(500)
            continue
        hour = box["height"]
        x = box["x"] + box["width"] * x_at
        page.mouse.move(x, box["y"] + from_hour * hour + 3)
        page.mouse.down()
        page.mouse.move(x, box["y"] + (from_hour + to_hour) / 2 * hour, steps=5)
        page.mouse.move(x, box["y"] + to_hour * hour - 3, steps=4)
        page.mouse.up()
        try:
            done()
            return
        except AssertionError:
            if attempt == 2:
                raise


def resource_card(page: Page, name: str) -> Any:
    """Search for a resource on the Resources tab and return its card."""
    page.get_by_role("tab", name="Resources").click()
    page.get_by_label("Search resources").fill(name)
    settled(page)
    card = page.locator("li.resource", has_text=name)
    expect(card).to_have_count(1)
    return card


def fill_window(scope: Any, start: str, end: str) -> None:
    """Fill the datetime-local inputs (values like 2030-01-15T10:00)."""
    scope.get_by_label("Start").fill(start)
    scope.get_by_label("End").fill(end)


def signed_in_user(browser: Browser, site: Site, api: ApiClient) -> tuple[Page, str]:
    """A new user (registered through the API), signed in through the UI on the dashboard."""
    api.ensure_setup()
    username = unique("user")
    api.register(username)
    page, _ = new_page(browser, site)
    sign_in(page, username, USER_PASSWORD)
    expect_dashboard(page)
    # The app opens on the Dashboard tab; the tests that use this start from the catalogue.
    page.get_by_role("tab", name="Resources").click()
    return page, username


def browser_today() -> date:
    """Today in the browser's zone (`new_page`'s default), not the machine's: from 23:00 UTC
    on (22:00 in summer) Paris is a day ahead, and a grid opened on "today" starts there."""
    return datetime.now(ZoneInfo(BROWSER_ZONE)).date()


def day_after_tomorrow_at(hour: int, minute: int = 0) -> str:
    """A datetime-local value (browser time) safely in the future."""
    day = browser_today() + timedelta(days=2)
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def create_room(api: ApiClient, admin_token: str) -> dict[str, Any]:
    return api.create_resource(
        admin_token,
        unique("Room"),
        description="Projector and whiteboard",
        tags=["projector", "e2e"],
        capacity=8,
        location={"building": "North", "floor": "2", "room": "201"},
    )
