"""The REST API: Chalice's own local server (`chalice.local`), with three fixes.

1. Keep-alive stall. `BaseHTTPRequestHandler` writes a response in two sends: status line
   and headers when `end_headers()` flushes, then the body. With Nagle's algorithm on, the
   kernel holds the second, small segment until the first is ACKed, and the client delays
   that ACK (delayed ACK, ~40 ms on Linux) waiting for more data: every response on a
   keep-alive connection stalled ~43 ms (bench/keepalive.py: p50 44 ms -> 0.3 ms).
   Fix: a buffered `wfile` (`wbufsize = -1`) so headers and body leave in one write (the
   handler flushes after each request), plus `TCP_NODELAY` (`disable_nagle_algorithm`) so
   a response larger than the buffer is not held back either.
2. Error shape. API Gateway answers an unknown route with 403 "Missing Authentication
   Token"; our gateway (and the CDK stack, via a Gateway Response) answers 404 with the
   house envelope. Every other error produced here rather than by the app (malformed
   request line, unsupported method, a crash outside the app) gets the envelope too.
3. Listen backlog: 128 instead of socketserver's 5 (`ReserverHTTPServer`).

Several processes (`--processes N`, `API_PROCESSES`): one Python process serves requests one
core at a time (the GIL), while AWS runs one request per Lambda instance and as many
instances as requests. So the API is served by N forked workers that accept from one
listening socket bound by this process, which only supervises them: `infra/local/prefork.py`.

Run: python -m infra.local.api_server --app app --port 8000 --stage local [--processes 2]
"""

from __future__ import annotations

import argparse
import functools
import json
import socket
import sys
import traceback
from http import HTTPStatus
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    LocalGatewayException,
    NotAuthorizedError,
    ThreadedHTTPServer,
)

from infra.local import prefork
from infra.local.appload import load_app
from infra.local.config import LOCALHOST

JSON = "application/json"
# Errors the gateway produces itself carry CORS too, or a browser sees "network error" instead
# of the message (the CDK Gateway Responses set the same header).
ERROR_HEADERS = {"Content-Type": JSON, "Access-Control-Allow-Origin": "*"}


def envelope(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": None}}).encode()


class RouteNotFound(LocalGatewayException):
    CODE = 404

    def __init__(self, method: str, path: str) -> None:
        route = path.split("?", 1)[0]
        body = envelope("not_found", f"no route matches {method} {route}")
        super().__init__(dict(ERROR_HEADERS), body)


class ReserverGateway(LocalGateway):
    """chalice's LocalGateway, except that an unknown route is a JSON 404, not a 403, and the
    event's `identity.sourceIp` is the real peer (chalice puts a constant 127.0.0.1 there, so
    every caller shared one sign-in counter: issue 9, finding 3)."""

    def __init__(self, app_object: Chalice, config: Config, peer: str = "127.0.0.1") -> None:
        super().__init__(app_object, config)
        self.event_converter.LOCAL_SOURCE_IP = peer

    def handle_request(
        self, method: str, path: str, headers: dict[str, Any], body: bytes | None
    ) -> dict[str, Any]:
        try:
            self.event_converter.create_lambda_event(method, path, headers, body)
        except ValueError as exc:  # chalice's RouteMatcher: "No matching route found"
            raise RouteNotFound(method, path) from exc
        response: dict[str, Any] = super().handle_request(method, path, headers, body)
        return response


def _gateway_error_code(error: LocalGatewayException) -> str:
    if isinstance(error, NotAuthorizedError):
        return "not_authenticated"
    return {403: "forbidden", 404: "not_found"}.get(error.CODE, "internal_error")


def _message_of(body: Any) -> str:
    try:
        parsed = json.loads(body)
    except (TypeError, ValueError):
        return "the request was refused by the gateway"
    if isinstance(parsed, dict):
        return str(parsed.get("message") or parsed.get("Message") or "refused by the gateway")
    return "refused by the gateway"


class ReserverRequestHandler(ChaliceRequestHandler):
    # Fix 1 (see the module docstring): one write per response, and no Nagle delay.
    wbufsize = -1
    disable_nagle_algorithm = True

    def __init__(
        self,
        request: Any,
        client_address: tuple[str, int],
        server: Any,
        app_object: Chalice,
        config: Config,
    ) -> None:
        # Set before the base __init__, which handles the whole connection before returning.
        self.local_gateway = ReserverGateway(app_object, config, peer=str(client_address[0]))
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def _generic_handle(self) -> None:
        try:
            super()._generic_handle()
        except Exception:  # a crash outside the app: log it, answer with the envelope
            traceback.print_exc(file=sys.stderr)
            self._send_envelope(500, "internal_error", "the local gateway failed; see its log")

    def _send_error_response(self, error: LocalGatewayException) -> None:
        if isinstance(error, RouteNotFound):
            super()._send_error_response(error)
            return
        code = _gateway_error_code(error)
        self._send_envelope(error.CODE, code, _message_of(error.body))

    def _send_envelope(self, status: int, code: str, message: str) -> None:
        self._send_http_response(status, dict(ERROR_HEADERS), envelope(code, message))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, unknown method...) as JSON, not HTML."""
        status = HTTPStatus(code)
        body = envelope(status.phrase.lower().replace(" ", "_"), message or status.description)
        self.log_error("code %d, message %s", code, message)
        self.send_response(code, message)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)


class ReserverHTTPServer(ThreadedHTTPServer):
    # socketserver's default listen backlog is 5: 50 clients connecting at once (the race
    # tests, a burst of browsers) saw connection resets before a thread could accept them.
    request_queue_size = 128


def _thread_local_requests(app: Chalice) -> None:
    """What `chalice.local.create_local_server` does first: `current_request` per thread."""
    if not isinstance(app, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice


class _PreboundHTTPServer(ReserverHTTPServer):
    """Serves on a socket already bound and listening (shared by the prefork workers)."""

    def __init__(self, listener: socket.socket, address: Any, handler: Any) -> None:
        super().__init__(address, handler, bind_and_activate=False)
        self.socket.close()
        self.socket = listener


def build_server(
    app: Chalice,
    stage: str,
    port: int,
    host: str = LOCALHOST,
    listener: socket.socket | None = None,
) -> LocalDevServer:
    config = Config.create(chalice_stage=stage, app_name=app.app_name)
    _thread_local_requests(app)
    server_cls: Any = ReserverHTTPServer
    if listener is not None:
        server_cls = functools.partial(_PreboundHTTPServer, listener)
    return LocalDevServer(
        app,
        config,
        host,
        port,
        handler_cls=ReserverRequestHandler,
        server_cls=server_cls,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", default="app")
    parser.add_argument("--host", default=LOCALHOST)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stage", default="local")
    parser.add_argument("--processes", type=int, default=1, help="workers serving requests")
    args = parser.parse_args(argv)
    app = load_app(args.app)
    if args.processes <= 1:
        build_server(app, args.stage, args.port, args.host).serve_forever()
        return
    listener = prefork.listen(args.host, args.port, ReserverHTTPServer.request_queue_size)
    prefork.supervise(
        args.processes,
        lambda: build_server(app, args.stage, args.port, args.host, listener).serve_forever(),
    )


if __name__ == "__main__":
    main()
