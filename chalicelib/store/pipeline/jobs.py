"""Items and queries of the scheduled jobs.

- job state:  `JOB#<name>` / `STATE` (type `job_state`): a watermark that only moves forward
  (conditional), so two overlapping runs cannot move it back.
- reminder:   `REMINDER#<reservation id>` / `<start>` (type `reservation_reminder`): the
  "reminder sent" marker. Put with attribute_not_exists, so exactly one run writes it; its
  INSERT on the stream is the `reservation.reminder_due` event (the outbox). A moved
  reservation has a new start, hence a new marker and a new reminder.
- maintenance: reads the resource catalogue's `MAINTENANCE` partition (owned by
  store/catalog/items.py) for windows whose auto-reset time has passed.
- idempotency: the Powertools table (`id`, `expiration`); TTL never runs locally, so the purge
  deletes expired records itself, each with the condition that it is still expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.domain.reservations import Reservation
from chalicelib.domain.timeutil import epoch_seconds, iso_z
from chalicelib.settings import get_settings
from chalicelib.store import audit_stamp
from chalicelib.store.catalog.items import FOREVER, MAINTENANCE_PK, MaintenanceItem
from chalicelib.store.table import TableItem, bind, raw_client

STATE_SK = "STATE"


class JobStateItem(TableItem, discriminator="job_state"):  # type: ignore[call-arg]
    watermark = UnicodeAttribute(null=True)
    last_run_at = UnicodeAttribute(null=True)


class ReminderItem(TableItem, discriminator="reservation_reminder"):  # type: ignore[call-arg]
    reservation_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    start_time = UnicodeAttribute()
    end_time = UnicodeAttribute()
    status = UnicodeAttribute()
    series_id = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    reminder_hours = NumberAttribute()


def job_pk(name: str) -> str:
    return f"JOB#{name}"


class JobStore:
    def watermark(self, name: str) -> str | None:
        bind()
        try:
            item = JobStateItem.get(job_pk(name), STATE_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return item.watermark

    def advance(self, name: str, to: datetime) -> bool:
        """Move the watermark forward to `to`; False if it already is at or past it."""
        item = JobStateItem(job_pk(name), STATE_SK)
        value = iso_z(to)
        try:
            item.update(
                actions=[JobStateItem.watermark.set(value), JobStateItem.last_run_at.set(value)],
                condition=JobStateItem.watermark.does_not_exist()
                | (JobStateItem.watermark < value),
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def mark_reminder(self, reservation: Reservation, hours: int) -> bool:
        """Write the reminder marker once; False if a reminder was already emitted."""
        start = reservation.window.start
        item = ReminderItem(
            PK=f"REMINDER#{reservation.reservation_id}",
            SK=iso_z(start),
            reservation_id=reservation.reservation_id,
            resource_id=reservation.resource_id,
            user_id=reservation.user_id,
            start_time=iso_z(start),
            end_time=iso_z(reservation.window.end),
            status=reservation.status.value,
            series_id=reservation.series_id,
            notes=reservation.notes or None,
            reminder_hours=hours,
            expires_at=epoch_seconds(reservation.window.end + timedelta(days=1)),
        )
        try:
            audit_stamp.stamp(item).save(condition=ReminderItem.PK.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def maintenance_due(self, now: datetime, limit: int = 200) -> list[str]:
        """Resources whose maintenance auto-reset time has passed."""
        bind()
        due = (MaintenanceItem.until <= iso_z(now)) & (MaintenanceItem.until != FOREVER)
        return [
            str(i.resource_id)
            for i in MaintenanceItem.query(MAINTENANCE_PK, filter_condition=due, limit=limit)
        ]

    def purge_idempotency(self, now: datetime, *, limit: int = 500) -> int:
        """Delete expired Powertools idempotency records (at most `limit` per run)."""
        client = raw_client()
        table = get_settings().idempotency_table_name
        cutoff = {":now": {"N": str(epoch_seconds(now))}}
        deleted, start = 0, None
        while deleted < limit:
            request: dict[str, Any] = {
                "TableName": table,
                "FilterExpression": "#exp < :now",
                "ExpressionAttributeNames": {"#exp": "expiration"},
                "ExpressionAttributeValues": cutoff,
                "ProjectionExpression": "id",
                "Limit": 100,
            }
            if start:
                request["ExclusiveStartKey"] = start
            page = client.scan(**request)
            for item in page.get("Items", []):
                deleted += self._delete_if_expired(client, table, item["id"], cutoff)
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        return deleted

    @staticmethod
    def _delete_if_expired(client: Any, table: str, key: Any, cutoff: dict[str, Any]) -> int:
        try:
            client.delete_item(
                TableName=table,
                Key={"id": key},
                ConditionExpression="#exp < :now",
                ExpressionAttributeNames={"#exp": "expiration"},
                ExpressionAttributeValues=cutoff,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return 0
            raise
        return 1
