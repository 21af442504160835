"""The check-in link's page: what a phone shows after scanning the reservation's QR code.

Plain HTML with no script, built from escaped values only; its form posts back to the same
URL. Refusals (an expired or forged link, a closed window) are shown in words on the page.
"""

from __future__ import annotations

from html import escape

from chalicelib.api.errors import status_for
from chalicelib.api.routing import Reply
from chalicelib.domain.errors import DomainError
from chalicelib.domain.timeutil import iso_z
from chalicelib.services.reservations.check_in import CheckInView

_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}"
    "button{font-size:1.2rem;padding:.6rem 1.4rem}.ok{color:#05632c}.no{color:#9b1c1c}"
)


def wants_html(accept: str | None) -> bool:
    """A browser (its Accept header names text/html before JSON) gets the page."""
    text = (accept or "").lower()
    html, json = text.find("text/html"), text.find("application/json")
    return html >= 0 and (json < 0 or html < json)


def page(view: CheckInView, *, done: bool) -> Reply:
    r = view.reservation
    when = f"{iso_z(r.window.start)} to {iso_z(r.window.end)} (UTC)"
    lines = [f"<h1>{escape(view.resource_name)}</h1>", f"<p>{escape(when)}</p>"]
    if view.checked_in:
        lines.append(
            '<p class="ok" role="status">You are checked in.</p>'
            if done
            else ('<p class="ok" role="status">Already checked in.</p>')
        )
    elif view.token is None:
        lines.append(f'<p class="no" role="alert">This booking is {escape(r.status.value)}.</p>')
    else:
        opens, closes = iso_z(view.window.opens_at), iso_z(view.window.closes_at)
        lines += [
            f"<p>Check-in is open from {escape(opens)} to {escape(closes)}.</p>",
            '<form method="post"><button type="submit">Check in</button></form>',
        ]
    return Reply(_document("Check in", lines), 200, dict(_HEADERS))


def refusal(error: DomainError) -> Reply:
    lines = ["<h1>Check-in</h1>", f'<p class="no" role="alert">{escape(error.message)}.</p>']
    return Reply(_document("Check in", lines), status_for(error), dict(_HEADERS))


def _document(title: str, lines: list[str]) -> str:
    body = "\n".join(lines)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
