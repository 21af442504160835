"""Serve one listening socket from several forked worker processes, and keep them running.

The process that calls `supervise` binds nothing itself and serves nothing: it forks the
workers (which inherit the socket and accept from it, so the kernel hands each connection to
one of them), restarts a worker that dies, and on SIGTERM/SIGINT stops them all and returns
only when they are gone. Workers die with it if it is killed outright (PR_SET_PDEATHSIG), so
`make stop`, which knows only the supervisor's PID, never leaves one behind. A worker that
keeps dying right after it starts is a broken app, not bad luck: after `CRASH_LIMIT` such
deaths in a row the supervisor stops the rest and exits 1, and the stack reports the log.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from types import FrameType

from infra.local.procs import die_with_parent

CRASH_LIMIT = 5
QUICK_DEATH_S = 5.0


def listen(host: str, port: int, backlog: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As socketserver does: a port left in TIME_WAIT by the last run is free to reuse.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(backlog)
    return listener


def _work(serve: Callable[[], None]) -> None:  # pragma: no cover - runs in the forked worker
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    die_with_parent()
    code = 0
    try:
        serve()
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class _Workers:
    def __init__(self, serve: Callable[[], None]) -> None:
        self.serve = serve
        self.started: dict[int, float] = {}
        self.stopping = False

    def start(self) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _work(self.serve)
        self.started[pid] = time.monotonic()

    def stop(self, signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        self.stopping = True
        for pid in list(self.started):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


def supervise(count: int, serve: Callable[[], None]) -> None:
    workers = _Workers(serve)
    signal.signal(signal.SIGTERM, workers.stop)
    signal.signal(signal.SIGINT, workers.stop)
    for _ in range(count):
        workers.start()
    print(f"API served by {count} worker processes: {sorted(workers.started)}", flush=True)
    quick_deaths = 0
    while workers.started:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        started = workers.started.pop(pid, None)
        if started is None or workers.stopping:
            continue
        quick = time.monotonic() - started < QUICK_DEATH_S
        quick_deaths = quick_deaths + 1 if quick else 0
        print(f"API worker {pid} exited ({_describe(status)})", file=sys.stderr, flush=True)
        if quick_deaths >= CRASH_LIMIT:
            print("API workers keep dying on start; stopping", file=sys.stderr, flush=True)
            workers.stop()
            while workers.started:
                workers.started.pop(os.wait()[0], None)
            sys.exit(1)
        workers.start()


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
