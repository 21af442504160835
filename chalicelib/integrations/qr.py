"""QR codes as PNG data URIs (pure Python, no image library): the MFA enrolment's otpauth
URI and a reservation's check-in link are both shown this way."""

from __future__ import annotations

import base64
import io

import qrcode
from qrcode.image.pure import PyPNGImage


def png_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=PyPNGImage, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
