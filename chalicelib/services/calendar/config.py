"""The calendar services' settings, as one value (built from settings.py in wiring)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class CalendarConfig:
    public_url: str  # where calendar apps reach the API (settings.api_public_url)
    retention: timedelta = timedelta(days=30)
    refresh: timedelta = timedelta(hours=1)

    def feed_url(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/api/v1/calendar/feed/{token}.ics"

    def resource_feed_url(self, resource_id: str, token: str | None) -> str:
        base = f"{self.public_url.rstrip('/')}/api/v1/calendar/resources/{resource_id}/feed.ics"
        return f"{base}?token={token}" if token else base

    def export_url(self, reservation_id: str) -> str:
        return f"{self.public_url.rstrip('/')}/api/v1/calendar/export/{reservation_id}.ics"


def webcal(url: str) -> str:
    """The same URL for `webcal://`, which makes browsers hand it to the calendar app."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url.removeprefix(scheme)
    return url
