"""Options and request-body helpers shared by the `rr resources` commands."""

from __future__ import annotations

from typing import Annotated, Any

import typer

QOpt = Annotated[
    str | None, typer.Option("--q", help="Text in the name or description (any case).")
]
TagOpt = Annotated[
    list[str] | None, typer.Option("--tag", help="Required tag (repeatable; all must match).")
]
BuildingOpt = Annotated[str | None, typer.Option("--building", help="Building.")]
FloorOpt = Annotated[str | None, typer.Option("--floor", help="Floor.")]
CapacityMinOpt = Annotated[
    int | None, typer.Option("--capacity-min", min=1, help="At least this many people.")
]
StatusOpt = Annotated[
    str | None,
    typer.Option("--status", help="available, in_use, maintenance or disabled."),
]
EnabledOpt = Annotated[
    bool | None,
    typer.Option("--enabled/--disabled", help="Only enabled / disabled ones.", show_default=False),
]
SortOpt = Annotated[str, typer.Option("--sort", help="name or created.")]
DescOpt = Annotated[bool, typer.Option("--desc", help="Descending order.")]


DescriptionOpt = Annotated[str | None, typer.Option("--description", help="Description.")]
TagsOpt = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")]
CapacityOpt = Annotated[int | None, typer.Option("--capacity", min=1, help="People it holds.")]
RoomOpt = Annotated[str | None, typer.Option("--room", help="Room.")]
ZoneOpt = Annotated[
    str | None, typer.Option("--timezone", help="The resource's IANA zone (hours, blackouts).")
]
ApprovalOpt = Annotated[
    bool | None,
    typer.Option(
        "--requires-approval/--no-approval",
        help="Bookings wait for an approver.",
        show_default=False,
    ),
]
ApproverOpt = Annotated[
    list[str] | None, typer.Option("--approver", help="Approver user id (repeatable).")
]
MinDurationOpt = Annotated[
    int | None, typer.Option("--min-duration", min=1, help="Shortest booking (minutes).")
]
MaxDurationOpt = Annotated[
    int | None, typer.Option("--max-duration", min=1, help="Longest booking (minutes).")
]
BufferBeforeOpt = Annotated[
    int | None, typer.Option("--buffer-before", min=0, help="Free gap kept before (minutes).")
]
BufferAfterOpt = Annotated[
    int | None, typer.Option("--buffer-after", min=0, help="Free gap kept after (minutes).")
]
HorizonOpt = Annotated[
    int | None, typer.Option("--horizon-days", min=1, help="How far ahead one may book (days).")
]
NoticeOpt = Annotated[
    int | None, typer.Option("--min-notice", min=0, help="Notice a booking needs (minutes).")
]


def filters(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def draft(values: dict[str, Any]) -> dict[str, Any]:
    """The request body from the options actually given (location nested)."""
    body = {key: value for key, value in values.items() if value is not None}
    location = {part: body.pop(part) for part in ("building", "floor", "room") if part in body}
    if location:
        body["location"] = location
    if "tags" in body:
        body["tags"] = list(body["tags"])
    if "approvers" in body:
        body["approvers"] = list(body["approvers"])
    return body


def policy(
    *,
    min_duration: int | None,
    max_duration: int | None,
    buffer_before: int | None,
    buffer_after: int | None,
    horizon_days: int | None,
    min_notice: int | None,
) -> dict[str, int | None]:
    return {
        "min_duration_minutes": min_duration,
        "max_duration_minutes": max_duration,
        "buffer_before_minutes": buffer_before,
        "buffer_after_minutes": buffer_after,
        "booking_horizon_days": horizon_days,
        "min_notice_minutes": min_notice,
    }
