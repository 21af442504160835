"""`make stop`: stop the stack recorded in .local/stack.json, by PID, never by name.

A recorded PID is signalled only while it still runs the exact command line we started
(PIDs are reused after a process exits). The runner is asked first (it stops its children in
order); whatever is still ours afterwards is stopped directly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from infra.local.config import PROJECT_DIR
from infra.local.procs import is_ours, stop_pid

RUNNER_MODULE = "infra.local.run"


def _wait_gone(pids: list[tuple[int, list[str]]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(is_ours(pid, argv) for pid, argv in pids):
        time.sleep(0.1)


def stop_recorded(state: dict[str, Any], timeout: float = 8.0) -> list[str]:
    """Stop what `state` records; returns the names of the processes that were signalled."""
    stopped: list[str] = []
    children = [(c["name"], int(c["pid"]), list(c["argv"])) for c in state.get("children", [])]
    runner = state.get("runner") or {}
    runner_argv = list(runner.get("argv") or [])
    # Only a `make run` runner is ours to stop (never, say, a test session that started a stack).
    if RUNNER_MODULE in runner_argv and stop_pid(int(runner["pid"]), runner_argv, timeout):
        stopped.append("runner")
        _wait_gone([(pid, argv) for _, pid, argv in children], timeout)
    for name, pid, argv in reversed(children):
        if stop_pid(pid, argv, timeout=5.0):
            stopped.append(name)
    return stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make stop", description=__doc__)
    parser.add_argument("--state-dir", type=Path, default=PROJECT_DIR / ".local")
    args = parser.parse_args(argv)
    pid_file = args.state_dir / "stack.json"
    try:
        state = json.loads(pid_file.read_text())
    except FileNotFoundError:
        print("no local stack recorded (nothing to stop)")
        return 0
    except ValueError:
        print(f"{pid_file} is not valid JSON; remove it by hand", file=sys.stderr)
        return 1
    stopped = stop_recorded(state)
    pid_file.unlink(missing_ok=True)
    print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
