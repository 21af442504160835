"""Audit entries derived from item changes: who, what changed, secrets redacted."""

from __future__ import annotations

from chalicelib.domain.pipeline import audit
from tests.unit.event_factories import ADMIN, AT, OWNER, change, reservation_image


def test_a_created_reservation_is_audited_with_its_writer() -> None:
    entry = audit.entry_for(change("INSERT", new=reservation_image()))
    assert entry is not None
    assert (entry.entity_type, entry.entity_id, entry.action) == ("reservation", "r1", "created")
    assert (entry.actor_id, entry.channel, entry.client_ip) == (OWNER, "web", "203.0.113.9")
    assert entry.correlation_id == "req-1"
    assert entry.at == AT
    assert entry.changes["status"] == {"before": None, "after": "active"}
    assert "PK" not in entry.changes and "audit_actor" not in entry.changes


def test_an_admin_cancel_records_the_admin_and_only_the_changed_fields() -> None:
    old = reservation_image()
    new = reservation_image(
        status="cancelled",
        cancel_reason="needed",
        version=2,
        audit_actor=ADMIN,
        audit_channel="cli",
        audit_write_id="w2",
    )
    entry = audit.entry_for(change("MODIFY", old=old, new=new))
    assert entry is not None
    assert entry.action == "cancelled"
    assert entry.actor_id == ADMIN and entry.channel == "cli"
    assert entry.changes == {
        "cancel_reason": {"before": None, "after": "needed"},
        "status": {"before": "active", "after": "cancelled"},
    }


def test_secrets_are_redacted_but_their_change_is_recorded() -> None:
    old = {
        "PK": "USER#u1",
        "SK": "PROFILE",
        "type": "user",
        "user_id": "u1",
        "password_hash": "old-hash",
        "audit_write_id": "w1",
        "audit_actor": "u1",
    }
    new = {**old, "password_hash": "new-hash", "audit_write_id": "w2"}
    entry = audit.entry_for(change("MODIFY", old=old, new=new))
    assert entry is not None
    assert entry.changes == {"password_hash": {"before": "[redacted]", "after": "[redacted]"}}
    assert "old-hash" not in str(entry.to_dict())


def test_bookkeeping_items_and_stamp_only_writes_are_not_audited() -> None:
    for item_type in ("occupancy", "day_version", "notification", "audit_entry", "idempotency"):
        image = {"PK": "X#1", "SK": "Y", "type": item_type}
        assert audit.entry_for(change("INSERT", new=image)) is None, item_type
    old = reservation_image()
    stamped = reservation_image(audit_actor=ADMIN, audit_write_id="w2")
    assert audit.entry_for(change("MODIFY", old=old, new=stamped)) is None


def test_deletes_name_the_deleter_and_ttl_removals_the_system() -> None:
    deleted = audit.entry_for(change("REMOVE", old=reservation_image(audit_actor=ADMIN)))
    assert deleted is not None and (deleted.action, deleted.actor_id) == ("deleted", ADMIN)
    expired = audit.entry_for(change("REMOVE", old=reservation_image(), by_ttl=True))
    assert expired is not None and (expired.action, expired.actor_id) == ("expired", "system")
    assert expired.channel == "system"


def test_unstamped_modifications_are_attributed_to_nobody() -> None:
    old = reservation_image()
    new = reservation_image(notes="edited without a stamp")
    entry = audit.entry_for(change("MODIFY", old=old, new=new))
    assert entry is not None
    assert (entry.actor_id, entry.channel, entry.client_ip) == ("unknown", "-", "-")


def test_entry_ids_are_stable_per_record_and_round_trip() -> None:
    first = audit.entry_for(change("INSERT", new=reservation_image(), record_id="rec-9"))
    again = audit.entry_for(change("INSERT", new=reservation_image(), record_id="rec-9"))
    assert first is not None and again is not None
    assert first.entry_id == again.entry_id
    assert audit.AuditEntry.from_dict(first.to_dict()) == first


def test_long_values_are_trimmed() -> None:
    new = reservation_image(notes="x" * 2000)
    entry = audit.entry_for(change("INSERT", new=new))
    assert entry is not None
    assert len(entry.changes["notes"]["after"]) < 600


def test_entities_without_an_id_field_fall_back_on_the_key() -> None:
    image = {"PK": "SETTING", "SK": "business_hours", "type": "setting", "value": "{}"}
    entry = audit.entry_for(change("INSERT", new=image))
    assert entry is not None
    assert (entry.entity_type, entry.entity_id) == ("setting", "SETTING/business_hours")
