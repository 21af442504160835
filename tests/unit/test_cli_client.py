"""The CLI's HTTP client over an in-memory httpx transport (a fake server, not a mock)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from cli.client import ApiClient, ApiError, CliError, resolve_api_url
from cli.config import Credentials, CredentialStore

API = "http://api.test"
Handler = Callable[[httpx.Request], httpx.Response]


class FakeApi:
    """Answers like the real API: bearer `good-N` is valid, refresh `r-N` rotates to N+1."""

    def __init__(self, valid_access: str = "good-1") -> None:
        self.valid_access = valid_access
        self.requests: list[httpx.Request] = []
        self.refreshes = 0
        self.before: Callable[[httpx.Request], httpx.Response | None] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.before is not None and (early := self.before(request)) is not None:
            return early
        if request.url.path == "/api/v1/token/refresh":
            self.refreshes += 1
            body = json.loads(request.content)
            if body["refresh_token"] != f"r-{self.refreshes}":
                return _error(401, "refresh_token_reused", "reused")
            self.valid_access = f"good-{self.refreshes + 1}"
            return httpx.Response(
                200,
                json={
                    "access_token": self.valid_access,
                    "refresh_token": f"r-{self.refreshes + 1}",
                    "token_type": "bearer",
                    "expires_in": 900,
                },
            )
        if request.headers.get("Authorization") != f"Bearer {self.valid_access}":
            return _error(401, "token_expired", "expired")
        return httpx.Response(200, json={"username": "alice"})


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": code, "message": message, "details": None}}
    )


def make_client(tmp_path: Path, handler: Handler, access: str = "good-1") -> ApiClient:
    store = CredentialStore(tmp_path)
    store.save(API, Credentials("alice", access, "r-1"))
    return ApiClient(API, store, transport=httpx.MockTransport(handler))


def test_requests_carry_the_channel_and_the_bearer(tmp_path: Path) -> None:
    api = FakeApi()
    client = make_client(tmp_path, api)
    assert client.get("users/me") == {"username": "alice"}
    sent = api.requests[0]
    assert sent.url.path == "/api/v1/users/me"
    assert sent.headers["X-Client-Channel"] == "cli"
    assert sent.headers["Authorization"] == "Bearer good-1"


def test_a_401_refreshes_once_and_retries(tmp_path: Path) -> None:
    # Given a stored access token the API no longer accepts
    api = FakeApi(valid_access="good-2")
    client = make_client(tmp_path, api, access="stale")
    # When a request is made, Then the client refreshes, retries, and stores the new pair
    assert client.get("users/me") == {"username": "alice"}
    assert api.refreshes == 1
    stored = client.credentials()
    assert stored is not None and (stored.access_token, stored.refresh_token) == ("good-2", "r-2")


def test_a_refresh_by_another_process_is_reused_not_repeated(tmp_path: Path) -> None:
    # Given another rr process rotates the tokens while our request is in flight
    api = FakeApi(valid_access="good-9")
    client = make_client(tmp_path, api, access="stale")

    def other_process_refreshes(request: httpx.Request) -> httpx.Response | None:
        if request.headers.get("Authorization") == "Bearer stale":
            client.store.save(API, Credentials("alice", "good-9", "r-9"))
        return None

    api.before = other_process_refreshes
    # When our request gets its 401, Then we use the new token without presenting r-1 again
    assert client.get("users/me") == {"username": "alice"}
    assert api.refreshes == 0


def test_a_refused_refresh_signs_out_with_a_clear_message(tmp_path: Path) -> None:
    api = FakeApi(valid_access="nobody")
    client = make_client(tmp_path, api, access="stale")
    client.store.save(API, Credentials("alice", "stale", "r-old"))
    with pytest.raises(CliError, match=r"session has ended.*rr auth login alice"):
        client.get("users/me")
    assert client.credentials() is None


def test_api_errors_keep_code_message_details_and_retry_after(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429,
            headers={"Retry-After": "7"},
            json={
                "error": {"code": "too_many_attempts", "message": "slow down", "details": {"n": 5}}
            },
        )

    client = make_client(tmp_path, handler)
    with pytest.raises(ApiError) as caught:
        client.post("token", json={}, auth=False)
    error = caught.value
    assert (error.status, error.code, error.message) == (429, "too_many_attempts", "slow down")
    assert (error.details, error.retry_after) == ({"n": 5}, "7")


def test_a_non_json_error_is_still_an_api_error(tmp_path: Path) -> None:
    client = make_client(tmp_path, lambda r: httpx.Response(502, text="<html>bad gateway"))
    with pytest.raises(ApiError, match="HTTP 502"):
        client.get("/health", auth=False)


def test_a_listed_error_status_returns_its_body(tmp_path: Path) -> None:
    client = make_client(tmp_path, lambda r: httpx.Response(503, json={"status": "degraded"}))
    assert client.get("/health", auth=False, also_ok=(503,)) == {"status": "degraded"}


def test_idempotent_posts_are_resent_with_the_same_key_after_a_timeout(tmp_path: Path) -> None:
    # Given the first attempt times out after reaching the server
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Idempotency-Key"])
        if len(seen) == 1:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(201, json={"id": "R1"})

    client = make_client(tmp_path, handler)
    # When posting with a key, Then the retry carries the same key and the result comes back
    assert client.post("reservations", json={}, idempotency_key="k-1") == {"id": "R1"}
    assert seen == ["k-1", "k-1"]


def test_posts_without_a_key_are_not_resent(tmp_path: Path) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadTimeout("slow", request=request)

    client = make_client(tmp_path, handler)
    with pytest.raises(CliError, match="did not answer"):
        client.post("resources", json={})
    assert len(calls) == 1


def test_an_unreachable_api_says_how_to_start_it(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ApiClient(f"http://127.0.0.1:{port}", CredentialStore(tmp_path))
    with pytest.raises(CliError, match=r"cannot reach the API at .*is `make run` running\?"):
        client.get("/health", auth=False)


def test_pagination_follows_cursors_only_when_asked(tmp_path: Path) -> None:
    pages = {None: (["a", "b"], "c1"), "c1": (["c"], "c2"), "c2": (["d"], None)}

    def handler(request: httpx.Request) -> httpx.Response:
        items, nxt = pages[request.url.params.get("cursor")]
        return httpx.Response(200, json={"items": items, "next_cursor": nxt})

    client = make_client(tmp_path, handler)
    progress: list[tuple[int, int]] = []
    every = list(
        client.paginate(
            "things", {"limit": 2}, all_pages=True, on_page=lambda p, n: progress.append((p, n))
        )
    )
    assert every == ["a", "b", "c", "d"]
    assert progress == [(1, 2), (2, 3), (3, 4)]
    assert list(client.paginate("things", {"limit": 2}, all_pages=False)) == ["a", "b"]


def test_api_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RR_API_URL", raising=False)
    assert resolve_api_url(None) == "http://127.0.0.1:8000"
    monkeypatch.setenv("RR_API_URL", "https://rr.example.com/")
    assert resolve_api_url(None) == "https://rr.example.com"
    assert resolve_api_url("http://localhost:9000") == "http://localhost:9000"
    with pytest.raises(CliError, match="http"):
        resolve_api_url("localhost:9000")


def test_commands_that_need_a_session_say_how_to_get_one(tmp_path: Path) -> None:
    client = ApiClient(API, CredentialStore(tmp_path), transport=httpx.MockTransport(FakeApi()))
    with pytest.raises(CliError, match=r"not signed in.*rr auth login"):
        client.get("users/me")
