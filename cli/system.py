"""`rr system`: health of the API and its versions."""

from __future__ import annotations

import typer

from cli import __version__
from cli.context import JsonOpt, state
from cli.output import Column

app = typer.Typer(help="Health and version of the API.")


@app.command()
def health(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """API and table health (exit 1 when degraded)."""
    st = state(ctx)
    answer = st.client.get("/health", auth=False, also_ok=(503,))
    checks = answer.get("checks") or {}
    if as_json:
        st.out.json(answer)
    else:
        rows = [{"check": "api", "status": answer.get("status"), "note": answer.get("version")}]
        rows += [{"check": name, "status": value} for name, value in checks.items()]
        st.out.table(
            rows,
            [Column("check", "check"), Column("status", "status", styled=True), Column("note", "")],
            title=f"{st.client.base_url}",
        )
    if answer.get("status") != "ok":
        raise typer.Exit(1)


@app.command()
def versions(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """API versions: current, supported, deprecated."""
    st = state(ctx)
    answer = st.client.get("/api/versions", auth=False)
    st.show(
        answer,
        as_json,
        [
            Column("current", "current"),
            Column("supported", "supported", "list"),
            Column("deprecated", "deprecated", "list"),
        ],
    )


@app.command()
def config(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Where rr points and what it stores (no network): API URL, token file, time zone."""
    st = state(ctx)
    creds = st.client.credentials()
    info = {
        "api_url": st.client.base_url,
        "credentials_file": str(st.client.store.path),
        "signed_in_as": creds.username if creds else None,
        "time_zone": st.zone.key,
        "version": __version__,
    }
    st.show(
        info,
        as_json,
        [
            Column("api_url", "API URL (--api-url / RR_API_URL)"),
            Column("credentials_file", "token file (RR_CONFIG_DIR)"),
            Column("signed_in_as", "signed in as"),
            Column("time_zone", "time zone (--tz / RR_TZ)"),
            Column("version", "rr version"),
        ],
    )
