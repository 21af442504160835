"""Send email: the `Mailer` port, its SES adapter (raw MIME: text + HTML + attachments) and an
in-memory fake in tests/fakes/outbound.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    content: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = field(default=())
    headers: dict[str, str] = field(default_factory=dict)


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> str:
        """Send one message; returns the provider's message id. Raises if not accepted."""
        ...


def to_mime(email: OutgoingEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.partition("@")[2] or None)
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    for attachment in email.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, _, params = rest.partition(";")
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype.strip(),
            filename=attachment.filename,
            params=_params(params),
        )
    return message


def _params(raw: str) -> dict[str, str]:
    pairs = (p.strip().partition("=") for p in raw.split(";") if p.strip())
    return {k.strip(): v.strip() for k, _, v in pairs}


class SesMailer:
    def __init__(self, client: Any, sender: str) -> None:
        self._client = client
        self._sender = sender

    def send(self, email: OutgoingEmail) -> str:
        raw = to_mime(email, self._sender).as_bytes()
        response = self._client.send_raw_email(
            Source=self._sender, Destinations=[email.to], RawMessage={"Data": raw}
        )
        return str(response["MessageId"])
