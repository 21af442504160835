"""Composite resources (issue 14): which other resources a booking occupies.

A composite (a divisible hall) is made of parts (hall A, hall B); one level only: a composite
is never a part, a part is never a composite. Each resource may have a links item
(`RESOURCE#<id>` / `LINKS`: `parts` of a composite, `part_of` of a part). A window on resource
R also occupies `related(R)`:
- R a composite: its parts, and every other composite sharing one of them (booking "A+B"
  must see a booking of "A+C");
- R a part: the composites containing it (two parts of one composite never block each other).
The relation is symmetric, so two conflicting bookings on related resources both bump the
day versions of a resource they share: at most one of two racing transactions commits.

Order (see booking_tx): the booked resource's day versions are read BEFORE its links. A
booking on a related resource that committed before our version read was made after the
link existed (or we would not share it), so our links read sees the link; one that commits
after our version read changes a version we condition on.

The days bumped on a related resource are those of the window widened by the booked
resource's reach (buffer before + after) on BOTH sides: the other resource's bookings may
have other buffers, and a conflict judged with either side's buffers must share a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from chalicelib.domain.reservations.conflicts import Buffers
from chalicelib.store import dynamo
from chalicelib.store.dynamo import Item
from chalicelib.store.reservations.items import key, resource_pk, table_name

LINKS_SK = "LINKS"
MAX_PARTS = 8  # parts per composite
MAX_COMPOSITES_PER_PART = 4  # composites one resource may be a part of


@dataclass(frozen=True)
class Links:
    """A resource's composite links as stored (`version` None: no links item yet)."""

    resource_id: str
    parts: tuple[str, ...] = ()
    part_of: tuple[str, ...] = ()
    version: int | None = None

    @property
    def is_composite(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True)
class Shadow:
    """A booked window seen from a related resource: `index` into the occupation's windows,
    checked with the booked window's `buffers`, bumping the days of `day_buffers`."""

    index: int
    resource_id: str
    buffers: Buffers

    @property
    def day_buffers(self) -> Buffers:
        reach = self.buffers.before + self.buffers.after
        return Buffers(reach, reach)


def related(resource_id: str, links: Mapping[str, Links]) -> tuple[str, ...]:
    """The resources a booking of `resource_id` also occupies (pure; `links` must hold the
    resource's own links and, for a composite, its parts' links)."""
    own = links.get(resource_id) or Links(resource_id)
    found = set(own.parts) | set(own.part_of)
    for part in own.parts:
        found |= set((links.get(part) or Links(part)).part_of)
    found.discard(resource_id)
    return tuple(sorted(found))


def links_key(resource_id: str) -> dict[str, dict[str, str]]:
    return key(resource_pk(resource_id), LINKS_SK)


def links_from_raw(resource_id: str, raw: Item | None) -> Links:
    if not raw:
        return Links(resource_id)
    return Links(
        resource_id,
        parts=tuple(v["S"] for v in raw.get("parts", {}).get("L", [])),
        part_of=tuple(v["S"] for v in raw.get("part_of", {}).get("L", [])),
        version=int(raw["ver"]["N"]) if "ver" in raw else None,
    )


def read_links(resource_ids: Iterable[str]) -> dict[str, Links]:
    """The links of `resource_ids`, strongly consistent (one BatchGetItem)."""
    ids = sorted(set(resource_ids))
    if not ids:
        return {}
    found = dynamo.batch_get(table_name(), [links_key(r) for r in ids])
    return {r: links_from_raw(r, found.get((resource_pk(r), LINKS_SK))) for r in ids}


def expand_ids(
    resource_ids: Iterable[str], known: Mapping[str, Links] | None = None
) -> dict[str, tuple[str, ...]]:
    """`related` of each resource, reading its links and (for composites) its parts' links;
    links in `known` (read by the caller, see `guard`) are not read again."""
    ids = set(resource_ids)
    links = _known_or_read(ids, known)
    parts = {p for lk in links.values() for p in lk.parts} - ids
    links.update(_known_or_read(parts, known))
    return {r: related(r, links) for r in ids}


def _known_or_read(ids: set[str], known: Mapping[str, Links] | None) -> dict[str, Links]:
    given = {r: known[r] for r in ids if known and r in known}
    return {**given, **read_links(ids - set(given))}


def shadows_of(
    resource_ids: Sequence[str],
    buffers: Sequence[Buffers],
    known: Mapping[str, Links] | None = None,
) -> list[Shadow]:
    """The shadow windows of an occupation whose i-th window is on `resource_ids[i]`."""
    expansion = expand_ids(resource_ids, known)
    return [
        Shadow(index, other, buffers[index])
        for index, rid in enumerate(resource_ids)
        for other in expansion[rid]
    ]


def guard(links: Links, table: str) -> Item:
    """A transaction's check that `links` is still as read (issue 16). The booking path reads
    the booked resource's links in the same BatchGetItem as its day versions, so possibly
    BEFORE them, which the order above forbids; this check restores it: a link written after
    our read fails our transaction (which then re-reads, links after versions), one written
    before it was seen."""
    values: dict[str, object] = {}
    if links.version is None:
        condition = "attribute_not_exists(#v)"
    else:
        condition = "#v = :seen"
        values[":seen"] = {"N": str(links.version)}
    check: Item = {
        "TableName": table,
        "Key": links_key(links.resource_id),
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#v": "ver"},
    }
    if values:
        check["ExpressionAttributeValues"] = values
    return {"ConditionCheck": check}


def links_put(links: Links, table: str) -> Item:
    """Write `links` (bumping its version) only if nobody changed it since it was read."""
    values: dict[str, object] = {
        ":next": {"N": str((links.version or 0) + 1)},
        ":parts": {"L": [{"S": p} for p in links.parts]},
        ":of": {"L": [{"S": c} for c in links.part_of]},
        ":type": {"S": "resource_links"},
    }
    if links.version is None:
        condition = "attribute_not_exists(#v)"
    else:
        condition = "#v = :seen"
        values[":seen"] = {"N": str(links.version)}
    return {
        "Update": {
            "TableName": table,
            "Key": links_key(links.resource_id),
            "UpdateExpression": "SET #v = :next, parts = :parts, part_of = :of, #t = :type",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#v": "ver", "#t": "type"},
            "ExpressionAttributeValues": values,
        }
    }
