"""moto server for SQS, EventBridge, SES and S3, with ONE lock around every request.

moto's backends are not thread-safe: under a threaded server two conditional puts can both
win and concurrent transactions corrupt state. Serialising requests is what makes moto
usable as a shared local service (the DynamoDB Local fallback included).

Run: python -m infra.local.moto_server --port 5010
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

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


def build_app() -> LockedApplication:
    return LockedApplication(DomainDispatcherApplication(create_backend_app))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=LOCALHOST)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    # One access-log line per pump poll would bury everything else in the log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(
        args.host, args.port, build_app(), threaded=True, request_handler=MotoRequestHandler
    )
    print(f"moto (locked) on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
