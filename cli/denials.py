"""Explained denials and Plan B in the terminal (issue 13): every failed rule, then the
ready-to-send alternatives (`rr reserve` / `rr reservations create` and `--dry-run`)."""

from __future__ import annotations

from typing import Any

from cli.output import Output
from cli.timeparse import format_local


def violation_lines(details: dict[str, Any]) -> list[str]:
    found = [v for v in details.get("violations") or [] if isinstance(v, dict)]
    return [f"{v.get('rule', '?')}: {v.get('message')} ({v.get('code')})" for v in found]


def alternative_lines(details: dict[str, Any], out: Output) -> list[str]:
    found = [a for a in details.get("alternatives") or [] if isinstance(a, dict)]
    if not found:
        return []
    lines = ["Plan B (book one with: rr reserve RESOURCE START END):"]
    for a in found:
        start = format_local(a.get("start_time"), out.zone)
        end = format_local(a.get("end_time"), out.zone)
        label = {"earlier": "earlier", "later": "later", "other_resource": "other resource"}
        kind = label.get(str(a.get("kind")), str(a.get("kind")))
        lines.append(
            f"  {kind}: {a.get('resource_name')} ({a.get('resource_id')}) "
            f"{start} -> {end} {out.zone.key}"
        )
    return lines


def quota_lines(quota: list[dict[str, Any]]) -> list[str]:
    return [f"quota {q.get('rule_name')}: {q.get('summary')}" for q in quota]


def show_check(result: dict[str, Any], out: Output) -> None:
    """The what-if answer of `--dry-run`."""
    if result.get("ok"):
        status = result.get("status")
        out.success(
            f"would be booked ({status})"
            + (" - needs approval" if result.get("requires_approval") else "")
        )
    else:
        out.error("would be refused")
    for line in violation_lines(result):
        out.line(f"  {line}")
    for conflict in result.get("conflicts") or []:
        start = format_local(conflict.get("start_time"), out.zone)
        end = format_local(conflict.get("end_time"), out.zone)
        out.line(f"  conflicts with {start} -> {end} {out.zone.key}")
    for line in quota_lines(result.get("quota") or []):
        out.line(f"  {line}")
    for line in alternative_lines(result, out):
        out.line(line)
