"""Email texts for each event (pure): subject, plain text and HTML.

Waitlist and approval templates exist already; their events are reserved names until the
waitlist/approval issue emits them. Every value interpolated into HTML is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import events as ev


@dataclass(frozen=True)
class EmailContext:
    username: str
    what: str  # the resource's name
    when: str  # the window in the reader's zone
    link: str  # where to see it in the app
    by_admin: bool = False
    reason: str = ""
    extra: str = ""  # e.g. an offer's deadline


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def _lines(ctx: EmailContext, event_name: str) -> tuple[str, list[str]] | None:
    by = " by an administrator" if ctx.by_admin else ""
    reason = [f"Reason: {ctx.reason}"] if ctx.reason else []
    table: dict[str, tuple[str, list[str]]] = {
        ev.RESERVATION_CREATED: (
            f"Reservation confirmed: {ctx.what}",
            [
                f"Your reservation of {ctx.what} is confirmed for {ctx.when}.",
                "The attached invitation adds it to your calendar.",
            ],
        ),
        ev.RESERVATION_RESCHEDULED: (
            f"Reservation moved: {ctx.what}",
            [
                f"Your reservation of {ctx.what} now takes place {ctx.when}.",
                "The attached invitation updates your calendar.",
            ],
        ),
        ev.RESERVATION_CANCELLED: (
            f"Reservation cancelled: {ctx.what}",
            [f"Your reservation of {ctx.what} on {ctx.when} was cancelled{by}.", *reason],
        ),
        ev.RESERVATION_REMINDER_DUE: (
            f"Reminder: {ctx.what} {ctx.when}",
            [f"This is a reminder of your reservation of {ctx.what}, {ctx.when}."],
        ),
        ev.SERIES_CANCELLED: (
            f"Recurring reservation cancelled: {ctx.what}",
            [f"Your recurring reservation of {ctx.what} was cancelled{by}.", *reason],
        ),
        ev.WAITLIST_OFFERED: (
            f"A slot is free: {ctx.what}",
            [
                f"{ctx.what} is free {ctx.when}, and it is held for you.",
                f"Accept the offer before {ctx.extra}, or it goes to the next person.",
            ],
        ),
        ev.WAITLIST_OFFER_EXPIRED: (
            f"Your offer for {ctx.what} expired",
            [f"The slot of {ctx.what} {ctx.when} was offered to the next person on the list."],
        ),
        ev.APPROVAL_REQUESTED: (
            f"Approval needed: {ctx.what}",
            [f"A reservation of {ctx.what} {ctx.when} is waiting for your decision."],
        ),
        ev.APPROVAL_APPROVED: (
            f"Reservation approved: {ctx.what}",
            [f"Your reservation of {ctx.what} {ctx.when} was approved."],
        ),
        ev.APPROVAL_REJECTED: (
            f"Reservation not approved: {ctx.what}",
            [f"Your reservation of {ctx.what} {ctx.when} was not approved.", *reason],
        ),
    }
    return table.get(event_name)


TEMPLATED_EVENTS = frozenset(
    {
        ev.RESERVATION_CREATED,
        ev.RESERVATION_RESCHEDULED,
        ev.RESERVATION_CANCELLED,
        ev.RESERVATION_REMINDER_DUE,
        ev.SERIES_CANCELLED,
        ev.WAITLIST_OFFERED,
        ev.WAITLIST_OFFER_EXPIRED,
        ev.APPROVAL_REQUESTED,
        ev.APPROVAL_APPROVED,
        ev.APPROVAL_REJECTED,
    }
)


def render(event_name: str, ctx: EmailContext) -> EmailContent | None:
    found = _lines(ctx, event_name)
    if found is None:
        return None
    subject, body = found
    greeting = f"Hello {ctx.username},"
    footer = "You receive this because email notifications are on in your preferences."
    text = "\n\n".join([greeting, *body, f"View it: {ctx.link}", "--", footer]) + "\n"
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in [greeting, *body])
    link = html.escape(ctx.link, quote=True)
    markup = (
        '<!doctype html><html><body style="font-family:sans-serif">'
        f'{paragraphs}<p><a href="{link}">View it in Resource Reserver</a></p>'
        f'<hr><p style="color:#666;font-size:12px">{html.escape(footer)}</p></body></html>'
    )
    return EmailContent(subject=subject, text=text, html=markup)


def context_extra(data: dict[str, Any]) -> str:
    return str(data.get("offer_expires_at") or "")
