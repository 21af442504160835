"""`rr oauth`: OAuth2 for third-party apps (issue 14). Register code-flow clients (admins),
try the authorization code + PKCE flow by hand, revoke and introspect tokens (as a client).

The client commands authenticate as the client (`--client-id` and its secret), never with your
signed-in session: they are what an integration would send. Secrets (client secret, codes,
verifiers, tokens) are asked for hidden, or read from stdin with `--stdin`: never arguments,
which `ps` and shell history would show.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

import typer

from cli import admin
from cli.auth import read_secret
from cli.context import JsonOpt, state
from cli.output import Column

app = typer.Typer(
    help="OAuth2: code-flow clients, authorize URLs, token exchange, revoke, introspect."
)
clients_app = typer.Typer(help="OAuth2 clients (admins): client credentials or code flow.")
app.add_typer(clients_app, name="clients")
# The same list and delete as `rr admin clients`.
clients_app.command("list")(admin.clients_list)
clients_app.command("delete")(admin.clients_delete)

ClientIdOpt = Annotated[str, typer.Option("--client-id", help="The client's id (rrc_...).")]
PublicOpt = Annotated[
    bool, typer.Option("--public", help="A public client: no secret is asked for.")
]
StdinOpt = Annotated[
    bool,
    typer.Option(
        "--stdin",
        help="Read the secrets from stdin, one per line in the order the command names, "
        "instead of hidden prompts (scripts).",
    ),
]
RedirectOpt = Annotated[
    str, typer.Option("--redirect-uri", help="A redirect URI registered for the client.")
]
CLIENT_COLUMNS = [
    *admin.CLIENT_COLUMNS[:3],
    Column("grant_types", "grants", "list"),
    Column("redirect_uris", "redirect URIs", "list"),
    Column("public", "public", "bool"),
]
TOKEN_COLUMNS = [
    Column("access_token", "access token"),
    Column("refresh_token", "refresh token"),
    Column("expires_in", "expires in (s)"),
    Column("scope", "scope"),
]


@clients_app.command("create")
def clients_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the client is for.")],
    *,
    scope: Annotated[list[str], typer.Option("--scope", help="A scope (repeatable).")],
    redirect_uri: Annotated[
        list[str] | None,
        typer.Option("--redirect-uri", help="Where codes may be sent (repeatable; code flow)."),
    ] = None,
    grant: Annotated[
        list[str] | None,
        typer.Option(
            "--grant",
            help="client_credentials (default), authorization_code, refresh_token (repeatable).",
        ),
    ] = None,
    public: Annotated[
        bool, typer.Option("--public", help="No secret (browser or native app): PKCE only.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Register a client; a confidential client's secret is shown once."""
    st = state(ctx)
    body: dict[str, Any] = {"name": name, "scopes": scope, "public": public}
    body["redirect_uris"] = redirect_uri or []
    if grant:
        body["grant_types"] = grant
    answer = st.client.post("oauth/clients", json=body)
    if as_json:
        st.out.json(answer)
        return
    st.out.record(answer, [*CLIENT_COLUMNS, Column("client_secret", "client secret")])
    if answer.get("client_secret"):
        st.out.notice("The client secret is shown only now: store it safely.")


def pkce_pair() -> tuple[str, str]:
    """RFC 7636: a random verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@app.command("authorize-url")
def authorize_url(
    ctx: typer.Context,
    client_id: ClientIdOpt,
    redirect_uri: RedirectOpt,
    scope: Annotated[list[str], typer.Option("--scope", help="A scope to ask for (repeatable).")],
    as_json: JsonOpt = False,
) -> None:
    """Print an authorize URL with a fresh PKCE verifier and state: open the URL in a browser,
    approve, then `rr oauth exchange` the `code` the redirect carries with the verifier."""
    st = state(ctx)
    verifier, challenge = pkce_pair()
    state_value = secrets.token_urlsafe(16)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scope),
            "state": state_value,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    url = f"{st.client.base_url.rstrip('/')}/api/v1/oauth/authorize?{query}"
    facts = {"authorize_url": url, "code_verifier": verifier, "state": state_value}
    if as_json:
        st.out.json(facts)
        return
    st.out.line(url)
    st.out.notice(f"code_verifier: {verifier}")
    st.out.notice(f"state: {state_value} (check it on the redirect)")


def _ask(
    client_id: str, *prompts: str, public: bool, from_stdin: bool
) -> tuple[list[str], dict[str, str]]:
    """The secrets named by `prompts` (hidden prompts, or stdin lines in that order), then the
    client's authentication fields (its secret asked last, unless the client is public)."""
    asked = [read_secret(from_stdin, prompt=p, what=p.lower()) for p in prompts]
    client = {"client_id": client_id}
    if not public:
        client["client_secret"] = read_secret(from_stdin, prompt="Client secret", what="secret")
    return asked, client


def _post_form(ctx: typer.Context, path: str, fields: dict[str, str]) -> Any:
    return state(ctx).client.post(
        path,
        content=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=False,
    )


@app.command()
def exchange(
    ctx: typer.Context,
    *,
    client_id: ClientIdOpt,
    redirect_uri: RedirectOpt,
    public: PublicOpt = False,
    from_stdin: StdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Trade an authorization code for tokens: asks for the code, the PKCE verifier and
    (unless --public) the client secret."""
    (code, verifier), client = _ask(
        client_id, "Authorization code", "Code verifier", public=public, from_stdin=from_stdin
    )
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        **client,
    }
    answer = _post_form(ctx, "oauth/token", fields)
    state(ctx).show(answer, as_json, TOKEN_COLUMNS)


@app.command()
def refresh(
    ctx: typer.Context,
    client_id: ClientIdOpt,
    public: PublicOpt = False,
    from_stdin: StdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Rotate a refresh token (asked for, then the client secret unless --public): new access
    and refresh tokens; the old one is spent."""
    (token,), client = _ask(client_id, "Refresh token", public=public, from_stdin=from_stdin)
    fields = {"grant_type": "refresh_token", "refresh_token": token, **client}
    answer = _post_form(ctx, "oauth/token", fields)
    state(ctx).show(answer, as_json, TOKEN_COLUMNS)


@app.command()
def revoke(
    ctx: typer.Context,
    client_id: ClientIdOpt,
    public: PublicOpt = False,
    from_stdin: StdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a token issued to the client (RFC 7009; asked for, then the client secret unless
    --public). A refresh token ends its whole grant."""
    (token,), client = _ask(client_id, "Token", public=public, from_stdin=from_stdin)
    answer = _post_form(ctx, "oauth/revoke", {"token": token, **client})
    st = state(ctx)
    if as_json:
        st.out.json(answer)
        return
    st.out.success("Revoked (or it was not a live token of this client).")


@app.command()
def introspect(
    ctx: typer.Context,
    client_id: ClientIdOpt,
    from_stdin: StdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Is this token active, and whose is it? (RFC 7662; confidential clients only: asks for
    the token, then the client secret)."""
    (token,), client = _ask(client_id, "Token", public=False, from_stdin=from_stdin)
    answer = _post_form(ctx, "oauth/introspect", {"token": token, **client})
    columns = [
        Column("active", "active", "bool"),
        Column("token_type", "type"),
        Column("username", "user"),
        Column("sub", "subject"),
        Column("scope", "scope"),
        Column("exp", "expires (epoch)"),
    ]
    state(ctx).show(answer, as_json, columns)
