"""Helpers shared by the command groups added for issue 11: paged lists and short answers."""

from __future__ import annotations

from typing import Any

import typer

from cli.context import state


def fetch_items(
    ctx: typer.Context,
    path: str,
    params: dict[str, Any],
    *,
    all_pages: bool,
    label: str,
) -> list[dict[str, Any]]:
    """One page of a cursor listing, or every page with `--all` (page counter on stderr)."""
    st = state(ctx)
    with st.out.pages(label) as progress:
        return list(st.client.paginate(path, params, all_pages=all_pages, on_page=progress))


def items_of(answer: Any) -> list[dict[str, Any]]:
    """A bare JSON list, or the `items` of a page."""
    if isinstance(answer, dict):
        return list(answer.get("items") or [])
    return list(answer or [])


def done(ctx: typer.Context, answer: Any, as_json: bool, message: str) -> None:
    """The API's answer for scripts, one sentence for people."""
    st = state(ctx)
    if as_json:
        st.out.json(answer)
    else:
        st.out.success(message)
