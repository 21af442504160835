"""Utilisation rows per resource summed into rows per tag, building or location (issue 12).

Each group's row is the sum of its resources' booked, used and open minutes, so its
utilisation is booked / open hours over exactly the resources it holds; a location's row
covers its whole subtree (a room in a floor of a building counts in the floor and in the
building). Pure: the per-resource rows and the location tree come from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

from chalicelib.domain.analytics import facts as f
from chalicelib.domain.analytics.report import Totals
from chalicelib.domain.catalog.groups import Tree

GroupBy = Literal["resource", "tag", "building", "location"]
Row = dict[str, Any]

# What each per-resource row adds to its groups: internal row field -> counter metric.
_SUMMED = (
    ("_booked_min", f.BOOKED_MIN),
    ("_used_min", f.USED_MIN),
    ("_rebooked_min", f.REBOOKED_MIN),
    ("reservations", f.BOOKINGS),
    ("no_shows", f.NO_SHOWS),
    ("_open_min", "open"),
)

# The leading CSV columns of each grouping (the figures follow).
HEAD_COLUMNS: dict[str, tuple[str, ...]] = {
    "resource": ("resource_id", "name"),
    "tag": ("tag",),
    "building": ("building",),
    "location": ("location_id", "name"),
}


def summed(
    rows: Iterable[Row],
    keys_of: Callable[[Row], Iterable[str]],
    head_of: Callable[[str], Row],
    make_row: Callable[[Row, Totals, int], Row],
) -> list[Row]:
    """One row per key (sorted by key): the sums of the rows that name it."""
    totals: dict[str, Totals] = {}
    for row in rows:
        for group_key in keys_of(row):
            sums = totals.setdefault(group_key, {})
            for src, metric in _SUMMED:
                sums[metric] = sums.get(metric, 0) + int(row[src])
    return [make_row(head_of(k), t, t.get("open", 0)) for k, t in sorted(totals.items())]


def keys_for(group: GroupBy, only_tag: str | None, tree: Tree | None) -> Callable[[Row], list[str]]:
    """Which groups a per-resource row counts in."""
    if group == "tag":
        return lambda row: [t for t in row["tags"] if not only_tag or t == only_tag]
    if group == "building":
        return lambda row: [row["_building"]] if row["_building"] else []
    if tree is None:
        raise ValueError("grouping by location needs the location tree")
    return lambda row: [g.group_id for g in tree.ancestors(row["_group"])] if row["_group"] else []


def head_for(group: GroupBy, tree: Tree | None) -> Callable[[str], Row]:
    if group == "tag":
        return lambda key: {"tag": key}
    if group == "building":
        return lambda key: {"building": key}
    assert tree is not None
    return lambda key: {"location_id": key, "name": tree.groups[key].name}
