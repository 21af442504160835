"""A cheap readiness probe: one GetItem on a key that never exists (no scans)."""

from __future__ import annotations

from chalicelib.store.table import TableItem, bind


def ping_table() -> None:
    bind()
    conn = TableItem._get_connection()
    conn.get_item("HEALTH#probe", "HEALTH#probe")
