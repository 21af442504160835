"""Static server for `frontend/`, plus a generated `/config.json` with the API and WS URLs.

config.json is served from memory, not written into `frontend/`: two stacks (a developer's
`make run` and the e2e suite) can then run side by side with different ports.

Every response carries the security headers (`security_headers`): a Content-Security-Policy
whose `connect-src` names only this origin and the configured API and WebSocket origins, and
`frame-ancestors 'none'` (a `<meta>` CSP cannot forbid framing), plus nosniff, no referrer,
no framing. The CDK distribution sends the same headers (infra/).

Run: python -m infra.local.frontend_server --dir frontend --port 3000 --api-url ... --ws-url ...
"""

from __future__ import annotations

import argparse
import functools
import json
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from infra.local.config import LOCALHOST


class FrontendHandler(SimpleHTTPRequestHandler):
    # Same reason as the API server: headers and body in one write, no Nagle stall.
    wbufsize = -1
    disable_nagle_algorithm = True

    def __init__(
        self, *args: Any, config_body: bytes, headers: dict[str, str], **kwargs: Any
    ) -> None:
        self.config_body = config_body
        self.security = headers
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(self.config_body)))
            self.end_headers()
            self.wfile.write(self.config_body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        # The static files change while a developer works on them: never cache.
        if not self.path.startswith("/config.json"):
            self.send_header("Cache-Control", "no-cache")
        for name, value in self.security.items():
            self.send_header(name, value)
        super().end_headers()


def config_body(api_url: str, ws_url: str) -> bytes:
    return json.dumps({"apiUrl": api_url, "wsUrl": ws_url}).encode()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(api_url: str, ws_url: str) -> dict[str, str]:
    """What every page of the web app is served with."""
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {_origin(api_url)} {_origin(ws_url)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--host", default=LOCALHOST)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--ws-url", required=True)
    args = parser.parse_args(argv)
    handler = functools.partial(
        FrontendHandler,
        directory=args.dir,
        config_body=config_body(args.api_url, args.ws_url),
        headers=security_headers(args.api_url, args.ws_url),
    )
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True
    print(f"frontend on http://{args.host}:{args.port} (from {args.dir})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
