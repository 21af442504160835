"""`make run`: the whole stack on 127.0.0.1, in the foreground, until Ctrl-C (or `make stop`).

Ports (env): API_PORT=8000 WS_PORT=8001 FRONTEND_PORT=3000 DYNAMODB_PORT=8010 MOTO_PORT=5010.
Data: in memory unless RESERVER_DATA_DIR (or --data-dir) names a directory for DynamoDB Local.
Logs: .local/logs/<piece>.log; PIDs: .local/stack.json (read by `make stop`).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import FrameType

from infra.local.config import PROJECT_DIR, Ports, StackConfig
from infra.local.dynamodb_local import locate
from infra.local.stack import RunningStack, StackError, already_running, busy_ports, start_stack


class _Stop(BaseException):
    """Raised by SIGINT/SIGTERM so a half-started stack is unwound like a started one."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Stop(signum)


def parse_config(argv: list[str] | None = None) -> StackConfig:
    parser = argparse.ArgumentParser(prog="make run", description=__doc__)
    env = os.environ
    parser.add_argument("--data-dir", type=Path, default=env.get("RESERVER_DATA_DIR") or None)
    parser.add_argument(
        "--external-aws",
        default=env.get("RESERVER_EXTERNAL_AWS") or None,
        metavar="URL",
        help="use this AWS-compatible endpoint (LocalStack) instead of DynamoDB Local and moto",
    )
    parser.add_argument("--state-dir", type=Path, default=PROJECT_DIR / ".local")
    parser.add_argument("--app", default="app", help="the Chalice app module[:attribute]")
    parser.add_argument("--topology", default="chalicelib.topology:TOPOLOGY")
    parser.add_argument(
        "--tick-scale", type=float, default=float(env.get("RESERVER_TICK_SCALE", "1"))
    )
    parser.add_argument("--no-frontend", action="store_true")
    parser.add_argument(
        "--bind-host",
        default=env.get("RESERVER_BIND_HOST", "127.0.0.1"),
        help="listen address; keep 127.0.0.1 except inside a container (docker-compose.yml)",
    )
    args = parser.parse_args(argv)
    config = StackConfig(
        ports=Ports.from_env(),
        app_module=args.app,
        topology=args.topology,
        state_dir=args.state_dir.resolve(),
        data_dir=args.data_dir.resolve() if args.data_dir else None,
        external_aws=args.external_aws,
        tick_scale=args.tick_scale,
        bind_host=args.bind_host,
    )
    return replace(config, frontend_dir=None) if args.no_frontend else config


def _pieces(config: StackConfig) -> list[str]:
    pieces = ["api", "ws"]
    if config.frontend_dir is not None:
        pieces.append("frontend")
    if not config.external_aws:
        pieces.append("moto")
        if locate(config) is not None:
            pieces.append("dynamodb")
    return pieces


def _banner(stack: RunningStack) -> str:
    urls = stack.urls
    lines = [
        "",
        "Resource Reserver is running (Ctrl-C or `make stop` to stop):",
        f"  API        {urls['api']}",
        f"  API docs   {urls['docs']}",
        f"  WebSocket  {urls['ws']}",
    ]
    if "frontend" in urls:
        lines.append(f"  Frontend   {urls['frontend']}")
    lines += [
        f"  DynamoDB   {urls['dynamodb']}"
        + ("  (moto: see the warning above)" if urls["dynamodb"] == urls["aws"] else ""),
        f"  SQS/SES/.. {urls['aws']}",
        f"  Logs       {stack.config.log_dir}/<piece>.log",
        "",
    ]
    if stack.setup_token:
        lines += [
            f"  Setup token  {stack.setup_token}",
            "  (one-time: the web app's setup screen or `rr setup init <name>` asks for it;",
            "   a new one is printed at each start until the first administrator exists)",
            "",
        ]
    return "\n".join(lines)


def _preflight(config: StackConfig) -> str | None:
    running = already_running(config)
    if running:
        return f"a local stack is already running (pids {running}); run `make stop` first"
    busy = busy_ports(config, _pieces(config))
    if busy:
        return "ports in use: " + ", ".join(busy) + " (set API_PORT=..., WS_PORT=... to move them)"
    return None


def _watch(stack: RunningStack) -> None:
    while True:
        time.sleep(0.5)
        for child in stack.newly_dead():
            print(
                f"\n!! {child.name} exited (code {child.returncode}); the rest keeps running."
                f"\n-- last lines of {child.log_path}:\n{child.log_tail()}\n",
                file=sys.stderr,
                flush=True,
            )


def main(argv: list[str] | None = None) -> int:
    config = parse_config(argv)
    problem = _preflight(config)
    if problem:
        print(f"local stack: {problem}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    print("starting the local stack ...", flush=True)
    started = time.monotonic()
    try:
        stack = start_stack(config)
    except StackError as exc:
        print(f"\nlocal stack: {exc.piece} failed: {exc.problem}", file=sys.stderr)
        if exc.log_tail:
            print(f"-- last lines of its log:\n{exc.log_tail}", file=sys.stderr)
        return 1
    except _Stop:
        print("interrupted; everything started was stopped", file=sys.stderr)
        return 130
    print(_banner(stack) + f"(up in {time.monotonic() - started:.1f} s)", flush=True)
    try:
        _watch(stack)
    except _Stop:
        pass
    finally:
        print("stopping ...", flush=True)
        stack.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
