"""Models shared by every API family."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from chalicelib.domain.timeutil import iso_z


def _require_offset(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must include a UTC offset such as Z or +02:00")
    return value


# Input: ISO 8601 with an offset (naive is refused). Output: ISO 8601 UTC with a Z.
UtcDatetime = Annotated[
    datetime,
    AfterValidator(_require_offset),
    PlainSerializer(iso_z, return_type=str, when_used="json"),
]


class Strict(BaseModel):
    """Request models refuse unknown fields, so a typo is an error and not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; absent on the last page."
    )


class PageQuery(Strict):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class Message(BaseModel):
    message: str
