"""The local stack's outbox (moto SES, read through /moto-api/data.json) for e2e tests."""

from __future__ import annotations

import email
import json
import re
import urllib.request
from email.message import Message

from infra.local.stack import RunningStack


def messages_to(stack: RunningStack, address: str) -> list[Message]:
    with urllib.request.urlopen(f"{stack.aws_url}/moto-api/data.json") as response:
        data = json.load(response)
    raw = [m["raw_data"] for m in data.get("ses", {}).get("RawMessage", [])]
    parsed = [email.message_from_string(r) for r in raw]
    return [m for m in parsed if m["To"] == address]


def verification_link(stack: RunningStack, address: str) -> str | None:
    for message in messages_to(stack, address):
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                text = payload.decode() if isinstance(payload, bytes) else str(payload)
                found = re.search(r"(http\S+/api/v1/auth/verify-email\?token=\S+)", text)
                if found:
                    return found.group(1)
    return None
