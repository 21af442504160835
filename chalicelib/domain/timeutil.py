"""Instants are aware UTC datetimes; on the wire they are ISO 8601 with a `Z`."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.errors import InvalidInput


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("datetime must carry a UTC offset", code="naive_datetime")
    return value.astimezone(UTC)


def parse_instant(text: str, *, field: str = "datetime") -> datetime:
    """Parse ISO 8601 with an offset (or Z); naive input is refused, never guessed."""
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"{field} is not an ISO 8601 datetime",
            code="invalid_datetime",
            details={"field": field},
        ) from exc
    if parsed.tzinfo is None:
        raise InvalidInput(
            f"{field} must include a UTC offset such as Z or +02:00",
            code="naive_datetime",
            details={"field": field},
        )
    return parsed.astimezone(UTC)


def iso_z(value: datetime) -> str:
    """Render an aware instant as ISO 8601 UTC with a trailing Z (millisecond precision)."""
    utc = to_utc(value)
    text = utc.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def epoch_seconds(value: datetime) -> int:
    return int(to_utc(value).timestamp())
