"""p50/p95 of 200 sequential GET /live on ONE keep-alive connection (figures, not a test).

Without arguments it serves the app twice in this process, with chalice's stock local
handler and with ours (infra/local/api_server.py), and prints both: the stock handler
stalls ~43 ms per request (Nagle's algorithm + the client's delayed ACK). With `--url` it
measures an API that is already running (for example `make run`'s).

Run: .venv/bin/python -m bench.keepalive [--url http://127.0.0.1:8000] [--requests 200]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import os
import statistics
import threading
import time
from urllib.parse import urlsplit

for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}.items():
    os.environ.setdefault(_name, _value)


def measure(url: str, requests: int, path: str = "/live") -> list[float]:
    """Milliseconds per request, all on one connection (fails if the server drops it)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    timings: list[float] = []
    try:
        conn.request("GET", path)
        conn.getresponse().read()  # warm-up, and the connection is open
        sock = conn.sock
        for _ in range(requests):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            timings.append((time.perf_counter() - started) * 1000)
            if response.status != 200 or conn.sock is not sock:
                raise RuntimeError(f"request failed or reconnected (status {response.status})")
    finally:
        conn.close()
    return timings


def report(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return (
        f"{label:<28} n={len(timings)}  p50={statistics.median(ordered):7.2f} ms"
        f"  p95={p95:7.2f} ms  total={sum(ordered) / 1000:6.2f} s"
    )


def _serve_in_process(stock: bool) -> tuple[str, object]:
    from chalice.config import Config
    from chalice.local import create_local_server

    from app import app
    from infra.local.api_server import build_server

    if stock:
        server = create_local_server(app, Config.create(chalice_stage="local"), "127.0.0.1", 0)
    else:
        server = build_server(app, "local", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server.server_address[1]
    return f"http://127.0.0.1:{port}", server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="measure a running API instead of in-process servers")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    if args.url:
        print(report(args.url, measure(args.url, args.requests)))
        return
    for label, stock in (("chalice local (stock)", True), ("infra.local.api_server", False)):
        url, server = _serve_in_process(stock)
        try:
            with contextlib.redirect_stderr(io.StringIO()):  # the servers' access log
                timings = measure(url, args.requests)
            print(report(label, timings))
        finally:
            server.shutdown()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
