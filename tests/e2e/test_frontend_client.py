"""The frontend's own modules (api.js, time.js, dom.js) exercised inside the browser.

The page is the real static site; `fetch` is replaced by a scripted fake inside the page, so
the token refresh rules can be driven exactly (an expired token is hard to arrange for real).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.browser import Site, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# Installs window.fakeFetch: answers from a queue of [status, body] and records each call.
FAKE_FETCH = """
() => {
  window.calls = [];
  window.answers = [];
  window.fetch = async (url, init = {}) => {
    window.calls.push({url: String(url), method: init.method,
                       auth: init.headers?.Authorization ?? null, body: init.body ?? null});
    const none = [500, {error: {code: 'no_answer', message: 'x'}}];
    const [status, body] = window.answers.shift() ?? none;
    return new Response(body === null ? null : JSON.stringify(body),
                        {status, headers: {'Content-Type': 'application/json'}});
  };
}
"""


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    # A document of the site's origin that does not start the app (config.json): the modules
    # are imported on their own, and nothing else calls the fake fetch.
    page, _ = new_page(browser, site, timezone="Europe/Paris", path="config.json")
    page.evaluate(FAKE_FETCH)
    yield page
    page.context.close()


def run(page: Page, script: str) -> Any:
    """Evaluate an async function body with `api` (api.js), `time` and `dom` imported.

    The body is pasted into the evaluated function (the app's CSP forbids `new Function`).
    """
    return page.evaluate(
        "async () => {"
        " const load = (name) => import(new URL(name, document.baseURI).href);"
        " const [api, time, dom] = await Promise.all(['api.js', 'time.js', 'dom.js'].map(load));"
        f" {script} }}"
    )


def expired() -> list[Any]:
    return [401, {"error": {"code": "token_expired", "message": "expired", "details": None}}]


def tokens(n: int) -> list[Any]:
    return [
        200,
        {
            "access_token": f"access-{n}",
            "refresh_token": f"refresh-{n}",
            "token_type": "bearer",
            "expires_in": 900,
        },
    ]


def test_an_expired_access_token_is_refreshed_once_and_the_request_retried(page: Page) -> None:
    # Given a session whose access token the server now says is expired
    page.evaluate(
        "(answers) => { window.answers = answers; }",
        [tokens(1), expired(), tokens(2), [200, {"username": "ann"}]],
    )
    result = run(
        page,
        "const client = new api.Api('http://api.test');"
        "await client.signIn('ann', 'pw');"
        "const me = await client.get('/api/v1/users/me');"
        "const stored = sessionStorage.getItem('reserver.refresh_token');"
        "return {me, calls: window.calls, stored};",
    )
    # Then the request succeeded after one refresh with the stored refresh token
    calls = result["calls"]
    assert result["me"] == {"username": "ann"}
    assert [c["url"] for c in calls] == [
        "http://api.test/api/v1/token",
        "http://api.test/api/v1/users/me",
        "http://api.test/api/v1/token/refresh",
        "http://api.test/api/v1/users/me",
    ]
    assert calls[1]["auth"] == "Bearer access-1"
    assert calls[2]["body"] == '{"refresh_token":"refresh-1"}'
    assert calls[2]["auth"] is None
    assert calls[3]["auth"] == "Bearer access-2"
    # And the rotated refresh token replaced the old one
    assert result["stored"] == "refresh-2"


def test_concurrent_expired_requests_share_one_refresh(page: Page) -> None:
    # Given two requests that both meet an expired token
    page.evaluate(
        "(answers) => { window.answers = answers; }",
        [tokens(1), expired(), expired(), tokens(2), [200, {"n": 1}], [200, {"n": 2}]],
    )
    result = run(
        page,
        "const client = new api.Api('http://api.test');"
        "await client.signIn('ann', 'pw');"
        "await Promise.all([client.get('/a'), client.get('/b')]);"
        "return window.calls.map((c) => c.url);",
    )
    # Then the refresh token (one-shot: rotation) was presented once
    assert result.count("http://api.test/api/v1/token/refresh") == 1


def test_a_refused_refresh_ends_the_session(page: Page) -> None:
    # Given a session whose refresh token was reused elsewhere
    reused = [
        401,
        {"error": {"code": "refresh_token_reused", "message": "reused", "details": None}},
    ]
    page.evaluate("(answers) => { window.answers = answers; }", [tokens(1), expired(), reused])
    result = run(
        page,
        "const client = new api.Api('http://api.test');"
        "let ended = null; client.onSignedOut((e) => { ended = e.code; });"
        "await client.signIn('ann', 'pw');"
        "let error = null;"
        "try { await client.get('/api/v1/users/me'); } catch (e) { error = e.code; }"
        "return {error, ended, stored: sessionStorage.getItem('reserver.refresh_token'),"
        " signedIn: client.signedIn};",
    )
    # Then the error surfaces, the listeners hear it, and no token is left behind
    assert result == {
        "error": "refresh_token_reused",
        "ended": "refresh_token_reused",
        "stored": None,
        "signedIn": False,
    }


def test_a_wrong_password_is_an_error_not_a_sign_out(page: Page) -> None:
    # Given a signed-in session and an endpoint answering 401 for a wrong current password
    wrong = [401, {"error": {"code": "invalid_credentials", "message": "wrong", "details": None}}]
    page.evaluate("(answers) => { window.answers = answers; }", [tokens(1), wrong])
    result = run(
        page,
        "const client = new api.Api('http://api.test');"
        "await client.signIn('ann', 'pw');"
        "let error = null;"
        "try { await client.post('/api/v1/users/me/password', {}); }"
        " catch (e) { error = [e.status, e.code, e.message]; }"
        "return {error, signedIn: client.signedIn, calls: window.calls.length};",
    )
    # Then the error is reported, no refresh was attempted and the session stays
    assert result == {"error": [401, "invalid_credentials", "wrong"], "signedIn": True, "calls": 2}


def test_local_times_get_the_browsers_offset_for_that_date(page: Page) -> None:
    # Given a browser in Europe/Paris (UTC+1 in winter, UTC+2 in summer)
    result = run(
        page,
        "return ['2030-01-15T10:00', '2030-07-15T10:00', '2030-03-31T02:30']"
        ".map(time.localInputToIso);",
    )
    # Then each gets the offset in force on its own date; a time inside the DST gap moves on
    assert result == [
        "2030-01-15T10:00:00+01:00",
        "2030-07-15T10:00:00+02:00",
        "2030-03-31T03:30:00+02:00",
    ]


def test_error_messages_and_details_are_rendered_as_text(page: Page) -> None:
    # Given an API error whose message and conflict details contain markup
    result = run(
        page,
        "const box = dom.errorBox(); document.body.append(box);"
        "const conflicts = [{start_time: '2030-01-15T09:00:00Z',"
        " end_time: '2030-01-15T10:00:00Z'}];"
        "dom.showError(box, new api.ApiError(409, 'reservation_conflict',"
        " '<img src=x onerror=alert(1)>', {conflicts}));"
        "return {text: box.textContent, images: box.querySelectorAll('img').length,"
        " role: box.getAttribute('role'), hidden: box.hidden};",
    )
    # Then it is shown as text, in an alert region, with the code and the conflicting window
    assert result["images"] == 0
    assert "<img src=x onerror=alert(1)>" in result["text"]
    assert "(reservation_conflict)" in result["text"]
    assert "15 Jan 2030, 10:00" in result["text"]
    assert (result["role"], result["hidden"]) == ("alert", False)
