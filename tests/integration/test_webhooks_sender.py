"""The HTTP sender on real sockets: pinned to the checked address, no redirects followed,
a time budget, and a bounded read of the answer."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chalicelib.integrations.ssrf import AllowEntry
from chalicelib.integrations.webhook_sender import EXCERPT_BYTES, HttpWebhookSender

LOOPBACK = [AllowEntry(ipaddress.ip_network("127.0.0.1/32"))]


class Behaviour:
    status = 200
    delay_s = 0.0
    body = b"ok"
    location = ""
    hosts: list[str] = []


@pytest.fixture
def server() -> Iterator[tuple[int, type[Behaviour]]]:
    behaviour = type("B", (Behaviour,), {"hosts": []})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            behaviour.hosts.append(self.headers.get("Host", ""))
            time.sleep(behaviour.delay_s)
            self.send_response(behaviour.status)
            if behaviour.location:
                self.send_header("Location", behaviour.location)
            self.send_header("Content-Length", str(len(behaviour.body)))
            self.end_headers()
            self.wfile.write(behaviour.body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield int(httpd.server_address[1]), behaviour
    httpd.shutdown()
    httpd.server_close()


def test_the_connection_goes_to_the_checked_address_with_the_original_host(
    server: tuple[int, type[Behaviour]],
) -> None:
    # Given a name that resolves (at check time) to the allow-listed loopback address
    port, behaviour = server
    sender = HttpWebhookSender(lambda: LOOPBACK, resolver=lambda host, p: ["127.0.0.1"])
    # When a delivery is sent to it
    result = sender.send(f"http://hooks.example.test:{port}/in", b"{}", {"X-Webhook-Id": "d1"})
    # Then it reached that address, and the receiver saw the name in Host
    assert result.ok and result.status_code == 200 and result.excerpt == "ok"
    assert behaviour.hosts == [f"hooks.example.test:{port}"]


def test_redirects_are_not_followed(server: tuple[int, type[Behaviour]]) -> None:
    port, behaviour = server
    behaviour.status, behaviour.location = 302, "http://169.254.169.254/latest/meta-data"
    result = HttpWebhookSender(lambda: LOOPBACK).send(f"http://127.0.0.1:{port}/", b"{}", {})
    assert not result.ok and result.status_code == 302
    assert len(behaviour.hosts) == 1


def test_a_slow_receiver_times_out(server: tuple[int, type[Behaviour]]) -> None:
    port, behaviour = server
    behaviour.delay_s = 1.0
    sender = HttpWebhookSender(lambda: LOOPBACK, timeout_s=0.2)
    started = time.monotonic()
    result = sender.send(f"http://127.0.0.1:{port}/", b"{}", {})
    assert not result.ok and result.status_code is None
    assert "Timeout" in result.error
    assert time.monotonic() - started < 0.9


def test_only_an_excerpt_of_the_answer_is_kept(server: tuple[int, type[Behaviour]]) -> None:
    port, behaviour = server
    behaviour.body = b"x" * (EXCERPT_BYTES * 5)
    result = HttpWebhookSender(lambda: LOOPBACK).send(f"http://127.0.0.1:{port}/", b"{}", {})
    assert result.ok and len(result.excerpt) == EXCERPT_BYTES


def test_refused_and_unreachable_destinations_fail_without_raising() -> None:
    blocked = HttpWebhookSender(lambda: []).send("http://127.0.0.1:9/", b"{}", {})
    assert blocked.blocked and not blocked.ok and "loopback" in blocked.error
    closed = HttpWebhookSender(lambda: LOOPBACK).send("http://127.0.0.1:9/", b"{}", {})
    assert not closed.ok and not closed.blocked and closed.status_code is None
