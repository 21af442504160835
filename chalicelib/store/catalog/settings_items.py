"""Global settings items (`SETTINGS` / <name>): for now, the default business hours.

A setting is replaced whole by an admin; last writer wins is the intended semantics (there
is no invariant spanning items), and the item records who wrote it and when.
"""

from __future__ import annotations

import json
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.catalog.hours import parse_week, render_week
from chalicelib.domain.catalog.resources import BusinessHours
from chalicelib.domain.timeutil import iso_z
from chalicelib.store import audit_stamp
from chalicelib.store.catalog import reference_cache
from chalicelib.store.table import TableItem, bind

SETTINGS_PK = "SETTINGS"
DEFAULT_HOURS_SK = "BUSINESS_HOURS"


class SettingItem(TableItem, discriminator="setting"):  # type: ignore[call-arg]
    value = UnicodeAttribute(null=True)  # JSON; absent means "not set"
    updated_at = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)


def default_hours() -> BusinessHours | None:
    """The global default week; None (never set, or cleared) means always open."""
    bind()
    try:
        item = SettingItem.get(SETTINGS_PK, DEFAULT_HOURS_SK, consistent_read=True)
    except SettingItem.DoesNotExist:
        return None
    if item.value is None:
        return None
    return parse_week(json.loads(item.value))


def default_hours_cached() -> BusinessHours | None:
    """`default_hours()` reused for up to a few seconds (see store/catalog/reference_cache.py): for
    the booking path and the availability reads, not for the admin's own view."""
    return reference_cache.default_hours(default_hours)


def set_default_hours(hours: BusinessHours | None, *, actor_id: str, now: datetime) -> None:
    bind()
    value = None if hours is None else json.dumps(render_week(hours), sort_keys=True)
    item = SettingItem(
        PK=SETTINGS_PK,
        SK=DEFAULT_HOURS_SK,
        value=value,
        updated_at=iso_z(now),
        updated_by=actor_id,
    )
    audit_stamp.stamp(item).save()
    reference_cache.forget_hours()
