"""What one reservation charged against its owner's quota counters.

Kept on the reservation itself, so the give-back (cancel, rejection, expiry, no-show, a move)
returns exactly what was taken, whatever the rules say by then, and exactly once: it is
written in the same version-guarded transaction as the status change that frees it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QuotaCharge:
    """`amount` (minutes for an hours rule, 1 for a count) on the counter `counter`
    (`<rule id>#<period key>`). `on_end` charges (concurrent reservations) come back when
    the reservation ends in any way; the others only when it is given up."""

    counter: str
    amount: int
    on_end: bool = False


def dump_charges(charges: Sequence[QuotaCharge]) -> str | None:
    if not charges:
        return None
    return json.dumps([[c.counter, c.amount, int(c.on_end)] for c in charges])


def load_charges(text: str | None) -> tuple[QuotaCharge, ...]:
    if not text:
        return ()
    return tuple(QuotaCharge(str(c), int(a), bool(e)) for c, a, e in json.loads(text))


def net(taken: Iterable[QuotaCharge] = (), returned: Iterable[QuotaCharge] = ()) -> dict[str, int]:
    """The net change per counter (one transaction may touch a counter once)."""
    deltas: dict[str, int] = {}
    for c in taken:
        deltas[c.counter] = deltas.get(c.counter, 0) + c.amount
    for c in returned:
        deltas[c.counter] = deltas.get(c.counter, 0) - c.amount
    return deltas
