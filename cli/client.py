"""The HTTP client: base URL, bearer token, automatic refresh, and errors people can read.

Every request says `X-Client-Channel: cli`. An API error becomes `ApiError` (status, stable
code, message, details); a local problem (not signed in, API unreachable) becomes `CliError`.
The Typer tree turns both into a message on stderr and exit status 1.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from cli import __version__
from cli.config import Credentials, CredentialStore

DEFAULT_API_URL = "http://127.0.0.1:8000"
API_PREFIX = "/api/v1"
_RETRYABLE = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError)


class CliError(Exception):
    """A problem on our side of the wire, with a message meant for the user."""


class ApiError(Exception):
    """The API refused the request: `{"error": {"code", "message", "details"}}`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(f"{message} ({code})")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retry_after = retry_after


def resolve_api_url(option: str | None) -> str:
    url = option or os.environ.get("RR_API_URL") or DEFAULT_API_URL
    if not url.startswith(("http://", "https://")):
        raise CliError(f"the API URL must start with http:// or https:// (got {url!r})")
    return url.rstrip("/")


def plain_http_warning(url: str) -> str | None:
    """A warning when passwords and tokens would cross a network unencrypted: plain http://
    to anything but this machine (loopback addresses and `localhost`)."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return None
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (
        f"warning: {url} is plain http:// to another machine: your password and tokens "
        "travel unencrypted; use https://"
    )


class ApiClient:
    """A thin httpx wrapper; one instance per `rr` invocation."""

    def __init__(
        self,
        base_url: str,
        store: CredentialStore,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.store = store
        self._http = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            headers={"X-Client-Channel": "cli", "User-Agent": f"rr/{__version__}"},
        )

    def close(self) -> None:
        self._http.close()

    # -- credentials ------------------------------------------------------------------------

    def credentials(self) -> Credentials | None:
        return self.store.load(self.base_url)

    def require_credentials(self) -> Credentials:
        creds = self.credentials()
        if creds is None:
            raise CliError(f"not signed in to {self.base_url}: run `rr auth login USERNAME`")
        return creds

    def save_tokens(self, username: str, tokens: dict[str, Any]) -> Credentials:
        expires_in = tokens.get("expires_in")
        creds = Credentials(
            username=username,
            access_token=str(tokens["access_token"]),
            refresh_token=tokens.get("refresh_token"),
            token_type=str(tokens.get("token_type", "bearer")),
            expires_at=time.time() + float(expires_in) if expires_in else None,
        )
        self.store.save(self.base_url, creds)
        return creds

    # -- requests ---------------------------------------------------------------------------

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        content: bytes | str | Iterable[bytes] | None = None,  # iterable: upload with progress
        headers: dict[str, str] | None = None,
        auth: bool = True,
        idempotency_key: str | None = None,
        also_ok: tuple[int, ...] = (),
    ) -> Any:
        """Send one request; `auth=True` requires a stored token and refreshes it once on 401.

        `also_ok` lists error statuses whose JSON body is the answer (e.g. a 503 health report).
        """
        extra = dict(headers or {})
        if idempotency_key:
            extra["Idempotency-Key"] = idempotency_key
        creds = self.require_credentials() if auth else None
        send = _Sender(self, method, _url(path), json, _clean(params), content, extra)
        response = send(creds)
        if response.status_code == 401 and creds is not None and creds.refresh_token:
            fresh = self._refresh_after_401(creds)
            response = send(fresh)
        return _decode(response, also_ok)

    def paginate(
        self,
        path: str,
        params: dict[str, Any],
        *,
        all_pages: bool,
        on_page: Callable[[int, int], None] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Items of one page, or of every page with `all_pages` (cursor after cursor)."""
        cursor = params.get("cursor")
        pages = fetched = 0
        while True:
            page = self.get(path, params={**params, "cursor": cursor})
            items = page.get("items", []) if isinstance(page, dict) else page
            pages += 1
            fetched += len(items)
            if on_page is not None:
                on_page(pages, fetched)
            yield from items
            cursor = page.get("next_cursor") if isinstance(page, dict) else None
            if not all_pages or not cursor:
                return

    @contextlib.contextmanager
    def stream(
        self, path: str, *, params: dict[str, Any] | None = None
    ) -> Iterator[httpx.Response]:
        """GET a large body (an export) without holding it in memory.

        Same token handling and errors as `request`; the caller reads `iter_bytes()`.
        """
        creds = self.require_credentials()
        response = self._open_stream(path, params, creds)
        if response.status_code == 401 and creds.refresh_token:
            response.close()
            response = self._open_stream(path, params, self._refresh_after_401(creds))
        try:
            if not response.is_success:
                response.read()
                _decode(response)
            yield response
        finally:
            response.close()

    def _open_stream(
        self, path: str, params: dict[str, Any] | None, creds: Credentials
    ) -> httpx.Response:
        request = self._http.build_request(
            "GET",
            _url(path),
            params=_clean(params),
            headers={"Authorization": f"Bearer {creds.access_token}"},
        )
        try:
            return self._http.send(request, stream=True)
        except httpx.ConnectError as exc:
            raise CliError(
                f"cannot reach the API at {self.base_url}: is `make run` running?"
            ) from exc
        except httpx.HTTPError as exc:
            raise CliError(f"HTTP error talking to {self.base_url}: {exc}") from exc

    # -- token refresh ----------------------------------------------------------------------

    def refresh(self) -> Credentials:
        """Rotate the stored refresh token (under the store's lock, see config.py)."""
        with self.store.locked():
            creds = self.require_credentials()
            return self._rotate(creds)

    def _refresh_after_401(self, used: Credentials) -> Credentials:
        with self.store.locked():
            current = self.credentials()
            if current is None:
                raise CliError("signed out meanwhile: run `rr auth login USERNAME`")
            if current.access_token != used.access_token:
                return current  # another rr process refreshed while we waited for the lock
            return self._rotate(current)

    def _rotate(self, creds: Credentials) -> Credentials:
        if not creds.refresh_token:
            raise CliError("no refresh token stored: run `rr auth login USERNAME`")
        try:
            tokens = self.post(
                f"{API_PREFIX}/token/refresh",
                json={"refresh_token": creds.refresh_token},
                auth=False,
            )
        except ApiError as exc:
            if exc.status in (400, 401, 403, 422):
                self.store.clear(self.base_url)
                raise CliError(
                    f"your session has ended ({exc.code}): run `rr auth login {creds.username}`"
                ) from exc
            raise
        return self.save_tokens(creds.username, tokens)


