"""Labels: `category:value` with a colour (e.g. `floor:3`, `equipment:projector`, #1f77b4).

A resource carries label ids; names live on the label, so a rename touches one item and a
merge moves each resource's id in that resource's own conditional write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.domain.errors import InvalidInput, NotFound

MAX_PART = 50
MAX_LABELS_PER_RESOURCE = 20
MAX_LABELS = 1000
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#6b7280"


@dataclass(frozen=True)
class Label:
    label_id: str
    category: str
    value: str
    color: str = DEFAULT_COLOUR
    description: str = ""

    @property
    def name(self) -> str:
        return f"{self.category}:{self.value}"


def name_key(category: str, value: str) -> str:
    return f"{category.casefold()}:{value.casefold()}"


def label_not_found(label_id: str) -> NotFound:
    return NotFound(
        f"label '{label_id}' does not exist",
        code="label_not_found",
        details={"label_id": label_id},
    )


def _bad(field: str, message: str) -> InvalidInput:
    details = [{"field": field, "message": message}]
    return InvalidInput(message, code="invalid_label", details=details)


def clean_part(field: str, raw: str) -> str:
    text = " ".join(raw.split())
    if not text or len(text) > MAX_PART or ":" in text:
        raise _bad(field, f"1 to {MAX_PART} characters, without ':'")
    return text


def clean_colour(raw: str) -> str:
    if not _COLOUR.match(raw):
        raise _bad("color", "a colour is #rrggbb")
    return raw.lower()


def split_name(raw: str) -> tuple[str, str]:
    """`category:value` -> its parts (both required)."""
    category, sep, value = raw.partition(":")
    if not sep:
        raise _bad("name", "a label is written category:value")
    return clean_part("category", category), clean_part("value", value)
