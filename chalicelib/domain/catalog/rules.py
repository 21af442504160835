"""Pure rules of the resource catalogue: normalisation, validation and the live status.

No I/O and no clock: every function that needs the time takes `now`. Validation collects
every problem of a draft at once (a form or a CSV row shows all of them, not the first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from chalicelib.domain.catalog.resources import (
    MAX_RESERVATION_SPAN,
    BookingPolicy,
    Location,
    Maintenance,
    Resource,
    ResourceStatus,
)
from chalicelib.domain.errors import InvalidInput

NAME_MAX = 100
DESCRIPTION_MAX = 2000
LOCATION_PART_MAX = 100
TAG_MAX_LENGTH = 32
TAGS_MAX = 20
CAPACITY_MAX = 100_000
APPROVERS_MAX = 20
BUFFER_MAX = timedelta(hours=24)
HORIZON_MAX = timedelta(days=5 * 365)
NOTICE_MAX = timedelta(days=30)
MAINTENANCE_HOURS_MAX = 24 * 30
REASON_MAX = 500
_TAG = re.compile(r"^[a-z0-9 _-]+$")
_APPROVER = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")


@dataclass(frozen=True)
class Problem:
    """One invalid field: `field` is the API name (e.g. `tags`, `max_duration_minutes`)."""

    field: str
    message: str


def invalid(code: str, message: str, problems: Iterable[Problem]) -> InvalidInput:
    details = [{"field": p.field, "message": p.message} for p in problems]
    return InvalidInput(message, code=code, details=details)


# --- names and tags -------------------------------------------------------------------------


def normalize_name(raw: str) -> str:
    """Inner runs of whitespace collapse to one space, so 'Room  1' and 'Room 1' collide."""
    return " ".join(raw.split())


def name_key(name: str) -> str:
    """The case-insensitive identity of a name (uniqueness and sorting)."""
    return normalize_name(name).casefold()


def name_problems(name: str) -> list[Problem]:
    if not name:
        return [Problem("name", "name must not be empty")]
    if len(name) > NAME_MAX:
        return [Problem("name", f"name must be at most {NAME_MAX} characters")]
    return []


def normalize_tag(raw: str) -> str:
    return " ".join(raw.lower().split())


def tag_problem(tag: str) -> str | None:
    if not tag:
        return "tags must not be empty"
    if len(tag) > TAG_MAX_LENGTH:
        return f"tag '{tag[:40]}' is longer than {TAG_MAX_LENGTH} characters"
    if not _TAG.match(tag):
        return f"tag '{tag}' may only contain a-z, 0-9, space, '-' and '_'"
    return None


def clean_tag(raw: str, *, field_name: str = "tag") -> str:
    """One tag from user input (tag rename/delete routes), or InvalidInput."""
    tag = normalize_tag(raw)
    problem = tag_problem(tag)
    if problem:
        raise invalid("invalid_tag", problem, [Problem(field_name, problem)])
    return tag


def normalize_tags(raw: Iterable[str]) -> tuple[tuple[str, ...], list[Problem]]:
    """Lower-case, trimmed, deduplicated (first occurrence wins), at most TAGS_MAX."""
    tags: list[str] = []
    problems: list[Problem] = []
    for item in raw:
        tag = normalize_tag(item)
        problem = tag_problem(tag)
        if problem:
            problems.append(Problem("tags", problem))
        elif tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        problems.append(Problem("tags", f"a resource may have at most {TAGS_MAX} tags"))
    return tuple(tags), problems


# --- time zones and policy ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _iana_zones() -> frozenset[str]:
    # The zoneinfo database also holds aliases of the host ("localtime") and helper files
    # ("posix/...", "right/...", "Factory"): only the canonical IANA names are resources' zones.
    return frozenset(available_timezones()) - {"localtime", "Factory"}


def zone_problem(name: str) -> str | None:
    if name not in _iana_zones():
        return f"'{name[:64]}' is not an IANA time zone (e.g. Europe/Berlin, UTC)"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"'{name[:64]}' is not an IANA time zone (e.g. Europe/Berlin, UTC)"
    return None


def zone_of(resource: Resource) -> ZoneInfo:
    return ZoneInfo(resource.timezone)


def policy_problems(policy: BookingPolicy) -> list[Problem]:
    problems: list[Problem] = []
    if policy.min_duration < timedelta(minutes=1):
        problems.append(Problem("min_duration_minutes", "must be at least 1 minute"))
    if policy.max_duration > MAX_RESERVATION_SPAN:
        days = MAX_RESERVATION_SPAN.days
        problems.append(Problem("max_duration_minutes", f"must be at most {days} days"))
    if policy.max_duration < policy.min_duration:
        problems.append(Problem("max_duration_minutes", "must not be below min_duration_minutes"))
    for name, value in (
        ("buffer_before_minutes", policy.buffer_before),
        ("buffer_after_minutes", policy.buffer_after),
    ):
        if not timedelta(0) <= value <= BUFFER_MAX:
            problems.append(Problem(name, "must be between 0 and 1440 minutes"))
    if not timedelta(days=1) <= policy.horizon <= HORIZON_MAX:
        problems.append(Problem("booking_horizon_days", "must be between 1 and 1825 days"))
    if not timedelta(0) <= policy.min_notice <= NOTICE_MAX:
        problems.append(Problem("min_notice_minutes", "must be between 0 and 43200 minutes"))
    return problems


# --- the editable part of a resource --------------------------------------------------------


@dataclass(frozen=True)
class ResourceDraft:
    """What an admin sets on a resource (create, replace, patch, CSV row)."""

    name: str
    description: str = ""
    tags: tuple[str, ...] = ()
    capacity: int = 1
    location: Location = field(default_factory=Location)
    timezone: str = "UTC"
    enabled: bool = True
    requires_approval: bool = False
    approvers: tuple[str, ...] = ()
    policy: BookingPolicy = field(default_factory=BookingPolicy)


def draft_of(resource: Resource) -> ResourceDraft:
    return ResourceDraft(
        name=resource.name,
        description=resource.description,
        tags=resource.tags,
        capacity=resource.capacity,
        location=resource.location,
        timezone=resource.timezone,
        enabled=resource.enabled,
        requires_approval=resource.requires_approval,
        approvers=resource.approvers,
        policy=resource.policy,
    )


def _location(raw: Location) -> tuple[Location, list[Problem]]:
    parts = {k: " ".join(getattr(raw, k).split()) for k in ("building", "floor", "room")}
    problems = [
        Problem(f"location.{k}", f"must be at most {LOCATION_PART_MAX} characters")
        for k, v in parts.items()
        if len(v) > LOCATION_PART_MAX
    ]
    return Location(**parts), problems


def _approvers(
    raw: Iterable[str], requires_approval: bool
) -> tuple[tuple[str, ...], list[Problem]]:
    approvers = tuple(dict.fromkeys(a.strip() for a in raw))
    problems = [
        Problem("approvers", f"'{a[:70]}' is not a user id")
        for a in approvers
        if not _APPROVER.match(a)
    ]
    if len(approvers) > APPROVERS_MAX:
        problems.append(Problem("approvers", f"at most {APPROVERS_MAX} approvers"))
    if approvers and not requires_approval:
        problems.append(Problem("approvers", "approvers need requires_approval to be true"))
    return approvers, problems


def draft_problems(draft: ResourceDraft) -> tuple[ResourceDraft, list[Problem]]:
    """The normalised draft and every problem found in it (empty list: valid)."""
    name = normalize_name(draft.name)
    problems = name_problems(name)
    description = draft.description.strip()
    if len(description) > DESCRIPTION_MAX:
        problems.append(Problem("description", f"must be at most {DESCRIPTION_MAX} characters"))
    tags, tag_issues = normalize_tags(draft.tags)
    location, location_issues = _location(draft.location)
    approvers, approver_issues = _approvers(draft.approvers, draft.requires_approval)
    problems += tag_issues + location_issues + approver_issues
    if not 1 <= draft.capacity <= CAPACITY_MAX:
        problems.append(Problem("capacity", f"must be between 1 and {CAPACITY_MAX}"))
    zone = zone_problem(draft.timezone)
    if zone:
        problems.append(Problem("timezone", zone))
    problems += policy_problems(draft.policy)
    cleaned = replace(
        draft,
        name=name,
        description=description,
        tags=tags,
        location=location,
        approvers=approvers,
    )
    return cleaned, problems


def clean_draft(draft: ResourceDraft) -> ResourceDraft:
    cleaned, problems = draft_problems(draft)
    if problems:
        raise invalid("invalid_resource", "the resource is not valid", problems)
    return cleaned


def new_resource(draft: ResourceDraft, resource_id: str, now: datetime) -> Resource:
    d = clean_draft(draft)
    return Resource(
        resource_id=resource_id,
        name=d.name,
        description=d.description,
        tags=d.tags,
        capacity=d.capacity,
        location=d.location,
        timezone=d.timezone,
        enabled=d.enabled,
        requires_approval=d.requires_approval,
        approvers=d.approvers,
        policy=d.policy,
        created_at=now,
        updated_at=now,
        version=1,
    )


def revise(resource: Resource, draft: ResourceDraft, now: datetime) -> Resource:
    """The resource after an edit; the store bumps `version` when it writes it."""
    d = clean_draft(draft)
    return replace(
        resource,
        name=d.name,
        description=d.description,
        tags=d.tags,
        capacity=d.capacity,
        location=d.location,
        timezone=d.timezone,
        enabled=d.enabled,
        requires_approval=d.requires_approval,
        approvers=d.approvers,
        policy=d.policy,
        updated_at=now,
    )


def retag(tags: tuple[str, ...], old: str, new: str | None) -> tuple[str, ...]:
    """Replace (or drop, when `new` is None) one tag, keeping order and uniqueness."""
    out: list[str] = []
    for tag in tags:
        value = new if tag == old else tag
        if value is not None and value not in out:
            out.append(value)
    return tuple(out)


# --- maintenance and live status ------------------------------------------------------------


def begin_maintenance(now: datetime, reason: str, auto_reset_hours: int) -> Maintenance:
    """`auto_reset_hours` 0 means until an admin ends it."""
    problems: list[Problem] = []
    if not 0 <= auto_reset_hours <= MAINTENANCE_HOURS_MAX:
        problems.append(
            Problem("auto_reset_hours", f"must be between 0 and {MAINTENANCE_HOURS_MAX}")
        )
    if len(reason.strip()) > REASON_MAX:
        problems.append(Problem("reason", f"must be at most {REASON_MAX} characters"))
    if problems:
        raise invalid("invalid_maintenance", "the maintenance request is not valid", problems)
    reset_at = now + timedelta(hours=auto_reset_hours) if auto_reset_hours else None
    return Maintenance(started_at=now, reason=reason.strip(), auto_reset_at=reset_at)


@dataclass(frozen=True)
class Occupant:
    """The occupying reservation a resource is in right now. `user_id` only decides who may
    see the reservation's id (its owner and admins); it is never shown."""

    reservation_id: str
    start: datetime
    end: datetime
    user_id: str = field(default="", compare=False)


