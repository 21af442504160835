"""Approval request items (issue 10): one per reservation awaiting approval.

- request: `RESERVATION#<id>` / `APPROVAL`; while pending, GSI1 `APPROVALQ#<resource id>` /
  `<created>#<id>` (a resource's open requests, oldest first: the approvers' queues and the
  jobs read these); always GSI2 `APPROVALS#<requester>` / `<created>#<id>` ("my requests").

The booking writer opens and closes requests in the same transaction as the reservation
(`opened_put`, `closed_update`), so every path that makes a reservation pending (single,
series, bulk, a move, a waitlist accept) gets one and nothing can leave one dangling. Middle
steps and reminders are conditional updates here. The item's changes on the stream are the
`approval.*` events (domain/pipeline/mappings.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from chalicelib.domain.reservations import Changed, Reservation, TimeRange, Transition
from chalicelib.domain.reservations.approvals import (
    ApprovalRequest,
    Decision,
    RequestStatus,
    Verdict,
)
from chalicelib.domain.timeutil import iso_z
from chalicelib.store import dynamo
from chalicelib.store.audit_stamp import stamp_raw
from chalicelib.store.dynamo import Item, TransactionCancelled
from chalicelib.store.reservations.items import key, parse_instant, reservation_pk, table_name

APPROVAL_SK = "APPROVAL"
ITEM_TYPE = "approval"
_CLOSING = {
    Transition.APPROVE: RequestStatus.APPROVED,
    Transition.REJECT: RequestStatus.REJECTED,
    Transition.EXPIRE: RequestStatus.EXPIRED,
}


class StaleRequest(Exception):
    """The request changed (decided, moved on, closed) since it was read."""


def queue_pk(resource_id: str) -> str:
    return f"APPROVALQ#{resource_id}"


def requester_pk(user_id: str) -> str:
    return f"APPROVALS#{user_id}"


def order_sk(created_at: datetime, reservation_id: str) -> str:
    return f"{iso_z(created_at)}#{reservation_id}"


def request_key(reservation_id: str) -> dict[str, dict[str, str]]:
    return key(reservation_pk(reservation_id), APPROVAL_SK)


# --- written by the booking writer ------------------------------------------------------------


def opened_put(reservation: Reservation, at: datetime, table: str) -> Item:
    """A fresh request at step 0 (replacing any earlier one of the same reservation: a moved
    request starts the chain again)."""
    rid, sk = reservation.reservation_id, order_sk(at, reservation.reservation_id)
    item: Item = {
        **request_key(rid),
        "type": {"S": ITEM_TYPE},
        "GSI1PK": {"S": queue_pk(reservation.resource_id)},
        "GSI1SK": {"S": sk},
        "GSI2PK": {"S": requester_pk(reservation.user_id)},
        "GSI2SK": {"S": sk},
        "reservation_id": {"S": rid},
        "resource_id": {"S": reservation.resource_id},
        "user_id": {"S": reservation.user_id},
        "start_time": {"S": iso_z(reservation.window.start)},
        "end_time": {"S": iso_z(reservation.window.end)},
        "created_at": {"S": iso_z(at)},
        "status": {"S": RequestStatus.PENDING.value},
        "step": {"N": "0"},
        "reminded_step": {"N": "-1"},
        "decisions": {"S": "[]"},
        **stamp_raw(),
    }
    return {"Put": {"TableName": table, "Item": item}}


def closed_update(
    change: Changed, table: str, *, expected_step: int | None = None, decisions: str | None = None
) -> Item:
    """Close the request with the reservation's transition (approve, reject, expire; any other
    way out of pending is a withdrawal). `expected_step` guards a decision against a step that
    moved meanwhile. The base fields are set too, so a request older than this item type is
    complete when it closes."""
    after, entry = change.after, change.entry
    status = _CLOSING.get(change.transition, RequestStatus.WITHDRAWN)
    sets = {
        "status": {"S": status.value},
        "closed_at": {"S": iso_z(entry.at)},
        "closed_by": {"S": entry.actor_id},
        "closed_reason": {"S": entry.reason},
        "reservation_id": {"S": after.reservation_id},
        "resource_id": {"S": change.before.resource_id},
        "user_id": {"S": after.user_id},
        "start_time": {"S": iso_z(change.before.window.start)},
        "end_time": {"S": iso_z(change.before.window.end)},
        "type": {"S": ITEM_TYPE},
        **stamp_raw(),
    }
    if decisions is not None:
        sets["decisions"] = {"S": decisions}
    names = {f"#a{i}": name for i, name in enumerate(sets)}
    values = {f":a{i}": value for i, value in enumerate(sets.values())}
    values[":created"] = {"S": iso_z(change.before.created_at)}
    assignments = ", ".join(f"#a{i} = :a{i}" for i in range(len(sets)))
    update: dict[str, Any] = {
        "TableName": table,
        "Key": request_key(after.reservation_id),
        "UpdateExpression": (
            f"SET {assignments}, #created = if_not_exists(#created, :created) REMOVE GSI1PK, GSI1SK"
        ),
        "ExpressionAttributeNames": {**names, "#created": "created_at"},
        "ExpressionAttributeValues": values,
    }
    if expected_step is not None:
        update["ConditionExpression"] = "#step = :step AND #a0 = :pending"
        update["ExpressionAttributeNames"]["#step"] = "step"
        values[":step"] = {"N": str(expected_step)}
        values[":pending"] = {"S": RequestStatus.PENDING.value}
    return {"Update": update}


def approval_items(change: Changed, table: str) -> list[Item]:
    """What a lifecycle transition does to the reservation's request: opens one when the
    reservation becomes pending (or moves while pending), closes it when it stops being."""
    before, after = change.before, change.after
    if is_request(after):
        moved = (before.resource_id, before.window) != (after.resource_id, after.window)
        fresh = moved or not is_request(before)
        return [opened_put(after, change.entry.at, table)] if fresh else []
    if is_request(before):
        return [closed_update(change, table)]
    return []


def is_request(reservation: Reservation) -> bool:
    return reservation.status.value == "pending_approval"


# --- reading ----------------------------------------------------------------------------------


def request_from_raw(raw: Item) -> ApprovalRequest:
    def text(name: str) -> str:
        return str(raw.get(name, {}).get("S", ""))

    closed = text("closed_at")
    return ApprovalRequest(
        reservation_id=text("reservation_id"),
        resource_id=text("resource_id"),
        requester_id=text("user_id"),
        window=TimeRange(parse_instant(text("start_time")), parse_instant(text("end_time"))),
        created_at=parse_instant(text("created_at")),
        step=int(raw.get("step", {}).get("N", "0")),
        status=RequestStatus(text("status") or "pending"),
        decisions=tuple(_decision(d) for d in json.loads(text("decisions") or "[]")),
        reminded_step=int(raw.get("reminded_step", {}).get("N", "-1")),
        closed_by=text("closed_by"),
        closed_reason=text("closed_reason"),
        closed_at=parse_instant(closed) if closed else None,
    )


def decisions_text(decisions: tuple[Decision, ...]) -> str:
    return json.dumps(
        [
            {
                "step": d.step,
                "actor_id": d.actor_id,
                "verdict": d.verdict.value,
                "message": d.message,
                "at": iso_z(d.at),
            }
            for d in decisions
        ]
    )


def _decision(raw: dict[str, Any]) -> Decision:
    return Decision(
        step=int(raw["step"]),
        actor_id=str(raw["actor_id"]),
        verdict=Verdict(raw["verdict"]),
        message=str(raw.get("message", "")),
        at=parse_instant(str(raw["at"])),
    )


class ApprovalStore:
    def get(self, reservation_id: str) -> ApprovalRequest | None:
        raw = dynamo.get(table_name(), request_key(reservation_id))
        return request_from_raw(raw) if raw else None

    def open_requests(
        self, resource_id: str, after: str | None = None
    ) -> Iterator[ApprovalRequest]:
        """A resource's pending requests, oldest first, from after the `after` sort key
        (GSI1: eventually consistent; every decision re-reads the request itself)."""
        yield from self._query("GSI1", "GSI1PK", queue_pk(resource_id), after)

    def of_requester(self, user_id: str, after: str | None = None) -> Iterator[ApprovalRequest]:
        """A user's requests (open and closed), newest first."""
        yield from self._query("GSI2", "GSI2PK", requester_pk(user_id), after, forward=False)

    def _query(
        self, index: str, pk_name: str, pk: str, after: str | None, *, forward: bool = True
    ) -> Iterator[ApprovalRequest]:
        sk_name = pk_name.replace("PK", "SK")
        condition = f"{pk_name} = :pk"
        values: dict[str, Any] = {":pk": {"S": pk}}
        if after is not None:
            condition += f" AND {sk_name} {'>' if forward else '<'} :after"
            values[":after"] = {"S": after}
        for raw in dynamo.query(
            TableName=table_name(),
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ScanIndexForward=forward,
            Limit=100,
        ):
            yield request_from_raw(raw)

    def advance(self, before: ApprovalRequest, after: ApprovalRequest) -> None:
        """A middle step approved: step + 1, only if nobody decided this step meanwhile."""
        self._update(
            before,
            "SET #step = :next, #decisions = :decisions",
            {":next": {"N": str(after.step)}, ":decisions": {"S": decisions_text(after.decisions)}},
        )

    def mark_reminded(self, request: ApprovalRequest) -> bool:
        """Remember that this step's approvers were reminded; False if another run did."""
        try:
            self._update(
                request,
                "SET #reminded = :step",
                {},
                extra_condition=" AND #reminded < :step",
            )
        except StaleRequest:
            return False
        return True

    def _update(
        self,
        request: ApprovalRequest,
        expression: str,
        values: dict[str, Any],
        *,
        extra_condition: str = "",
    ) -> None:
        stamp = stamp_raw()
        sets = ", ".join(f"{name} = :{name}" for name in stamp)
        condition = "#st = :pending AND #step = :step" + extra_condition
        text = f"{expression} {condition}"
        known = {"#st": "status", "#step": "step", "#decisions": "decisions"}
        known["#reminded"] = "reminded_step"
        try:
            dynamo.transact(
                [
                    {
                        "Update": {
                            "TableName": table_name(),
                            "Key": request_key(request.reservation_id),
                            "UpdateExpression": f"{expression}, {sets}",
                            "ConditionExpression": condition,
                            "ExpressionAttributeNames": {
                                k: v for k, v in known.items() if k in text
                            },
                            "ExpressionAttributeValues": {
                                **values,
                                ":pending": {"S": RequestStatus.PENDING.value},
                                ":step": {"N": str(request.step)},
                                **{f":{name}": value for name, value in stamp.items()},
                            },
                        }
                    }
                ]
            )
        except TransactionCancelled as exc:
            raise StaleRequest() from exc


def link_key(nonce: str) -> dict[str, dict[str, str]]:
    return key(f"APPROVAL_LINK#{nonce}", "USED")


def claim_link(nonce: str, expires_at: datetime) -> bool:
    """Mark a one-click link used; False if it was used before (single use)."""
    item: Item = {
        **link_key(nonce),
        "type": {"S": "approval_link"},
        "expires_at": {"N": str(int(expires_at.timestamp()))},
    }
    try:
        dynamo.transact(
            [
                {
                    "Put": {
                        "TableName": table_name(),
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            ]
        )
    except TransactionCancelled:
        return False
    return True
