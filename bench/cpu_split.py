"""Where a create's CPU goes: seconds of CPU per stack piece during N creates (figures).

Starts its own local stack (tests/e2e/race_kit.py's way), warms it up, then runs N creates
at C clients (bench/booking.py's phase) and reads each piece's CPU time from /proc before
and after: DynamoDB Local, moto, the workers (stream pump, queue handlers, ticker), every
API worker process, and this process (the clients). "after" adds the 8 s that follow, when
the event pipeline finishes the bookings' events. With `--pause-workers` the workers are
stopped while measuring (the request path alone). Linux only.

    .venv/bin/python -m bench.cpu_split [--creates 300] [--clients 1] [--pause-workers]
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.booking import RESOURCES, Slots, run_phase
from infra.local.config import Ports, StackConfig
from infra.local.procs import child_pids
from infra.local.stack import RunningStack, start_stack
from tests.e2e.conftest import free_port
from tests.e2e.race_kit import Target, register_users, seed_resources

TICKS = os.sysconf("SC_CLK_TCK")
SETTLE_S = 8


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its waited-for children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / TICKS


def snapshot(stack: RunningStack) -> dict[str, float]:
    seen: dict[str, float] = {}
    for child in stack.children:
        seen[child.name] = cpu_seconds(child.pid)
        for worker in child_pids(child.pid):
            seen[f"{child.name} worker {worker}"] = cpu_seconds(worker)
    seen["clients (this process)"] = time.process_time()
    return seen


@contextmanager
def warmed_stack(
    prefix: str, *, users: int
) -> Iterator[tuple[RunningStack, Target, list[str], Slots]]:
    """A fresh local stack on free ports with `users` signed-in users and the bench's
    resources, warmed up by 10 creates per user (caches, connections, the JVM's JIT)."""
    ports = Ports(*(free_port() for _ in range(5)))
    state = Path(tempfile.mkdtemp(prefix=prefix))
    with start_stack(StackConfig(ports=ports, state_dir=state, frontend_dir=None)) as stack:
        target = Target(stack.urls["api"], stack.dynamodb_url)
        tokens = register_users(target, users)
        slots = Slots(seed_resources(target, RESOURCES))
        run_phase("warm-up", target, tokens, users, 10 * users, slots.next)
        time.sleep(3)
        yield stack, target, tokens, slots


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--pause-workers", action="store_true")
    args = parser.parse_args(argv)
    with warmed_stack("bench-cpu-split-", users=8) as (stack, target, tokens, slots):
        workers = stack.child("workers").pid
        if args.pause_workers:
            os.kill(workers, signal.SIGSTOP)
        before = snapshot(stack)
        phase = run_phase("create", target, tokens, args.clients, args.creates, slots.next)
        during = snapshot(stack)
        if args.pause_workers:
            os.kill(workers, signal.SIGCONT)
        time.sleep(SETTLE_S)
        after = snapshot(stack)
    print(phase.report())
    print(f"load: {Path('/proc/loadavg').read_text().strip()}")
    print(f"{'piece':32s} {'CPU ms per create':>18s} {'with the next 8 s':>18s}")
    for piece, start in before.items():
        now, later = during.get(piece, start) - start, after.get(piece, start) - start
        per, per_later = 1000 * now / args.creates, 1000 * later / args.creates
        print(f"{piece:32s} {per:18.1f} {per_later:18.1f}")


if __name__ == "__main__":
    main()
