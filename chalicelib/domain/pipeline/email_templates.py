"""Email texts for each event (pure): subject, plain text and HTML.

Waitlist and approval templates exist already; their events are reserved names until the
waitlist/approval issue emits them. Every value interpolated into HTML is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.pipeline import events as ev


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


# A booking that waits for an approver (reservation.created with status pending_approval).
PENDING_APPROVAL = "reservation.created/pending_approval"

# event -> (subject, paragraphs); {what} {when} {by} {extra} are filled from the context and
# a "Reason: ..." paragraph is added where {reason} appears.
_TEMPLATES: dict[str, tuple[str, tuple[str, ...]]] = {
    ev.RESERVATION_CREATED: (
        "Reservation confirmed: {what}",
        (
            "Your reservation of {what} is confirmed for {when}.",
            "The attached invitation adds it to your calendar.",
        ),
    ),
    PENDING_APPROVAL: (
        "Reservation requested: {what}",
        (
            "Your reservation of {what} {when} is waiting for approval.",
            "You will get another message when it is decided.",
        ),
    ),
    ev.RESERVATION_RESCHEDULED: (
        "Reservation moved: {what}",
        (
            "Your reservation of {what} now takes place {when}.",
            "The attached invitation updates your calendar.",
        ),
    ),
    ev.RESERVATION_CANCELLED: (
        "Reservation cancelled: {what}",
        ("Your reservation of {what} on {when} was cancelled{by}.", "{reason}"),
    ),
    ev.RESERVATION_REMINDER_DUE: (
        "Reminder: {what} {when}",
        ("This is a reminder of your reservation of {what}, {when}.",),
    ),
    ev.SERIES_CANCELLED: (
        "Recurring reservation cancelled: {what}",
        ("Your recurring reservation of {what} was cancelled{by}.", "{reason}"),
    ),
    ev.WAITLIST_OFFERED: (
        "A slot is free: {what}",
        (
            "{what} is free {when}, and it is held for you.",
            "Accept the offer before {extra}, or it goes to the next person.",
            "Accept or decline it at the link below (or: rr waitlist accept <entry id>).",
        ),
    ),
    ev.WAITLIST_ACCEPTED: (
        "Reservation confirmed from the waitlist: {what}",
        ("The slot of {what} {when} is now yours.",),
    ),
    ev.WAITLIST_OFFER_EXPIRED: (
        "Your offer for {what} expired",
        ("The slot of {what} {when} was offered to the next person on the list.",),
    ),
    ev.APPROVAL_REQUESTED: (
        "Approval needed: {what}",
        ("A reservation of {what} {when} is waiting for your decision.",),
    ),
    ev.APPROVAL_APPROVED: (
        "Reservation approved: {what}",
        ("Your reservation of {what} {when} was approved.",),
    ),
    ev.APPROVAL_REJECTED: (
        "Reservation not approved: {what}",
        ("Your reservation of {what} {when} was not approved.", "{reason}"),
    ),
    # Approvals (issue 10).
    ev.APPROVAL_EXPIRED: (
        "Reservation request expired: {what}",
        ("Your request for {what} {when} was not decided in time and has expired.",),
    ),
    ev.APPROVAL_REMINDER_DUE: (
        "Reminder, approval needed: {what}",
        ("A reservation of {what} {when} is still waiting for your decision.",),
    ),
}


def _lines(ctx: EmailContext, event_name: str) -> tuple[str, list[str]] | None:
    template = _TEMPLATES.get(event_name)
    if template is None:
        return None
    values = {
        "what": ctx.what,
        "when": ctx.when,
        "extra": ctx.extra,
        "by": " by an administrator" if ctx.by_admin else "",
        "reason": f"Reason: {ctx.reason}" if ctx.reason else "",
    }
    subject, paragraphs = template
    body = [p.format(**values) for p in paragraphs]
    return subject.format(**values), [line for line in body if line]


TEMPLATED_EVENTS = frozenset(_TEMPLATES)


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


def render_verification(username: str, link: str, valid_hours: int) -> EmailContent:
    """The one mail an unverified address receives: the link that verifies it. The link opens
    a page with a button; following it changes nothing by itself (mail scanners follow links)."""
    lines = [
        f"Hello {username},",
        "Please confirm that this is your email address for Resource Reserver: open the link "
        "and press the button on the page.",
        f"The link works once, within {valid_hours} hours. Until then we send this address no "
        "other mail and no calendar invitations.",
        "If you did not ask for this, ignore this message: nothing happens without the button.",
    ]
    text = "\n\n".join([*lines, link]) + "\n"
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    href = html.escape(link, quote=True)
    markup = (
        '<!doctype html><html><body style="font-family:sans-serif">'
        f'{paragraphs}<p><a href="{href}">Confirm my email address</a></p></body></html>'
    )
    return EmailContent("Confirm your email address", text, markup)


def context_extra(data: dict[str, Any]) -> str:
    return str(data.get("offer_expires_at") or "")
