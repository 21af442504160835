"""Where a check-in token is opened from a phone: the absolute link and its QR code (the API's
public URL is the one a person scans, not the path the web app calls)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

CHECK_IN_PATH = "/api/v1/checkin/{token}"


@dataclass(frozen=True)
class CheckInLinks:
    public_url: str
    render_qr: Callable[[str], str]  # text -> image data URI

    def path(self, token: str) -> str:
        return CHECK_IN_PATH.format(token=token)

    def url(self, token: str) -> str:
        return self.public_url.rstrip("/") + self.path(token)

    def qr(self, token: str) -> str:
        return self.render_qr(self.url(token))
