"""Composite resources (issue 14): the pure rules of setting a resource's parts.

One level: a composite is never a part and a part is never a composite; no self, no
duplicates, at most `max_parts` parts, a resource part of at most `max_composites`
composites. Cycles cannot arise under these rules (a cycle needs a composite that is a part).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chalicelib.domain.errors import InvalidInput


@dataclass(frozen=True)
class LinkState:
    """What the rules need of a resource's current links."""

    parts: tuple[str, ...] = ()
    part_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartsChange:
    """The new links of every resource a change touches: `composite`'s parts and each
    affected part's composites."""

    parts: tuple[str, ...]
    part_of: dict[str, tuple[str, ...]]


def plan_parts(
    composite: str,
    wanted: Sequence[str],
    current: Mapping[str, LinkState],
    *,
    max_parts: int,
    max_composites: int,
) -> PartsChange:
    """Validate `wanted` as the parts of `composite` (`current` holds the links of the
    composite, its old parts and the wanted ones) and return the new links."""
    problems: list[dict[str, str]] = []
    seen: set[str] = set()
    for part in wanted:
        if part == composite:
            problems.append({"part": part, "reason": "a resource cannot be its own part"})
        elif part in seen:
            problems.append({"part": part, "reason": "listed twice"})
        seen.add(part)
    if len(wanted) > max_parts:
        problems.append({"part": "", "reason": f"at most {max_parts} parts"})
    own = current.get(composite, LinkState())
    if wanted and own.part_of:
        problems.append(
            {"part": composite, "reason": "a part of another composite cannot have parts"}
        )
    for part in seen - {composite}:
        state = current.get(part, LinkState())
        if state.parts:
            problems.append({"part": part, "reason": "a composite cannot be a part"})
        if composite not in state.part_of and len(state.part_of) >= max_composites:
            problems.append(
                {"part": part, "reason": f"already a part of {max_composites} composites"}
            )
    if problems:
        raise InvalidInput(
            "these parts cannot be set", code="invalid_parts", details={"problems": problems}
        )
    new_parts = tuple(dict.fromkeys(wanted))
    touched = set(own.parts) | set(new_parts)
    part_of: dict[str, tuple[str, ...]] = {}
    for part in touched:
        before = current.get(part, LinkState()).part_of
        others = tuple(c for c in before if c != composite)
        part_of[part] = (*others, composite) if part in new_parts else others
    return PartsChange(new_parts, part_of)
