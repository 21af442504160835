"""What the audit statistics count (issue 14): one counter per UTC day and value of each
dimension, and the values seen (pure data; the store keeps them, docs/audit-statistics.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DIMENSIONS = ("action", "actor", "entity")


@dataclass(frozen=True)
class StatRow:
    dimension: str
    day: date
    value: str
    count: int


@dataclass(frozen=True)
class SeenValue:
    dimension: str
    value: str
    count: int
    last_at: str