@dataclass(frozen=True)
class StatusReport:
    status: ResourceStatus
    maintenance: Maintenance | None  # only while it is in force
    seconds_until_reset: int | None
    occupant: Occupant | None


def live_status(resource: Resource, now: datetime, occupant: Occupant | None) -> ResourceStatus:
    """disabled > maintenance > in_use > available; an expired auto-reset is simply over."""
    if not resource.enabled:
        return ResourceStatus.DISABLED
    if resource.in_maintenance(now):
        return ResourceStatus.MAINTENANCE
    if occupant is not None and occupant.start <= now < occupant.end:
        return ResourceStatus.IN_USE
    return ResourceStatus.AVAILABLE


def status_report(resource: Resource, now: datetime, occupant: Occupant | None) -> StatusReport:
    status = live_status(resource, now, occupant)
    maintenance = resource.maintenance if resource.in_maintenance(now) else None
    countdown = None
    if maintenance is not None and maintenance.auto_reset_at is not None:
        countdown = max(0, int((maintenance.auto_reset_at - now).total_seconds()))
    current = occupant if occupant is not None and occupant.start <= now < occupant.end else None
    return StatusReport(status, maintenance, countdown, current)


def maintenance_until(resource: Resource) -> datetime | None:
    """When the current maintenance stops counting (None: no maintenance or open-ended)."""
    m = resource.maintenance
    return None if m is None else m.auto_reset_at


