"""moto server for SQS, EventBridge, SES and S3, with ONE lock around every request.

moto's backends are not thread-safe: under a threaded server two conditional puts can both
win and concurrent transactions corrupt state. Serialising requests is what makes moto
usable as a shared local service (the DynamoDB Local fallback included).

Browsers are kept out: moto's global CORS (`Access-Control-Allow-Origin: *`) is off
(`MOTO_DISABLE_GLOBAL_CORS`, set before moto is imported), any request carrying an `Origin`
header (what a web page's fetch or form post sends) is refused, and on the loopback a `Host`
that is not a loopback name is refused (DNS rebinding). No page the developer visits can read
the queues or the sent mail, or post to them. boto3 sends neither header.

moto's EventBridge parses the same five jsonpath strings (its default input paths) for every
target of every event, building a fresh PLY parser each time: a third of moto's CPU per
booking (py-spy, issue 16). `memoize_event_paths` keeps each parsed path; a parsed
expression is a pure function of its text.

Keep-alive (issue 16): werkzeug's development server answers every request with
`Connection: close`, so each SQS or EventBridge call of the pump paid a new TCP connection and
a new server thread. `KeepAliveHandler` keeps the connection open (HTTP/1.1): the request
body is read whole before the app runs, so nothing of it is left on the socket for the next
request to trip over, and status line, headers and body leave in one write.

Run: python -m infra.local.moto_server --port 5010
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

# Read by moto.settings at import: no `Access-Control-Allow-Origin: *` on every response.
os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from infra.local.config import LOCALHOST

StartResponse = Callable[..., Any]


class LockedApplication:
    """A WSGI app that runs the wrapped app, body included, under one lock."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        with self._lock:
            result = self._app(environ, start_response)
            try:
                # Materialise the body inside the lock: moto may build it lazily from state.
                return [b"".join(result)]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()


WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0] if ":" in host_header else host_header


class BrowserGuard:
    """Refuses requests a web page could make: with an `Origin`, or (DNS rebinding) for a
    `Host` that is not a loopback name when the server listens on the loopback only."""

    def __init__(self, app: WsgiApp, *, loopback_only: bool) -> None:
        self._app, self._loopback_only = app, loopback_only

    def refusal(self, environ: dict[str, Any]) -> str | None:
        if environ.get("HTTP_ORIGIN") is not None:
            return "requests from web pages (with an Origin header) are refused"
        host = _host_name(str(environ.get("HTTP_HOST", LOCALHOST)).lower())
        if self._loopback_only and host not in LOOPBACK_NAMES:
            return f"Host {host!r} is not a loopback name"
        return None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        problem = self.refusal(environ)
        if problem is None:
            return self._app(environ, start_response)
        body = json.dumps({"error": {"code": "forbidden", "message": problem}}).encode()
        start_response(
            "403 Forbidden",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]


# Hop-by-hop or length headers: the handler sets its own for the body it actually sends.
_FRAMING_HEADERS = frozenset({"content-length", "connection", "transfer-encoding"})


class KeepAliveHandler(MotoRequestHandler):
    """moto's request handler on a persistent HTTP/1.1 connection (see the module docstring).

    Replaces werkzeug's `run_wsgi`, which forces `Connection: close` and, after answering,
    reads and discards whatever the client sent next."""

    protocol_version = "HTTP/1.1"
    wbufsize = -1  # buffered: status, headers and body in one write (flushed per request)
    disable_nagle_algorithm = True

    def run_wsgi(self) -> None:
        environ = self.make_environ()
        try:
            body = self._read_body(environ)
        except ValueError:
            self.close_connection = True
            self._respond("400 Bad Request", [], b"malformed Content-Length")
            return
        # The app sees a plain body of known length, whatever framing the client used.
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        captured: list[Any] = []
        written: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured[:] = [status, headers]
            return written.append

        try:
            result = self.server.app(environ, start_response)
            try:
                data = b"".join([*written, *result])
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:
            logging.getLogger(__name__).exception("moto failed on %s %s", self.command, self.path)
            self.close_connection = True
            self._respond("500 Internal Server Error", [], b"internal error")
            return
        status, headers = captured
        self._respond(status, headers, data)

    def _read_body(self, environ: dict[str, Any]) -> bytes:
        if environ.get("wsgi.input_terminated"):  # chunked: werkzeug's DechunkedInput
            return bytes(environ["wsgi.input"].read())
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length < 0:
            raise ValueError(length)
        return self.rfile.read(length) if length else b""

    def _respond(self, status: str, headers: list[tuple[str, str]], data: bytes) -> None:
        code, _, reason = status.partition(" ")
        self.send_response_only(int(code), reason)
        for name, value in headers:
            if name.lower() not in _FRAMING_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def memoize_event_paths() -> None:
    """Parse each jsonpath text once (moto's `EventTemplateParser.parse` imports `parse`
    from `jsonpath_ng.ext` on every call, so replacing the module's attribute is enough)."""
    import jsonpath_ng.ext

    parse = getattr(jsonpath_ng.ext, "parse")  # noqa: B009 (not re-exported for mypy)
    if not hasattr(parse, "cache_info"):
        setattr(jsonpath_ng.ext, "parse", functools.lru_cache(maxsize=256)(parse))  # noqa: B010


def memoize_module_list() -> None:
    """List moto's service packages once. Its dispatcher asks, for every request, whether the
    Host names one of them, and `list_of_moto_modules` walks the package directory on disk
    each time (`os.listdir` plus an `isdir` per entry): a fifth of moto's CPU per SQS call."""
    import moto.backends

    listed = getattr(moto.backends, "list_of_moto_modules")  # noqa: B009
    if hasattr(listed, "cache_info"):
        return

    @functools.lru_cache(maxsize=1)
    def modules() -> tuple[str, ...]:
        return tuple(listed())

    setattr(moto.backends, "list_of_moto_modules", modules)  # noqa: B010


def build_app(*, loopback_only: bool = True) -> BrowserGuard:
    memoize_event_paths()
    memoize_module_list()
    locked = LockedApplication(DomainDispatcherApplication(create_backend_app))
    return BrowserGuard(locked, loopback_only=loopback_only)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=LOCALHOST)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    # One access-log line per pump poll would bury everything else in the log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(
        args.host,
        args.port,
        build_app(loopback_only=args.host == LOCALHOST),
        threaded=True,
        request_handler=KeepAliveHandler,
    )
    print(f"moto (locked) on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
