"""The ticker: fires every `@app.schedule` handler on its rate (moto and LocalStack never do).

`rate(...)` schedules fire every interval x `scale` (tests use a small scale, possibly for
named schedules only), the first time one interval after start, as EventBridge does after a
rule is created. `cron(...)` schedules
fire at their wall-clock minutes (UTC, unscaled); `L`, `W` and `#` are not supported and such
a schedule is logged and skipped. A run that is still going when its next tick comes is not
started twice (jobs are idempotent, but there is no point piling them up).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalice.app import Chalice, Cron, Rate, ScheduledEventConfig

from infra.local.appload import lambda_context
from infra.local.lambda_events import scheduled_event

log = logging.getLogger("ticker")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


def rate_seconds(expression: str) -> float:
    match = re.fullmatch(r"rate\((\d+)\s+(minute|hour|day)s?\)", expression.strip())
    if match is None:
        raise ValueError(f"not a rate expression: {expression}")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _field(text: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    if text in ("*", "?"):
        return set(range(low, high + 1))
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = _value(first, names), _value(last, names)
        else:
            start = _value(base, names)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    if not values or min(values) < low or max(values) > high:
        raise ValueError(f"cron field out of range: {text}")
    return values


def _value(text: str, names: dict[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not upper.isdigit():
        raise ValueError(f"unsupported cron token: {text}")
    return int(upper)


@dataclass(frozen=True)
class CronSpec:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 1 = Sunday, as in AWS
    years: frozenset[int]
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, expression: str) -> CronSpec:
        match = re.fullmatch(r"cron\((.+)\)", expression.strip())
        if match is None:
            raise ValueError(f"not a cron expression: {expression}")
        parts = match.group(1).split()
        if len(parts) != 6:
            raise ValueError(f"cron needs 6 fields: {expression}")
        minute, hour, dom, month, dow, year = parts
        return cls(
            frozenset(_field(minute, 0, 59, {})),
            frozenset(_field(hour, 0, 23, {})),
            frozenset(_field(dom, 1, 31, {})),
            frozenset(_field(month, 1, 12, _MONTHS)),
            frozenset(_field(dow, 1, 7, _DAYS)),
            frozenset(_field(year, 1970, 2199, {})),
            dom in ("*", "?"),
            dow in ("*", "?"),
        )

    def _day_matches(self, day: datetime) -> bool:
        weekday = (day.isoweekday() % 7) + 1  # Monday=1..Sunday=7 -> Sunday=1..Saturday=7
        if day.year not in self.years or day.month not in self.months:
            return False
        if self.any_day:
            return self.any_weekday or weekday in self.weekdays
        return day.day in self.days and (self.any_weekday or weekday in self.weekdays)

    def next_after(self, moment: datetime) -> datetime:
        start = (moment + timedelta(minutes=1)).replace(second=0, microsecond=0)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ValueError("cron expression never fires in the next five years")


def expression_of(source: ScheduledEventConfig) -> str:
    expression = source.schedule_expression
    if isinstance(expression, Rate | Cron):
        return expression.to_string()
    return str(expression)


@dataclass
class Job:
    name: str
    handler: Any
    expression: str
    scale: float
    next_at: float = 0.0
    running: threading.Lock = field(default_factory=threading.Lock)

    def schedule_next(self, now: float) -> None:
        if self.expression.startswith("rate("):
            self.next_at = now + max(0.05, rate_seconds(self.expression) * self.scale)
        else:
            moment = datetime.fromtimestamp(now, UTC)
            self.next_at = CronSpec.parse(self.expression).next_after(moment).timestamp()


class Ticker(threading.Thread):
    def __init__(
        self,
        app: Chalice,
        *,
        scale: float,
        region: str,
        stop: threading.Event,
        only: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(name="ticker", daemon=True)
        self.stop, self.region = stop, region
        self.jobs: list[Job] = []
        now = time.time()
        for source in app.event_sources:
            if not isinstance(source, ScheduledEventConfig):
                continue
            job_scale = scale if not only or source.name in only else 1.0
            job = Job(source.name, app.handler_map[source.name], expression_of(source), job_scale)
            try:
                job.schedule_next(now)
            except ValueError as exc:
                log.warning("schedule %s skipped: %s", source.name, exc)
                continue
            self.jobs.append(job)
            log.info("schedule %s: %s (scale %s)", job.name, job.expression, job_scale)

    def run(self) -> None:
        while not self.stop.is_set() and self.jobs:
            now = time.time()
            for job in self.jobs:
                if job.next_at <= now:
                    job.schedule_next(now)
                    self._fire(job)
            soonest = min(job.next_at for job in self.jobs)
            self.stop.wait(max(0.01, min(1.0, soonest - time.time())))

    def _fire(self, job: Job) -> None:
        if not job.running.acquire(blocking=False):
            log.info("schedule %s: previous run still going, tick skipped", job.name)
            return
        threading.Thread(
            target=self._run_job, args=(job,), name=f"job:{job.name}", daemon=True
        ).start()

    def _run_job(self, job: Job) -> None:
        try:
            job.handler(scheduled_event(job.name, self.region), lambda_context(job.name))
        except Exception:
            log.exception("schedule %s failed", job.name)
        finally:
            job.running.release()