# --- listing --------------------------------------------------------------------------------

SORT_FIELDS = ("name", "created")


@dataclass(frozen=True)
class ResourceQuery:
    """Filters of the resource list; every one must match (tags: all of them)."""

    q: str = ""
    tags: tuple[str, ...] = ()
    building: str = ""
    floor: str = ""
    capacity_min: int | None = None
    status: ResourceStatus | None = None
    enabled: bool | None = None
    sort: str = "name"
    descending: bool = False
    # Locations and labels (catalog14). `group` is a group id; the service resolves it into
    # `group_ids` (the whole subtree) before the store sees the query.
    group: str = ""
    group_ids: tuple[str, ...] | None = None
    ungrouped: bool = False
    labels: tuple[str, ...] = ()
    label_match: str = "all"  # or "any"


def clean_query(query: ResourceQuery) -> ResourceQuery:
    tags, problems = normalize_tags(query.tags)
    if query.sort not in SORT_FIELDS:
        problems.append(Problem("sort", "sort must be one of " + ", ".join(SORT_FIELDS)))
    if problems:
        raise invalid("invalid_query", "the listing filters are not valid", problems)
    return replace(
        query,
        q=" ".join(query.q.split()).casefold(),
        tags=tags,
        building=" ".join(query.building.split()).casefold(),
        floor=" ".join(query.floor.split()).casefold(),
    )
