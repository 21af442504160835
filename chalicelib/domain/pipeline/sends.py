"""The outcome of claiming a batch of once-only sends (the bulk lane's email, issue 16)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ClaimedSends:
    """Keys to send now (`mine`), sent before (`done`), held by another sender (`busy`)."""

    mine: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
