"""Child processes of the local stack: started, watched and stopped by PID, never by name."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    # Linux only: if the runner is killed (-9, a crashed test session), the kernel sends
    # SIGTERM to its children, so no orphaned DynamoDB Local keeps a port busy.
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def log_tail(self, lines: int = 25) -> str:
        self._log.flush()
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def terminate(self) -> None:
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)

    def wait_or_kill(self, timeout: float) -> None:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            self.process.wait(timeout=5)
        finally:
            self._log.close()


def spawn(name: str, argv: list[str], *, env: dict[str, str], cwd: Path, log_dir: Path) -> Child:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Own session: Ctrl-C reaches only the runner, which then stops children in order.
        start_new_session=True,
        preexec_fn=die_with_parent,  # noqa: PLW1509 - sets one prctl flag, no locks taken
    )
    return Child(name, argv, process, log_path, log)


def stop_children(children: list[Child], timeout: float = 5.0) -> None:
    """SIGTERM every child (in reverse start order), then wait; SIGKILL what is left."""
    for child in reversed(children):
        child.terminate()
    for child in reversed(children):
        child.wait_or_kill(timeout)


def cmdline(pid: int) -> list[str] | None:
    """The argv of a running process, or None when it is gone (Linux /proc, else `ps`)."""
    if Path("/proc/self/cmdline").exists():
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return [part.decode(errors="replace") for part in raw.split(b"\0") if part] or None
    result = subprocess.run(
        ["ps", "-p", str(pid), "-o", "args="], capture_output=True, text=True, check=False
    )
    text = result.stdout.strip()
    return text.split() if text else None


def child_pids(pid: int) -> list[int]:
    """The live children of `pid` (Linux /proc; empty elsewhere or when it is gone)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(part) for part in children.read_text().split()]
    return sorted(found)


def is_ours(pid: int, argv: list[str]) -> bool:
    """True when `pid` still runs the command we started (PIDs are reused after exit)."""
    return cmdline(pid) == argv


def stop_pid(pid: int, argv: list[str], timeout: float = 5.0) -> bool:
    """Stop one recorded process if it is still ours; returns True when it was signalled."""
    if not is_ours(pid, argv):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_ours(pid, argv):
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return True
