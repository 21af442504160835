"""`start_stack(config) -> RunningStack`: the one code path behind `make run` and the e2e tests.

Order: DynamoDB Local + moto + frontend -> bootstrap (tables, queues, bus, rules, SES) ->
workers (pump at LATEST before anything can write) + API + WebSocket stand-in, and beside
them the one-time setup token (`infra/setup_token.py`) while setup is open. Each piece
must pass its health probe before the deadline, or everything started so far is stopped and
`StackError` names the piece with the tail of its log.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local import probes, web_build
from infra.local.appload import load_topology
from infra.local.bootstrap import bootstrap
from infra.local.config import StackConfig, child_env
from infra.local.dynamodb_local import DynamoDbLocal, prepare
from infra.local.procs import Child, cmdline, is_ours, spawn, stop_children
from infra.local.secret import stack_secret
from infra.setup_token import ALREADY_COMPLETE


class StackError(RuntimeError):
    def __init__(self, piece: str, problem: str, log_tail: str = "") -> None:
        super().__init__(f"{piece}: {problem}")
        self.piece, self.problem, self.log_tail = piece, problem, log_tail


@dataclass
class RunningStack:
    config: StackConfig
    children: list[Child]
    urls: dict[str, str]
    dynamodb_url: str
    aws_url: str
    # The one-time setup token (None once the first administrator exists): printed by `make run`.
    setup_token: str | None = None
    reported: set[str] = field(default_factory=set)

    def child(self, name: str) -> Child:
        return next(c for c in self.children if c.name == name)

    def newly_dead(self) -> list[Child]:
        """Children that exited since the last call (each is reported once)."""
        dead = [c for c in self.children if not c.alive and c.name not in self.reported]
        self.reported.update(c.name for c in dead)
        return dead

    def stop(self, timeout: float = 5.0) -> None:
        stop_children(self.children, timeout)
        if self.config.pid_file.exists() and _recorded_runner(self.config.pid_file) == os.getpid():
            self.config.pid_file.unlink()

    def __enter__(self) -> RunningStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _recorded_runner(pid_file: Path) -> int | None:
    try:
        return int(json.loads(pid_file.read_text())["runner"]["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def already_running(config: StackConfig) -> list[int]:
    """PIDs recorded by a previous run that still run the same command."""
    try:
        state = json.loads(config.pid_file.read_text())
    except (OSError, ValueError):
        return []
    return [c["pid"] for c in state.get("children", []) if is_ours(c["pid"], c["argv"])]


def busy_ports(config: StackConfig, pieces: list[str]) -> list[str]:
    busy = []
    for piece in pieces:
        port = getattr(config.ports, piece)
        with socket.socket() as sock:
            # As the servers do: a port left in TIME_WAIT by the last run is free to reuse.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((config.bind_host, port))
            except OSError:
                busy.append(f"{piece} ({port})")
    return busy


class _Launcher:
    def __init__(self, config: StackConfig, env: dict[str, str]) -> None:
        self.config, self.env = config, env
        self.children: list[Child] = []
        self.deadline = time.monotonic() + config.startup_timeout_s

    def python(self, name: str, module: str, *args: str, listens: bool = True) -> Child:
        host = ("--host", self.config.bind_host) if listens else ()
        argv = [sys.executable, "-m", f"infra.local.{module}", *host, *args]
        return self.start(name, argv, self.config.project_dir)

    def start(self, name: str, argv: list[str], cwd: Path) -> Child:
        child = spawn(name, argv, env=self.env, cwd=cwd, log_dir=self.config.log_dir)
        self.children.append(child)
        return child

    def wait(self, child: Child, probe: Callable[[], bool]) -> None:
        while not probe():
            if not child.alive:
                raise StackError(
                    child.name, f"exited with code {child.returncode}", child.log_tail()
                )
            if time.monotonic() > self.deadline:
                raise StackError(child.name, "did not become healthy in time", child.log_tail())
            time.sleep(0.1)


def _start_storage(launch: _Launcher, ddb: tuple[DynamoDbLocal, Path] | None) -> None:
    config = launch.config
    if config.external_aws:
        return
    pieces: list[tuple[Child, Callable[[], bool]]] = []
    if ddb is not None:
        if config.data_dir is not None:
            config.data_dir.mkdir(parents=True, exist_ok=True)
        ddb_local, classes = ddb
        argv = ddb_local.argv(
            config.ports.dynamodb, config.data_dir, classes=classes, host=config.bind_host
        )
        child = launch.start("dynamodb", argv, ddb_local.jar_dir)
        pieces.append((child, lambda: probes.dynamodb(config.url("dynamodb"))))
    moto = launch.python("moto", "moto_server", "--port", str(config.ports.moto))
    pieces.append((moto, lambda: probes.moto(config.url("moto"))))
    for child, probe in pieces:
        launch.wait(child, probe)


def _start_app(launch: _Launcher) -> None:
    config = launch.config
    ready_file = config.state_dir / "workers.ready"
    ready_file.unlink(missing_ok=True)
    workers = launch.python(
        "workers",
        "workers",
        *("--app", config.app_module, "--topology", config.topology),
        *(
            "--tick-scale",
            str(config.tick_scale),
            "--sqs-retry-delay",
            str(config.sqs_retry_delay_s),
        ),
        *("--ready-file", str(ready_file)),
        *(("--tick-only", ",".join(config.tick_only)) if config.tick_only else ()),
        listens=False,
    )
    app_args = ("--app", config.app_module, "--stage", config.stage)
    api = launch.python(
        "api",
        "api_server",
        *app_args,
        *("--port", str(config.ports.api), "--processes", str(config.api_processes)),
    )
    ws = launch.python("ws", "ws_gateway", *app_args, "--port", str(config.ports.ws))
    launch.wait(workers, ready_file.exists)
    launch.wait(api, lambda: probes.http_ok(f"{config.url('api')}/health"))
    launch.wait(ws, lambda: probes.tcp_accepts(config.ports.ws))


def _start_frontend(launch: _Launcher) -> Child | None:
    config = launch.config
    if config.frontend_dir is None:
        return None
    try:
        served = web_build.ensure_built(config.frontend_dir, config.project_dir)
    except web_build.WebBuildError as error:
        raise StackError("frontend", "the web app could not be built", str(error)) from error
    return launch.python(
        "frontend",
        "frontend_server",
        *("--dir", str(served), "--port", str(config.ports.frontend)),
        *("--api-url", config.url("api"), "--ws-url", config.url("ws")),
    )


def _write_pid_file(config: StackConfig, children: list[Child], urls: dict[str, str]) -> None:
    state: dict[str, Any] = {
        "runner": {"pid": os.getpid(), "argv": cmdline(os.getpid()) or []},
        "children": [{"name": c.name, "pid": c.pid, "argv": c.argv} for c in children],
        "urls": urls,
    }
    config.pid_file.write_text(json.dumps(state, indent=2))


def _bootstrap(config: StackConfig, *, java: bool) -> None:
    try:
        bootstrap(
            load_topology(config.topology),
            dynamodb_url=config.dynamodb_url(java=java),
            aws_url=config.moto_url,
        )
    except Exception as exc:  # reported with the piece name, like a child that fails
        raise StackError("bootstrap", f"{type(exc).__name__}: {exc}") from exc


def _issue_setup_token(env: dict[str, str]) -> subprocess.Popen[str]:
    """`python -m infra.setup_token` against the local table (the same first-run step a
    deployment runs); started beside the API so its import time costs nothing."""
    return subprocess.Popen(
        [sys.executable, "-m", "infra.setup_token"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _setup_token(issuing: subprocess.Popen[str]) -> str | None:
    out, err = issuing.communicate(timeout=60)
    if issuing.returncode == ALREADY_COMPLETE:
        return None
    if issuing.returncode != 0:
        raise StackError("setup token", f"exit {issuing.returncode}", err[-2000:])
    return out.strip()


def start_stack(config: StackConfig) -> RunningStack:
    config.state_dir.mkdir(parents=True, exist_ok=True)
    ddb = prepare(config)
    java = ddb is not None
    env = child_env(config, java=java)
    env["SECRET_KEY"] = stack_secret(config, env)
    launch = _Launcher(config, env)
    try:
        frontend = _start_frontend(launch)
        _start_storage(launch, ddb)
        _bootstrap(config, java=java)
        with _issue_setup_token(env) as issuing:
            try:
                _start_app(launch)
            except BaseException:
                issuing.kill()
                issuing.communicate()
                raise
            setup_token = _setup_token(issuing)
        if frontend is not None:
            launch.wait(frontend, lambda: probes.http_ok(f"{config.url('frontend')}/config.json"))
    except BaseException:
        stop_children(launch.children)
        raise
    urls = {
        "api": config.url("api"),
        "docs": f"{config.url('api')}/docs",
        "ws": config.url("ws"),
        "dynamodb": config.dynamodb_url(java=java),
        "aws": config.moto_url,
    }
    if frontend is not None:
        urls["frontend"] = config.url("frontend")
    _write_pid_file(config, launch.children, urls)
    return RunningStack(
        config, launch.children, urls, urls["dynamodb"], urls["aws"], setup_token=setup_token
    )
