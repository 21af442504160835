"""The analytics reads: few queries each (one per month touched), never one per resource.

Admins see everyone's figures; anyone else sees only their own: every read picks its scope
from the principal (`ALL` / `R#` for an admin, `U#<self>` / `UR#<self>#` otherwise), so no
parameter can widen it. Per-user patterns are for admins only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.analytics import facts as f
from chalicelib.domain.analytics import report
from chalicelib.domain.analytics.report import DateRange, Totals
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.principal import Principal, require_admin
from chalicelib.services.analytics.grouping import (
    HEAD_COLUMNS,
    GroupBy,
    head_for,
    keys_for,
    summed,
)
from chalicelib.services.analytics.open_time import OpenTime, OpenTimeCache
from chalicelib.services.analytics.ports import CounterPort, LocationTree
from chalicelib.services.analytics.shaped_rows import ShapedRows
from chalicelib.services.analytics.totals_cache import TotalsCache

_DAY_METRICS = (f.BOOKINGS, f.BOOKED_MIN, f.USED_MIN, f.NO_SHOWS, f.REBOOKED_MIN, f.CANCELS)
_RESOURCE_METRICS = (f.BOOKINGS, f.BOOKED_MIN, f.USED_MIN, f.NO_SHOWS, f.REBOOKED_MIN)


@dataclass(frozen=True)
class Scope:
    """Which counters a principal reads."""

    everyone: bool
    user_id: str

    @property
    def totals(self) -> str:
        return f.ALL if self.everyone else f"U#{self.user_id}"

    @property
    def per_resource(self) -> str:
        return "R#" if self.everyone else f"UR#{self.user_id}#"

    def resource_of(self, scope: str) -> str:
        return scope[len(self.per_resource) :]


def scope_of(principal: Principal) -> Scope:
    return Scope(principal.is_admin, principal.subject_id)


class AnalyticsQueries:
    def __init__(
        self,
        counters: CounterPort,
        open_time: OpenTimeCache,
        clock: Clock,
        locations: LocationTree | None = None,
        totals_cache: TotalsCache | None = None,
        *,
        shaped_rows: ShapedRows | None = None,
    ) -> None:
        self._counters = counters
        self._open = open_time
        self._clock = clock
        self._locations = locations
        self._cache = totals_cache
        self._shaped = shaped_rows if totals_cache is not None else None

    def range(self, first: date | None, last: date | None) -> DateRange:
        return DateRange.of(first, last, self._clock.now().date())

    def _totals(self, scope: Scope, rng: DateRange) -> Totals:
        rows = self._counters.cells(
            f.MONTHLY_KIND, rng.months(), scope.totals, report.total_attrs(rng, f.METRICS)
        )
        return report.totals_by_scope(rows, rng).get(scope.totals, {})

    def _per_resource(
        self, scope: Scope, rng: DateRange, metrics: tuple[str, ...]
    ) -> dict[str, Totals]:
        def compute() -> dict[str, Totals]:
            rows = self._counters.cells(
                f.MONTHLY_KIND, rng.months(), scope.per_resource, report.total_attrs(rng, metrics)
            )
            by_scope = report.totals_by_scope(rows, rng)
            return {scope.resource_of(s): t for s, t in by_scope.items()}

        if self._cache is None or not scope.everyone:  # a user's rows are few: read them
            return compute()
        revisions = self._counters.revisions(rng.months())  # before the rows: see the cache
        span = (rng.first.isoformat(), rng.last.isoformat())
        return self._cache.get_or_compute(scope.per_resource, span, metrics, revisions, compute)

    # --- the endpoints' answers -------------------------------------------------------------

    def dashboard(self, principal: Principal, rng: DateRange) -> dict[str, Any]:
        scope = scope_of(principal)
        totals = self._totals(scope, rng)
        out: dict[str, Any] = {"scope": "all" if scope.everyone else "mine", **report.kpis(totals)}
        if scope.everyone:
            opened = self._open.for_range(rng, self._clock.now())
            open_min = sum(opened.open_minutes.values())
            out["resources"] = len(opened.resources)
            out["open_hours"] = round(open_min / 60, 2)
            out["utilisation"] = report.utilisation(totals.get(f.BOOKED_MIN, 0), open_min)
        return out

    def utilisation(
        self,
        principal: Principal,
        rng: DateRange,
        group: GroupBy,
        tag: str | None,
        **only: str | None,
    ) -> list[dict[str, Any]]:
        """One row per resource, or per tag / building / location (summed over the resources
        it holds; a location over its subtree): booked / open hours, booked versus used.
        `only` narrows the resources: `building=<name>`, `location=<group id>` (its subtree)."""
        location = only.get("location")
        if group == "resource" and not location and not only.get("building"):
            return self._rows(principal, rng, tag, stripped=True)
        tree = (
            self._locations.tree()
            if self._locations and (group == "location" or location)
            else None
        )
        # An unknown location is a 404 (tree.get), not an empty answer that looks like "idle".
        within = set(tree.subtree_ids(tree.get(location).group_id)) if tree and location else None
        rows = [
            r
            for r in self._rows(principal, rng, tag)
            if (not only.get("building") or r["_building"] == only["building"])
            and (within is None or r["_group"] in within)
        ]
        if group == "resource":
            return public(rows)
        return public(summed(rows, keys_for(group, tag, tree), head_for(group, tree), _row))

    def _rows(
        self, principal: Principal, rng: DateRange, tag: str | None, *, stripped: bool = False
    ) -> list[dict[str, Any]]:
        """Every resource's row (with `stripped`, without the internal minute fields): for
        admins shaped once per totals, catalogue, range and tag (shaped_rows.py)."""
        scope = scope_of(principal)
        per_resource = self._per_resource(scope, rng, _RESOURCE_METRICS)
        opened = self._open.for_range(rng, self._clock.now(), must_include=per_resource)

        def shape() -> list[dict[str, Any]]:
            return self._shape(scope, opened, per_resource, tag)

        if self._shaped is None or not scope.everyone:
            return public(shape()) if stripped else shape()
        query = (rng.first, rng.last, tag)
        if stripped:
            return self._shaped.public(per_resource, opened.resources, query, shape, public)
        return self._shaped.rows(per_resource, opened.resources, query, shape)

    @staticmethod
    def _shape(
        scope: Scope, opened: OpenTime, per_resource: dict[str, Totals], tag: str | None
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for resource in opened.resources:
            if tag and tag not in resource.tags:
                continue
            totals = per_resource.get(resource.resource_id, {})
            if not scope.everyone and not totals:
                continue  # a user's view lists the resources they booked
            rows.append(
                _row(
                    {
                        "resource_id": resource.resource_id,
                        "name": resource.name,
                        "tags": list(resource.tags),
                        "_building": resource.location.building,
                        "_group": resource.group_id,
                    },
                    totals,
                    opened.open_minutes.get(resource.resource_id, 0),
                )
            )
        return rows

    def booked_vs_used(self, principal: Principal, rng: DateRange) -> dict[str, Any]:
        """Totals and a per-day series of booked, checked-in, no-show and rebooked time."""
        scope = scope_of(principal)
        rows = self._counters.cells(
            f.MONTHLY_KIND, rng.months(), scope.totals, report.attrs_for(rng, _DAY_METRICS)
        )
        days = []
        for day in rng.days():
            month = f"{day.year:04d}-{day.month:02d}"
            counters = rows.get((month, scope.totals), {})
            got = {m: counters.get(f"{m}_{day.day:02d}", 0) for m in _DAY_METRICS}
            days.append({"date": day.isoformat(), **report.kpis(got)})
        return {
            "totals": report.kpis(report.day_sums_by_scope(rows, rng).get(scope.totals, {})),
            "days": days,
        }

    def peaks(
        self, principal: Principal, rng: DateRange, zone: ZoneInfo, resource_id: str | None
    ) -> list[list[float]]:
        scope = scope_of(principal)
        cell = scope.totals
        if resource_id is not None:
            if not scope.everyone:
                raise InvalidInput(
                    "only administrators filter peaks by resource", code="admin_only_filter"
                )
            cell = f"R#{resource_id}"
        rows = self._counters.cells(f.HOURLY_KIND, rng.months(), cell, ())
        exact = {k: v for k, v in rows.items() if k[1] == cell}
        return report.peak_matrix(exact, rng, zone)

    def popular(self, principal: Principal, rng: DateRange, limit: int) -> list[dict[str, Any]]:
        rows = [r for r in self.utilisation(principal, rng, "resource", None) if r["reservations"]]
        rows.sort(key=lambda r: (-r["reservations"], -r["booked_hours"], r["name"]))
        return rows[:limit]

    def cancellations(self, principal: Principal, rng: DateRange) -> dict[str, Any]:
        k = report.kpis(self._totals(scope_of(principal), rng))
        keys = (
            "reservations",
            "cancellations",
            "cancellation_rate",
            "avg_lead_hours",
            "avg_cancel_lead_hours",
        )
        return {key: k[key] for key in keys}

    def user_patterns(self, principal: Principal, rng: DateRange) -> list[dict[str, Any]]:
        require_admin(principal)
        rows = self._counters.cells(
            f.MONTHLY_KIND, rng.months(), "U#", report.total_attrs(rng, f.METRICS)
        )
        out: list[dict[str, Any]] = [
            {"user_id": scope[2:], **report.kpis(totals)}
            for scope, totals in report.totals_by_scope(rows, rng).items()
        ]
        out.sort(key=lambda r: (-r["reservations"], r["user_id"]))
        return out

    def utilisation_csv(
        self,
        principal: Principal,
        rng: DateRange,
        group: GroupBy,
        tag: str | None,
        **only: str | None,
    ) -> Iterator[Sequence[object]]:
        rows = self.utilisation(principal, rng, group, tag, **only)
        columns = [*HEAD_COLUMNS[group], *_FIGURES]
        yield columns
        for row in rows:
            yield [row.get(c) if row.get(c) is not None else "" for c in columns]


_FIGURES = (
    "open_hours",
    "booked_hours",
    "utilisation",
    "checked_in_hours",
    "reservations",
    "no_shows",
    "no_show_rate",
    "released_rebooked_hours",
)


def _row(head: dict[str, Any], totals: Totals, open_min: int) -> dict[str, Any]:
    k = report.kpis(totals)
    return {
        **head,
        "open_hours": round(open_min / 60, 2),
        "booked_hours": k["booked_hours"],
        "utilisation": report.utilisation(totals.get(f.BOOKED_MIN, 0), open_min),
        "checked_in_hours": k["checked_in_hours"],
        "reservations": k["reservations"],
        "no_shows": k["no_shows"],
        "no_show_rate": k["no_show_rate"],
        "released_rebooked_hours": k["released_rebooked_hours"],
        "_booked_min": totals.get(f.BOOKED_MIN, 0),
        "_used_min": totals.get(f.USED_MIN, 0),
        "_rebooked_min": totals.get(f.REBOOKED_MIN, 0),
        "_open_min": open_min,
    }


def _strip(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def public(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without the internal minute fields."""
    return [_strip(r) for r in rows]
