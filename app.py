"""Resource Reserver: creates the Chalice app, registers blueprints and handlers; nothing else."""

from __future__ import annotations

from chalice.app import Chalice, WebsocketEvent

from chalicelib import wiring
from chalicelib.api import lazy_routes
from chalicelib.api.middleware import reshape_errors
from chalicelib.api.routing import use_authenticator
from chalicelib.api.telemetry import observe_requests  # observability (issue 15)
from chalicelib.gc_tuning import tune_for_requests
from chalicelib.integrations.websocket_api import websocket_api
from chalicelib.workers import WORKER_BLUEPRINTS
from chalicelib.ws import connect, disconnect, message

# Every route family: a module of chalicelib.api with a Blueprint `bp`, registered in this
# order. Named, not imported: the Lambda bundle imports a family on its first request
# (api/lazy_routes.py, issue 15), tests and the local stack import them all here.
ROUTE_FAMILIES = (
    "system",
    "reservations",
    "series",
    "bulk",
    "resources",
    "resource_rules",
    "availability",
    "check_in",  # check-in and no-shows (issue 10)
    "approvals",  # approvals (issue 10)
    # Accounts: sign-in, users, MFA, OAuth clients, first-run setup, email verification.
    "auth",
    "users",
    "admin_users",
    "mfa",
    "oauth",
    "setup",
    "email_verification",
    "roles",  # roles, custom roles (roles14)
    # The event pipeline's APIs (its stream, queue and schedule handlers are WORKER_BLUEPRINTS).
    "notifications",
    "webhooks",
    "audit",
    "admin_ops",
    # Waitlist (issue 10): join, offers, accept/decline; its worker is in WORKER_BLUEPRINTS.
    "waitlist",
    "admin_metrics",  # observability (issue 15): the admin metrics summary
    # Locations, labels, saved searches and suggestions (catalog14).
    "groups",
    "labels",
    "search",
    "composites",  # composite resources (issue 14)
    # Calendar feeds (issue 12): .ics feeds by token (no bearer), exports, links.
    "calendar",
    "analytics",  # analytics (issue 12)
    # Booking quotas, what-if check (issue 13).
    "quotas",
    "what_if",
    "reservations_io",  # reservations CSV import/export (issue 14)
    "oauth_flows",  # OAuth2 code flow, revoke, introspect (issue 14)
)

app = Chalice(app_name="resource-reserver")
app.experimental_feature_flags.update(["WEBSOCKETS"])
# observability (issue 15): correlation id + request metrics, outside every other middleware
app.register_middleware(observe_requests, "http")
app.register_middleware(reshape_errors, "http")
# Before the websocket handlers below: each captures it when registered.
app.websocket_api = websocket_api

use_authenticator(wiring.authenticator)
lazy_routes.register(app, [f"chalicelib.api.{family}" for family in ROUTE_FAMILIES])
for worker_bp in WORKER_BLUEPRINTS:
    app.register_blueprint(worker_bp)


# Last: what the app holds from now on is frozen out of collections (chalicelib/gc_tuning.py).
tune_for_requests()


@app.on_ws_connect()
def ws_connect(event: WebsocketEvent) -> None:
    connect.handle(event)


@app.on_ws_message()
def ws_message(event: WebsocketEvent) -> None:
    message.handle(event)


@app.on_ws_disconnect()
def ws_disconnect(event: WebsocketEvent) -> None:
    disconnect.handle(event)