@dataclass
class _Sender:
    """One logical request, re-sendable (after a refresh, or a transport hiccup)."""

    client: ApiClient
    method: str
    url: str
    json: Any
    params: dict[str, Any] | None
    content: bytes | str | Iterable[bytes] | None  # an iterable: an upload with progress
    headers: dict[str, str]

    @property
    def retries(self) -> int:
        # GETs and requests carrying an Idempotency-Key are safe to send again.
        return 2 if self.method == "GET" or "Idempotency-Key" in self.headers else 0

    def __call__(self, creds: Credentials | None) -> httpx.Response:
        headers = dict(self.headers)
        if creds is not None:
            headers["Authorization"] = f"Bearer {creds.access_token}"
        attempt = 0
        while True:
            try:
                return self.client._http.request(
                    self.method,
                    self.url,
                    json=self.json,
                    params=self.params,
                    content=self.content,
                    headers=headers,
                )
            except httpx.ConnectError as exc:
                raise CliError(
                    f"cannot reach the API at {self.client.base_url}: is `make run` running?"
                ) from exc
            except _RETRYABLE as exc:
                attempt += 1
                if attempt > self.retries:
                    raise CliError(_transport_message(self, exc)) from exc
            except httpx.HTTPError as exc:
                raise CliError(f"HTTP error talking to {self.client.base_url}: {exc}") from exc


def _transport_message(sender: _Sender, exc: Exception) -> str:
    message = f"the API at {sender.client.base_url} did not answer ({type(exc).__name__})"
    key = sender.headers.get("Idempotency-Key")
    if key:
        message += (
            f"; the request may have been applied: run it again with "
            f"--idempotency-key {key} to get its result without doing it twice"
        )
    return message


def _url(path: str) -> str:
    return path if path.startswith("/") else f"{API_PREFIX}/{path}"


def _clean(params: dict[str, Any] | None) -> dict[str, Any] | None:
    """Drop unset query parameters; booleans as the API expects them."""
    if params is None:
        return None
    cleaned: dict[str, Any] = {}
    for name, value in params.items():
        if value is None or value in ([], ()):
            continue
        cleaned[name] = ("true" if value else "false") if isinstance(value, bool) else value
    return cleaned


def _decode(response: httpx.Response, also_ok: tuple[int, ...] = ()) -> Any:
    if response.status_code == 204 or not response.content:
        if response.is_success:
            return None
        raise ApiError(response.status_code, "http_error", response.reason_phrase or "error")
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success or (response.status_code in also_ok and body is not None):
        return body if body is not None else response.text
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        raise ApiError(
            response.status_code,
            str(error.get("code") or "error"),
            str(error.get("message") or response.reason_phrase),
            error.get("details"),
            response.headers.get("Retry-After"),
        )
    snippet = response.text[:200].strip() or response.reason_phrase
    raise ApiError(response.status_code, "http_error", f"HTTP {response.status_code}: {snippet}")
