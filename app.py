"""Resource Reserver: creates the Chalice app, registers blueprints and handlers; nothing else."""

from __future__ import annotations

from chalice.app import Chalice, WebsocketEvent

from chalicelib import wiring
from chalicelib.api import (
    admin_metrics,  # observability (issue 15)
    admin_ops,
    admin_users,
    audit,
    auth,
    email_verification,
    mfa,
    oauth,
    reservations,
    setup,
    system,
    users,
)
from chalicelib.api import analytics as analytics_api  # analytics (issue 12)
from chalicelib.api import approvals as approvals_api
from chalicelib.api import composites as composites_api  # composite resources (issue 14)
from chalicelib.api import groups as groups_api
from chalicelib.api import labels as labels_api
from chalicelib.api import notifications as notifications_api
from chalicelib.api import oauth_flows as oauth_flows_api  # OAuth2 code flow (issue 14)
from chalicelib.api import quotas as quotas_api  # booking quotas (issue 13)
from chalicelib.api import roles as roles_api  # custom roles (roles14)
from chalicelib.api import search as search_api
from chalicelib.api import webhooks as webhooks_api
from chalicelib.api import what_if as what_if_api  # what-if check (issue 13)
from chalicelib.api.availability import bp as availability_bp
from chalicelib.api.bulk import bp as bulk_bp
from chalicelib.api.calendar import bp as calendar_bp  # calendar feeds (issue 12)
from chalicelib.api.check_in import bp as check_in_bp
from chalicelib.api.middleware import reshape_errors
from chalicelib.api.reservations_io import bp as reservations_io_bp  # import/export (issue 14)
from chalicelib.api.resource_rules import bp as resource_rules_bp
from chalicelib.api.resources import bp as resources_bp
from chalicelib.api.routing import use_authenticator
from chalicelib.api.series import bp as series_bp
from chalicelib.api.telemetry import observe_requests  # observability (issue 15)
from chalicelib.api.waitlist import bp as waitlist_bp
from chalicelib.integrations.websocket_api import websocket_api
from chalicelib.workers import WORKER_BLUEPRINTS
from chalicelib.ws import connect, disconnect, message

app = Chalice(app_name="resource-reserver")
app.experimental_feature_flags.update(["WEBSOCKETS"])
# observability (issue 15): correlation id + request metrics, outside every other middleware
app.register_middleware(observe_requests, "http")
app.register_middleware(reshape_errors, "http")
# Before the websocket handlers below: each captures it when registered.
app.websocket_api = websocket_api

app.register_blueprint(system.bp)
app.register_blueprint(reservations.bp)
app.register_blueprint(series_bp)
app.register_blueprint(bulk_bp)
app.register_blueprint(resources_bp)
app.register_blueprint(resource_rules_bp)
app.register_blueprint(availability_bp)
app.register_blueprint(check_in_bp)  # check-in and no-shows (issue 10)
app.register_blueprint(approvals_api.bp)  # approvals (issue 10)

use_authenticator(wiring.authenticator)
for auth_bp in (
    auth.bp,
    users.bp,
    admin_users.bp,
    mfa.bp,
    oauth.bp,
    setup.bp,
    email_verification.bp,
):
    app.register_blueprint(auth_bp)
app.register_blueprint(roles_api.bp)  # roles, custom roles (roles14)

# The event pipeline's APIs, then its stream, queue and schedule handlers (names from topology).
for pipeline_bp in (notifications_api.bp, webhooks_api.bp, audit.bp, admin_ops.bp):
    app.register_blueprint(pipeline_bp)
# Waitlist (issue 10): join, offers, accept/decline; its worker is in WORKER_BLUEPRINTS.
app.register_blueprint(waitlist_bp)
# observability (issue 15): the admin metrics summary
app.register_blueprint(admin_metrics.bp)
# Locations, labels, saved searches and suggestions (catalog14).
for catalog_bp in (groups_api.bp, labels_api.bp, search_api.bp):
    app.register_blueprint(catalog_bp)
app.register_blueprint(composites_api.bp)  # composite resources (issue 14)
# Calendar feeds (issue 12): .ics feeds by token (no bearer), exports, links.
app.register_blueprint(calendar_bp)
app.register_blueprint(analytics_api.bp)  # analytics (issue 12)
# Booking quotas, what-if check (issue 13).
app.register_blueprint(quotas_api.bp)
app.register_blueprint(what_if_api.bp)
app.register_blueprint(reservations_io_bp)  # reservations CSV import/export (issue 14)
app.register_blueprint(oauth_flows_api.bp)  # OAuth2 code flow, revoke, introspect (issue 14)
for worker_bp in WORKER_BLUEPRINTS:
    app.register_blueprint(worker_bp)


@app.on_ws_connect()
def ws_connect(event: WebsocketEvent) -> None:
    connect.handle(event)


@app.on_ws_message()
def ws_message(event: WebsocketEvent) -> None:
    message.handle(event)


@app.on_ws_disconnect()
def ws_disconnect(event: WebsocketEvent) -> None:
    disconnect.handle(event)
