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
from chalicelib.integrations.webhook_sender import EXCERPT_BYTES, REFUSED, HttpWebhookSender

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
    sender = HttpWebhookSender(resolver=lambda host, p: ["127.0.0.1"])
    # When a delivery is sent to it
    url = f"http://hooks.example.test:{port}/in"
    result = sender.send(url, b"{}", {"X-Webhook-Id": "d1"}, LOOPBACK)
    # Then it reached that address, and the receiver saw the name in Host
    assert result.ok and result.status_code == 200 and result.excerpt == "ok"
    assert behaviour.hosts == [f"hooks.example.test:{port}"]


def test_redirects_are_not_followed(server: tuple[int, type[Behaviour]]) -> None:
    port, behaviour = server
    behaviour.status, behaviour.location = 302, "http://169.254.169.254/latest/meta-data"
    result = HttpWebhookSender().send(f"http://127.0.0.1:{port}/", b"{}", {}, LOOPBACK)
    assert not result.ok and result.status_code == 302
    assert len(behaviour.hosts) == 1


def test_a_slow_receiver_times_out(server: tuple[int, type[Behaviour]]) -> None:
    port, behaviour = server
    behaviour.delay_s = 1.0
    sender = HttpWebhookSender(timeout_s=0.2)
    started = time.monotonic()
    result = sender.send(f"http://127.0.0.1:{port}/", b"{}", {}, LOOPBACK)
    assert not result.ok and result.status_code is None
    assert "Timeout" in result.error
    assert time.monotonic() - started < 0.9


def test_only_an_excerpt_of_the_answer_is_kept(server: tuple[int, type[Behaviour]]) -> None:
    port, behaviour = server
    behaviour.body = b"x" * (EXCERPT_BYTES * 5)
    result = HttpWebhookSender().send(f"http://127.0.0.1:{port}/", b"{}", {}, LOOPBACK)
    assert result.ok and len(result.excerpt) == EXCERPT_BYTES


def test_refused_and_unreachable_destinations_fail_without_raising() -> None:
    blocked = HttpWebhookSender().send("http://127.0.0.1:9/", b"{}", {})
    assert blocked.blocked and not blocked.ok and blocked.error == REFUSED
    closed = HttpWebhookSender().send("http://127.0.0.1:9/", b"{}", {}, LOOPBACK)
    assert not closed.ok and not closed.blocked and closed.status_code is None


def test_the_error_the_owner_reads_names_no_address_and_no_dns_answer() -> None:
    # Given names that the server's DNS resolves to private addresses, or not at all
    answers = {"db.internal.example": ["10.20.30.40"], "nas.internal.example": ["fd12::7"]}

    def resolver(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("Name or service not known")
        return answers[host]

    sender = HttpWebhookSender(resolver=resolver)
    # When deliveries are refused
    errors = {
        host: sender.send(f"http://{host}/", b"{}", {}).error
        for host in [*answers, "nothing.internal.example"]
    }
    # Then every refusal reads the same: a private answer and no answer look alike
    assert set(errors.values()) == {REFUSED}
    # And a failed connection to an allowed address quotes neither the address nor the port
    allowed = [AllowEntry(ipaddress.ip_network("10.20.30.0/24"))]
    unreachable = HttpWebhookSender(resolver=lambda h, p: ["127.0.0.1"], timeout_s=0.5).send(
        "http://db.internal.example:9/", b"{}", {}, [*allowed, *LOOPBACK]
    )
    assert not unreachable.ok and unreachable.error.startswith("Connection:")
    assert "127.0.0.1" not in unreachable.error and ":9" not in unreachable.error
