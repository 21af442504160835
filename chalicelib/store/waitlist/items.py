"""Waitlist items: PynamoDB models, the key builders that own their layout, and mappers.

Items (single table, see docs/data-model.md "Waitlist"):

- entry: `WAITLIST#<id>` / `META`; GSI1 `USER#<uid>` / `WAITLIST#<id>` (a user's entries);
  the whole truth of one entry (status, wish, offer, version);
- queue slot: `RESOURCE#<rid>` / `WAITQ#<seq>#<id>`: exists exactly while the entry is live
  (waiting or offered), immutable; a consistent query of the resource's partition lists the
  queue in FIFO order (and each user's live wishes, for the overlap check);
- queue counter: `RESOURCE#<rid>` / `WAITSEQ`: `seq` of the last join, bumped `IF seq = seen`
  by every join, so joins to one resource serialise (FIFO order, one user's overlap check);
- offer marker: `WAITLIST_OFFERS` / `<expires_at>#<id>`: exists while an offer is open, so the
  expiry job finds lapsed offers with one query.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.quotas.charge import dump_charges, load_charges
from chalicelib.domain.reservations import TimeRange
from chalicelib.domain.timeutil import iso_z
from chalicelib.domain.waitlist.entries import EntryStatus, Offer, WaitlistEntry, Wish
from chalicelib.domain.waitlist.matching import QueueSlot
from chalicelib.store.reservations.items import key, parse_instant, resource_pk, user_pk
from chalicelib.store.table import TableItem

META = "META"
QUEUE_PREFIX = "WAITQ#"
SEQ_SK = "WAITSEQ"
OFFERS_PK = "WAITLIST_OFFERS"
USER_PREFIX = "WAITLIST#"


def entry_pk(entry_id: str) -> str:
    return f"WAITLIST#{entry_id}"


def entry_key(entry_id: str) -> dict[str, dict[str, str]]:
    return key(entry_pk(entry_id), META)


def queue_sk(seq: int, entry_id: str) -> str:
    return f"{QUEUE_PREFIX}{seq:010d}#{entry_id}"


def queue_key(entry: WaitlistEntry) -> dict[str, dict[str, str]]:
    return key(resource_pk(entry.resource_id), queue_sk(entry.seq, entry.entry_id))


def seq_key(resource_id: str) -> dict[str, dict[str, str]]:
    return key(resource_pk(resource_id), SEQ_SK)


def offer_sk(expires_at: datetime, entry_id: str) -> str:
    return f"{iso_z(expires_at)}#{entry_id}"


def offer_key(entry: WaitlistEntry) -> dict[str, dict[str, str]] | None:
    if entry.offer is None:
        return None
    return key(OFFERS_PK, offer_sk(entry.offer.expires_at, entry.entry_id))


class WaitlistEntryItem(TableItem, discriminator="waitlist_entry"):  # type: ignore[call-arg]
    entry_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    start_time = UnicodeAttribute()  # the wish's span
    end_time = UnicodeAttribute()
    duration_s = NumberAttribute(null=True)  # flexible wishes only
    within_hours = BooleanAttribute()
    seq = NumberAttribute()
    status = UnicodeAttribute()
    auto_book = BooleanAttribute()
    notes = UnicodeAttribute(null=True)
    offer_reservation_id = UnicodeAttribute(null=True)
    offer_start_time = UnicodeAttribute(null=True)
    offer_end_time = UnicodeAttribute(null=True)
    offer_expires_at = UnicodeAttribute(null=True)
    reservation_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute()
    quota_charges = UnicodeAttribute(null=True)  # JSON (domain/quotas/charge.py)


class WaitlistSlotItem(TableItem, discriminator="waitlist_slot"):  # type: ignore[call-arg]
    entry_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    seq = NumberAttribute()
    start_time = UnicodeAttribute()
    end_time = UnicodeAttribute()
    duration_s = NumberAttribute(null=True)
    within_hours = BooleanAttribute()


class WaitlistOfferItem(TableItem, discriminator="waitlist_offer"):  # type: ignore[call-arg]
    entry_id = UnicodeAttribute()
    reservation_id = UnicodeAttribute()


def _wish_attrs(wish: Wish) -> dict[str, Any]:
    return {
        "start_time": iso_z(wish.span.start),
        "end_time": iso_z(wish.span.end),
        "duration_s": int(wish.duration.total_seconds()) if wish.duration else None,
        "within_hours": wish.within_hours,
    }


def _wish_of(item: WaitlistEntryItem | WaitlistSlotItem) -> Wish:
    span = TimeRange(parse_instant(item.start_time), parse_instant(item.end_time))
    duration = timedelta(seconds=int(item.duration_s)) if item.duration_s else None
    return Wish(span, duration, bool(item.within_hours))


def entry_item(entry: WaitlistEntry) -> WaitlistEntryItem:
    offer = entry.offer
    return WaitlistEntryItem(
        PK=entry_pk(entry.entry_id),
        SK=META,
        GSI1PK=user_pk(entry.user_id),
        GSI1SK=f"{USER_PREFIX}{entry.entry_id}",
        entry_id=entry.entry_id,
        resource_id=entry.resource_id,
        user_id=entry.user_id,
        seq=entry.seq,
        status=entry.status.value,
        auto_book=entry.auto_book,
        notes=entry.notes or None,
        offer_reservation_id=offer.reservation_id if offer else None,
        offer_start_time=iso_z(offer.window.start) if offer else None,
        offer_end_time=iso_z(offer.window.end) if offer else None,
        offer_expires_at=iso_z(offer.expires_at) if offer else None,
        reservation_id=entry.reservation_id,
        reason=entry.reason or None,
        created_at=iso_z(entry.created_at),
        updated_at=iso_z(entry.updated_at or entry.created_at),
        version=entry.version,
        quota_charges=dump_charges(entry.quota_charges),
        **_wish_attrs(entry.wish),
    )


def entry_from_raw(raw: dict[str, Any]) -> WaitlistEntry:
    item = WaitlistEntryItem.from_raw_data(raw)
    offer = None
    if item.offer_reservation_id and item.offer_start_time and item.offer_end_time:
        offer = Offer(
            item.offer_reservation_id,
            TimeRange(parse_instant(item.offer_start_time), parse_instant(item.offer_end_time)),
            parse_instant(item.offer_expires_at or item.offer_end_time),
        )
    return WaitlistEntry(
        entry_id=item.entry_id,
        resource_id=item.resource_id,
        user_id=item.user_id,
        wish=_wish_of(item),
        seq=int(item.seq),
        created_at=parse_instant(item.created_at),
        status=EntryStatus(item.status),
        auto_book=bool(item.auto_book),
        notes=item.notes or "",
        offer=offer,
        reservation_id=item.reservation_id,
        reason=item.reason or "",
        updated_at=parse_instant(item.updated_at),
        version=int(item.version),
        quota_charges=load_charges(item.quota_charges),
    )


def slot_item(entry: WaitlistEntry) -> WaitlistSlotItem:
    return WaitlistSlotItem(
        PK=resource_pk(entry.resource_id),
        SK=queue_sk(entry.seq, entry.entry_id),
        entry_id=entry.entry_id,
        user_id=entry.user_id,
        seq=entry.seq,
        **_wish_attrs(entry.wish),
    )


def slot_from_raw(raw: dict[str, Any]) -> QueueSlot:
    item = WaitlistSlotItem.from_raw_data(raw)
    return QueueSlot(item.entry_id, item.user_id, int(item.seq), _wish_of(item))


def offer_item(entry: WaitlistEntry) -> WaitlistOfferItem:
    assert entry.offer is not None, "an offer marker needs an offer"
    return WaitlistOfferItem(
        PK=OFFERS_PK,
        SK=offer_sk(entry.offer.expires_at, entry.entry_id),
        entry_id=entry.entry_id,
        reservation_id=entry.offer.reservation_id,
    )
