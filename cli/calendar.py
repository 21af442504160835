"""`rr calendar`: subscribe to your bookings from a calendar app, export one booking as .ics,
"add to Google/Outlook" links, and (admins) a resource's or location's feed setting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import JsonOpt, require, state
from cli.download import download
from cli.lookup import path_part, resource_id
from cli.output import Column

app = typer.Typer(
    help="Calendar feeds: a subscription URL for calendar apps, .ics exports, add-to links.",
    no_args_is_help=True,
)

ReservationArg = Annotated[str, typer.Argument(help="Reservation id.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")]

URL_COLUMNS = [
    Column("url", "feed URL (keep it secret)"),
    Column("webcal_url", "webcal URL (opens your calendar app)"),
]
LINK_COLUMNS = [
    Column("google", "Google Calendar"),
    Column("outlook", "Outlook.com"),
    Column("office365", "Outlook (Microsoft 365)"),
    Column("ics", ".ics file"),
]
RESOURCE_COLUMNS = [
    Column("resource_id", "resource"),
    Column("mode", "feed"),
    Column("url", "feed URL"),
]


@app.command("subscription-url")
def subscription_url(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Your feed URL: paste it into a calendar app's "subscribe to calendar" (no sign-in)."""
    st = state(ctx)
    st.show(st.client.get("calendar/subscription-url"), as_json, URL_COLUMNS, title="My feed")


@app.command("regenerate")
def regenerate(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """A new feed URL; the old one stops working at once (calendars using it go stale)."""
    if not yes:
        typer.confirm(
            "Replace your feed URL? Calendars subscribed to the old one stop updating", abort=True
        )
    st = state(ctx)
    answer = st.client.post("calendar/regenerate-token")
    if as_json:
        st.out.json(answer)
        return
    st.out.success("Your feed has a new URL; the old one no longer works.")
    st.show(answer, False, URL_COLUMNS, title="My feed")


def _save(
    ctx: typer.Context, path: str, params: dict[str, int], file: Path, *, force: bool, json: bool
) -> None:
    require(force or not file.exists(), f"{file} exists: use --force to overwrite it")
    st = state(ctx)
    size = download(st.client, st.out, path, params, file)
    if json:
        st.out.json({"file": str(file), "bytes": size})
    else:
        st.out.success(f"Wrote {file} ({size} bytes).")


@app.command("export")
def export(
    ctx: typer.Context,
    reservation: ReservationArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default reservation-<id>.ics).")
    ] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Save one booking as an .ics file (to import into any calendar)."""
    rid = path_part(reservation)
    file = output or Path(f"reservation-{reservation}.ics")
    _save(ctx, f"calendar/export/{rid}.ics", {}, file, force=force, json=as_json)


@app.command("feed")
def feed(
    ctx: typer.Context,
    *,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")] = Path(
        "reservations.ics"
    ),
    past_days: Annotated[int, typer.Option(help="Days back (0-366).")] = 30,
    future_days: Annotated[int, typer.Option(help="Days ahead (1-366).")] = 180,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Save your whole feed (what subscribed calendars see) as an .ics file."""
    params = {"past_days": past_days, "future_days": future_days}
    _save(ctx, "calendar/my-feed", params, output, force=force, json=as_json)


@app.command("links")
def links(ctx: typer.Context, reservation: ReservationArg, as_json: JsonOpt = False) -> None:
    """ "Add to Google Calendar" and "Add to Outlook" links for one booking."""
    st = state(ctx)
    answer = st.client.get(f"calendar/links/{path_part(reservation)}")
    st.show(answer, as_json, LINK_COLUMNS, title="Add to calendar")


@app.command("resource-feed")
def resource_feed(
    ctx: typer.Context,
    resource: Annotated[str, typer.Argument(help="Resource id or name.")],
    mode: Annotated[
        str | None,
        typer.Option("--mode", help="public, token or off (omit to show the setting)."),
    ] = None,
    regenerate_token: Annotated[
        bool, typer.Option("--regenerate-token", help="A new token (with --mode token).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """A resource's feed: public, tokenized or off (admins)."""
    st = state(ctx)
    path = f"calendar/resources/{path_part(resource_id(st.client, resource))}/settings"
    answer = _feed_setting(ctx, path, mode, regenerate_token=regenerate_token)
    st.show(answer, as_json, RESOURCE_COLUMNS, title="Resource feed")


def _feed_setting(
    ctx: typer.Context, path: str, mode: str | None, *, regenerate_token: bool
) -> dict[str, Any]:
    """Show (no mode) or set a resource's or location's feed setting."""
    require(mode in (None, "public", "token", "off"), "--mode must be public, token or off")
    require(not regenerate_token or mode == "token", "--regenerate-token needs --mode token")
    client = state(ctx).client
    if mode is None:
        return dict(client.get(path))
    return dict(client.put(path, json={"mode": mode, "regenerate_token": regenerate_token}))


GROUP_COLUMNS = [
    Column("group_id", "location"),
    Column("mode", "feed"),
    Column("url", "feed URL"),
]


@app.command("location-feed")
def location_feed(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="Location (resource group) id.")],
    mode: Annotated[
        str | None,
        typer.Option("--mode", help="public, token or off (omit to show the setting)."),
    ] = None,
    regenerate_token: Annotated[
        bool, typer.Option("--regenerate-token", help="A new token (with --mode token).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """A location's feed (every resource of its subtree, at most 50): public, tokenized or
    off (admins)."""
    path = f"calendar/groups/{path_part(group)}/settings"
    answer = _feed_setting(ctx, path, mode, regenerate_token=regenerate_token)
    state(ctx).show(answer, as_json, GROUP_COLUMNS, title="Location feed")
