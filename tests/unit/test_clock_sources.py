"""The app reads the time from one place: `Clock`. A module that reads the machine's clock
directly would make the frozen test clock lie (and a suite that only passes near the day it
was written). This check fails on any such read in `chalicelib/`; the date-shifted run in
`make test` (libfaketime, a year ahead and back) proves the rest."""

from __future__ import annotations

import re
from pathlib import Path

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
ALLOWED = {CHALICELIB / "domain" / "clock.py"}
WALL_CLOCK_READS = re.compile(
    r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(|time\.time_ns\("
    r"|\bULID\(\)|ULID\.from_timestamp\(time"
)


def test_no_module_reads_the_machine_clock_outside_clock_py() -> None:
    offenders = [
        f"{path.relative_to(CHALICELIB.parent)}:{number}: {line.strip()}"
        for path in sorted(CHALICELIB.rglob("*.py"))
        if path not in ALLOWED
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if WALL_CLOCK_READS.search(line)
    ]
    assert offenders == []


def test_the_check_recognises_a_wall_clock_read() -> None:
    assert WALL_CLOCK_READS.search("at = datetime.now(UTC)")
    assert WALL_CLOCK_READS.search("write_id = str(ULID())")
    assert not WALL_CLOCK_READS.search("at = self._clock.now()")
