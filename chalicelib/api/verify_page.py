"""The two small HTML pages of email verification (served by the API, no script, no CDN).

The link in the mail opens the first one. It only SHOWS a button: mail scanners and link
previews fetch links, and a GET that verified by itself would let them confirm an address
nobody read. The button POSTs the token back; the second page says what happened.
"""

from __future__ import annotations

import html

# Nothing to load, nothing to run; the form may post only to us; never framed.
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_STYLE = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}"


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body><h1>{title}</h1>{body}</body></html>"
    )


def confirm_form(token: str, action: str) -> str:
    return _page(
        "Confirm your email address",
        "<p>Press the button to confirm that you read mail at this address.</p>"
        f'<form method="post" action="{html.escape(action, quote=True)}">'
        f'<input type="hidden" name="token" value="{html.escape(token, quote=True)}">'
        '<button type="submit">Confirm my email address</button></form>',
    )


def outcome(title: str, message: str, app_url: str) -> str:
    return _page(
        html.escape(title),
        f"<p>{html.escape(message)}</p>"
        f'<p><a href="{html.escape(app_url, quote=True)}">Continue to Resource Reserver</a></p>',
    )
