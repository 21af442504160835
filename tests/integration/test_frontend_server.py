"""The local web app server sends the security headers itself (security finding 12): a CSP
that forbids framing and lets the page talk only to its own API and WebSocket origins."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from infra.local.frontend_server import FrontendHandler, config_body, security_headers

API, WS = "http://127.0.0.1:8000", "ws://127.0.0.1:8001"


@pytest.fixture
def frontend_url(tmp_path: Path) -> Iterator[str]:
    # A stand-in for the built site (frontend/dist): the headers do not depend on the files.
    (tmp_path / "index.html").write_text("<!doctype html><html></html>")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index.js").write_text("export {};")
    handler = functools.partial(
        FrontendHandler,
        directory=str(tmp_path),
        config_body=config_body(API, WS),
        headers=security_headers(API, WS),
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/", "/index.html", "/assets/index.js", "/config.json"])
def test_every_response_carries_the_security_headers(frontend_url: str, path: str) -> None:
    response = httpx.get(frontend_url + path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    connect = next(d for d in policy.split("; ") if d.startswith("connect-src"))
    assert connect.split()[1:] == ["'self'", API, WS]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
