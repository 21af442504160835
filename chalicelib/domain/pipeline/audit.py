"""The audit log's rules: which item changes are audited and what an entry records (pure).

An entry is derived from a stream record (old and new images) plus the stamp the writer put
on the item (actor, channel, client address, correlation id). Secrets are never copied: a
changed secret shows as "[redacted]" on both sides. Entries are append-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.pipeline.events import ItemChange, actor_of, derived_ulid
from chalicelib.domain.timeutil import iso_z, parse_instant

REDACTED = "[redacted]"
_MAX_TEXT = 500
_MAX_LIST = 50

# Bookkeeping items that are not mutations a person made (or that would audit the audit).
NOT_AUDITED = frozenset(
    {
        # booking bookkeeping (the reservation item carries the change)
        "occupancy",
        "departed_slot",  # calendar feeds' memory of a cancelled slot (issue 12)
        "day_version",
        "idempotency",
        "reservation_history",
        "reservation_reminder",
        "no_show_count",  # a user's no-shows (the reservation's status change is audited)
        # catalogue bookkeeping (the resource / blackout item carries the change)
        "resource_name",
        "resource_tag",
        "blackout_count",
        "tag_count",
        "resource_stats",
        "resource_maintenance",
        "blackout_ref",
        "catalog_version",  # issue 16: the search copies' version, bumped by every write
        # sessions and security counters (not a person's edit of data)
        "username",
        "setup",
        "refresh_token",
        "refresh_family",
        "denied_token",
        "login_failures",
        "oauth_code",  # OAuth grants' codes and refresh tokens, as a user's refresh tokens
        "oauth_refresh",
        # the pipeline's own records
        "notification",
        "notification_counter",
        "webhook_delivery",
        "webhook_event_index",
        "audit_entry",
        "audit_month",
        "job_state",
        "ws_connection",
        "ws_subscription",
        "ws_token",  # a socket's pointer from its sign-in token
        "webhook_count",
        "email_claim",  # issue 16: one per mail sent (store/pipeline/email_claims.py)
        # waitlist bookkeeping (the entry item carries the change)
        "waitlist_slot",
        "waitlist_seq",
        "waitlist_offer",
        # approvals (issue 10): spent one-click links (the request item carries the change)
        "approval_link",
        # observability (issue 15): the per-minute metric counters
        "metric_counter",
        "metric_counted",  # issue 16: its once-per-event markers
        # labels (catalog14): the unique-name item (the label item carries the change)
        "label_name",
        # analytics (issue 12): the pipeline's own counters, markers and released windows
        "analytics_counter",
        "analytics_marker",
        "analytics_released",
        # audit statistics (audit14): the log's own counters and seen filter values
        "audit_stat",
        "audit_value",
    }
)
# Attributes that are layout or bookkeeping, not content.
_INTERNAL = frozenset(
    {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "type", "version", "updated_at"}
    | {"totp_last_step"}  # moves at every MFA sign-in (a replay guard, not an edit)
)
_SECRET_WORDS = ("password", "secret", "token", "hash", "backup_code", "mfa_pending", "nonce")
ENTITY_ID_FIELDS = {
    "oauth_client": "client_id",
    "webhook_allow": "entry_id",
    "waitlist_entry": "entry_id",  # waitlist
    # locations, labels, saved searches (catalog14)
    "resource_group": "group_id",
    "group_admin": "group_id",
    "label": "label_id",
    "saved_search": "search_id",
}


@dataclass(frozen=True)
class AuditEntry:
    entry_id: str
    at: datetime
    actor_id: str
    channel: str
    client_ip: str
    correlation_id: str
    entity_type: str
    entity_id: str
    action: str
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "at": iso_z(self.at),
            "actor_id": self.actor_id,
            "channel": self.channel,
            "client_ip": self.client_ip,
            "correlation_id": self.correlation_id,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "action": self.action,
            "changes": self.changes,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> AuditEntry:
        return cls(
            entry_id=str(raw["entry_id"]),
            at=parse_instant(str(raw["at"])),
            actor_id=str(raw["actor_id"]),
            channel=str(raw["channel"]),
            client_ip=str(raw.get("client_ip") or ""),
            correlation_id=str(raw.get("correlation_id") or ""),
            entity_type=str(raw["entity_type"]),
            entity_id=str(raw["entity_id"]),
            action=str(raw["action"]),
            changes=dict(raw.get("changes") or {}),
        )


def entry_id_for(record_id: str, at: datetime, write_id: str | None = None) -> str:
    """Time-ordered and stable for the stream record: a redelivery writes the same entry.

    A stamped write's own id is used when there is one: the stamps are strictly increasing
    within a millisecond, so two changes made in the same millisecond keep their order.
    """
    return write_id or derived_ulid(f"audit/{record_id}", at)


def is_audited(item_type: str) -> bool:
    return bool(item_type) and item_type not in NOT_AUDITED


def entity_of(change: ItemChange) -> tuple[str, str]:
    image, item_type = change.image, change.item_type
    id_field = ENTITY_ID_FIELDS.get(item_type, f"{item_type}_id")
    entity_id = image.get(id_field)
    if not entity_id:  # fall back on the key: `KIND#<id>`, else the whole key
        pk, sk = str(image.get("PK", "")), str(image.get("SK", ""))
        entity_id = pk.partition("#")[2] or (f"{pk}/{sk}" if sk else pk)
    return item_type, str(entity_id)


def action_of(change: ItemChange) -> str:
    if change.kind == "INSERT":
        return "created"
    if change.kind == "REMOVE":
        return "expired" if change.by_ttl else "deleted"
    if change.changed("status") and change.after("status"):
        return str(change.after("status"))
    return "updated"


def diff(change: ItemChange) -> dict[str, dict[str, Any]]:
    """Changed content fields -> {"before", "after"}; secrets redacted, long values trimmed."""
    old, new = change.old or {}, change.new or {}
    result: dict[str, dict[str, Any]] = {}
    for name in sorted(set(old) | set(new)):
        if name in _INTERNAL or name.startswith("audit_") or name == "expires_at":
            continue
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if _is_secret(name):
            before = None if before is None else REDACTED
            after = None if after is None else REDACTED
        result[name] = {"before": _trim(before), "after": _trim(after)}
    return result


def entry_for(change: ItemChange) -> AuditEntry | None:
    """The audit entry for one committed change, or None when it is not audited."""
    if not is_audited(change.item_type):
        return None
    changes = diff(change)
    if change.kind == "MODIFY" and not changes:
        return None  # a stamp-only write (e.g. right before a delete)
    actor, channel, client_ip, correlation_id = _who(change)
    entity_type, entity_id = entity_of(change)
    return AuditEntry(
        entry_id=entry_id_for(change.record_id, change.at, change.write_id),
        at=change.at,
        actor_id=actor,
        channel=channel,
        client_ip=client_ip,
        correlation_id=correlation_id,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action_of(change),
        changes=changes,
    )


def _who(change: ItemChange) -> tuple[str, str, str, str]:
    """(actor, channel, client address, correlation id) from the writer's stamp."""
    actor = actor_of(change)
    if change.by_ttl:
        return actor, "system", "-", ""
    if actor == "unknown":  # unstamped write: the image's stamp belongs to an earlier writer
        return actor, "-", "-", ""
    image = change.image
    return (
        actor,
        str(image.get("audit_channel") or "-"),
        str(image.get("audit_ip") or "-"),
        str(image.get("audit_correlation_id") or ""),
    )


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def _trim(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        return value[:_MAX_TEXT] + "..."
    if isinstance(value, list) and len(value) > _MAX_LIST:
        return [*value[:_MAX_LIST], "..."]
    return value


@dataclass(frozen=True)
class AuditFilter:
    entity_type: str | None = None
    entity_id: str | None = None
    actor_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
