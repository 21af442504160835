"""Save a large API answer (an export) to a file, with a progress bar on a terminal.

The body goes to a temporary file next to the target and is renamed into place only when
it arrived whole, so an interrupted export never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import httpx
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from cli.client import ApiClient, CliError
from cli.output import Output


def download(
    client: ApiClient, out: Output, path: str, params: dict[str, Any], target: Path
) -> int:
    """Stream GET `path` into `target`; returns the number of bytes written."""
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise CliError(f"cannot write to {directory}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as sink, client.stream(path, params=params) as response:
            written = _copy(response, sink, out, target.name)
        os.replace(temp, target)
    except OSError as exc:
        _discard(temp)
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        _discard(temp)
        raise
    return written


def _discard(temp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)


def _copy(response: httpx.Response, sink: Any, out: Output, label: str) -> int:
    total = int(response.headers.get("Content-Length") or 0) or None
    written = 0
    with _bar(out, label, total) as advance:
        try:
            for chunk in response.iter_bytes():
                sink.write(chunk)
                written += len(chunk)
                advance(len(chunk))
        except httpx.HTTPError as exc:
            raise CliError(f"the download broke off after {written} bytes: {exc}") from exc
    return written


@contextlib.contextmanager
def _bar(out: Output, label: str, total: int | None) -> Any:
    """A byte progress bar on a terminal; off a terminal nothing (the caller sums up)."""
    if not out.err.is_terminal:
        yield lambda _n: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=out.err) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)
