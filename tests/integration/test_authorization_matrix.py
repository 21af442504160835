"""The authorisation matrix: every route, called by every kind of caller, answers the status
written in ONE expectation table (issue 9).

Generated from the route registry, so a route missing from `EXPECTED` fails the test, and so
does a table row naming a route that no longer exists. Callers (the table's columns):

  anon     no Authorization header
  guest    gina, a user demoted to guest AFTER she booked and subscribed a webhook: her own
           objects are in the path, so a write that answers 2xx is a read-only breach
  user     alice, the owner of every owned object in the path
  other    bob, a second user: alice's objects are in the path (owner-or-admin, 404/403)
  cl+      an OAuth client holding exactly the route's scope (or every scope, incl. `admin`,
           on a route that declares none)
  cl-      an OAuth client holding every scope but the route's
  admin    the first administrator (on owned objects: a second object of alice's)

A cell is "2xx" or an exact 4xx status. Bodies are valid only where the object is owned (so the
owner's 2xx proves the object was really reached); elsewhere `{}`, so a caller who passes the
gate gets 422/404 and nothing is changed. One test walks the whole table on one set of accounts
and objects (about 700 in-process requests on moto, a few seconds).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from chalice.test import Client

from chalicelib.api.routing import ROUTES, RouteSpec
from chalicelib.domain.clock import FrozenClock
from tests.factories import auth_headers, post_form, register_and_login, send_json, user_id_of
from tests.integration.reservations_kit import at, booked, create_resource, iso

# Columns of the table: ano(nymous) g(ue)st us(e)r oth(er) cl+ cl- adm(in)
CALLERS = ("anon", "guest", "user", "other", "cl+", "cl-", "admin")
NO_SUCH_ID = "01NOSUCHID0000000000000000"
_PARAM = re.compile(r"{([^}]+)}")
# Owned objects: these path parameters are filled with the caller's object (see the docstring).
OWNED = ("reservation_id", "series_id", "webhook_id", "delivery_id")
# Run last: they end a session or delete an object that later routes still need.
LAST = [("DELETE", "/api/v1/webhooks/{webhook_id}"), ("POST", "/api/v1/logout")]
NON_ADMIN_SCOPES = ("resources:read", "resources:write", "reservations:read", "reservations:write")


def _table(text: str) -> dict[tuple[str, str], dict[str, str]]:
    """`METHOD path cell*7` per line; paths not starting with /api/ live under /api/v1."""
    table: dict[tuple[str, str], dict[str, str]] = {}
    for line in text.strip().splitlines()[1:]:
        method, path, *cells = line.split()
        assert len(cells) == len(CALLERS), line
        full = path if path.startswith("/api/") else f"/api/v1{path}"
        assert (method, full) not in table, line
        table[(method, full)] = dict(zip(CALLERS, cells, strict=True))
    return table


EXPECTED = _table(
    """
#      (paths under /api/v1)                                      ano gst usr oth cl+ cl- adm
GET    /admin/dead-letters                                        401 403 403 403 403 403 2xx
POST   /admin/dead-letters/{queue}/redrive                        401 403 403 403 403 403 404
GET    /admin/jobs                                                401 403 403 403 403 403 2xx
POST   /admin/jobs/{name}/run                                     401 403 403 403 403 403 404
POST   /admin/cleanup-expired                                     401 403 403 403 403 403 2xx
GET    /auth/admin/users                                          401 403 403 403 403 403 2xx
POST   /auth/admin/reset-password                                 401 403 403 403 403 403 422
POST   /admin/users/{user_id}/disable                             401 403 403 403 403 403 404
POST   /admin/users/{user_id}/enable                              401 403 403 403 403 403 404
GET    /roles                                                     401 403 403 403 403 403 2xx
GET    /roles/my-roles                                            401 2xx 2xx 2xx 403 403 2xx
POST   /roles/assign                                              401 403 403 403 403 403 422
DELETE /roles/assign                                              401 403 403 403 403 403 422
GET    /audit/logs                                                401 403 403 403 403 403 2xx
GET    /audit/logs/{entry_id}                                     401 403 403 403 403 403 404
GET    /audit/entity/{entity_type}/{entity_id}                    401 403 403 403 403 403 2xx
GET    /audit/user/{user_id}/activity                             401 403 403 403 403 403 2xx
GET    /audit/my-activity                                         401 2xx 2xx 2xx 403 403 2xx
GET    /audit/export/csv                                          401 403 403 403 403 403 2xx
GET    /audit/export/json                                         401 403 403 403 403 403 2xx
POST   /register                                                  422 422 422 422 422 422 422
POST   /token                                                     422 422 422 422 422 422 422
POST   /token/refresh                                             422 422 422 422 422 422 422
POST   /auth/mfa/setup                                            401 2xx 2xx 2xx 403 403 2xx
POST   /auth/mfa/verify                                           401 422 422 422 403 403 422
POST   /auth/mfa/disable                                          401 422 422 422 403 403 422
POST   /auth/mfa/backup-codes                                     401 422 422 422 403 403 422
POST   /oauth/clients                                             401 403 403 403 403 403 422
GET    /oauth/clients                                             401 403 403 403 403 403 2xx
DELETE /oauth/clients/{client_id}                                 401 403 403 403 403 403 404
POST   /oauth/token                                               422 422 422 422 422 422 422
GET    /oauth/whoami                                              401 2xx 2xx 2xx 2xx 403 2xx
POST   /reservations                                              401 403 422 422 422 403 422
GET    /reservations/my                                           401 2xx 2xx 2xx 2xx 403 2xx
GET    /reservations/{reservation_id}                             401 2xx 2xx 404 404 403 2xx
PATCH  /reservations/{reservation_id}                             401 403 2xx 404 404 403 2xx
POST   /reservations/{reservation_id}/cancel                      401 403 2xx 404 404 403 2xx
GET    /reservations/{reservation_id}/history                     401 2xx 2xx 404 404 403 2xx
GET    /admin/reservations                                        401 403 403 403 403 403 2xx
GET    /resources/{resource_id}/schedule                          401 2xx 2xx 2xx 2xx 403 2xx
GET    /resources/schedules                                       401 422 422 422 422 403 422
GET    /setup/status                                              2xx 2xx 2xx 2xx 2xx 2xx 2xx
POST   /setup/initialize                                          422 422 422 422 422 422 422
GET    /api/versions                                              2xx 2xx 2xx 2xx 2xx 2xx 2xx
GET    /users/me                                                  401 2xx 2xx 2xx 403 403 2xx
PATCH  /users/me                                                  401 422 422 422 403 403 422
POST   /users/me/password                                         401 422 422 422 403 403 422
POST   /users/me/email/verification                               401 409 409 409 403 403 409
GET    /auth/verify-email                                         422 422 422 422 422 422 422
POST   /auth/verify-email                                         422 422 422 422 422 422 422
GET    /notifications                                             401 2xx 2xx 2xx 403 403 2xx
POST   /notifications/{notification_id}/read                      401 404 404 404 403 403 404
POST   /notifications/read-all                                    401 2xx 2xx 2xx 403 403 2xx
POST   /notifications/mark-all-read                               401 2xx 2xx 2xx 403 403 2xx
GET    /webhooks/events                                           2xx 2xx 2xx 2xx 2xx 2xx 2xx
POST   /webhooks                                                  401 403 422 422 403 403 422
GET    /webhooks                                                  401 2xx 2xx 2xx 403 403 2xx
GET    /webhooks/{webhook_id}                                     401 2xx 2xx 404 403 403 2xx
PATCH  /webhooks/{webhook_id}                                     401 403 2xx 404 403 403 2xx
POST   /webhooks/{webhook_id}/rotate-secret                       401 403 2xx 404 403 403 2xx
POST   /webhooks/{webhook_id}/regenerate-secret                   401 403 2xx 404 403 403 2xx
POST   /webhooks/{webhook_id}/test                                401 403 2xx 404 403 403 2xx
GET    /webhooks/{webhook_id}/deliveries                          401 2xx 2xx 404 403 403 2xx
GET    /webhooks/{webhook_id}/deliveries/{delivery_id}            401 2xx 2xx 404 403 403 2xx
POST   /webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver  401 403 2xx 404 403 403 2xx
POST   /webhooks/{webhook_id}/deliveries/{delivery_id}/retry      401 403 2xx 404 403 403 2xx
GET    /admin/webhook-allowlist                                   401 403 403 403 403 403 2xx
POST   /admin/webhook-allowlist                                   401 403 403 403 403 403 422
DELETE /admin/webhook-allowlist/{entry_id}                        401 403 403 403 403 403 404
GET    /resources/{resource_id}/availability                      401 2xx 2xx 2xx 2xx 403 2xx
GET    /resources/{resource_id}/next-available                    401 422 422 422 422 403 422
POST   /reservations/bulk                                         401 403 422 422 422 403 422
POST   /reservations/bulk/cancel                                  401 403 422 422 422 403 422
GET    /resources/{resource_id}/status                            401 2xx 2xx 2xx 2xx 403 2xx
PUT    /resources/{resource_id}/status/unavailable                401 403 403 403 404 403 404
PUT    /resources/{resource_id}/status/available                  401 403 403 403 404 403 404
GET    /resources/{resource_id}/business-hours                    401 2xx 2xx 2xx 2xx 403 2xx
PUT    /resources/{resource_id}/business-hours                    401 403 403 403 422 403 422
GET    /business-hours/default                                    401 2xx 2xx 2xx 2xx 403 2xx
PUT    /business-hours/default                                    401 403 403 403 422 403 422
GET    /resources/{resource_id}/blackouts                         401 2xx 2xx 2xx 2xx 403 2xx
GET    /approvals/pending                                         401 2xx 2xx 2xx 2xx 403 2xx
GET    /approvals/my-requests                                     401 2xx 2xx 2xx 2xx 403 2xx
GET    /approvals/{request_id}                                    401 404 404 404 404 403 404
POST   /approvals/{request_id}/respond                            401 403 422 422 422 403 422
POST   /approvals/{request_id}/withdraw                           401 403 404 404 404 403 404
POST   /approvals/series/{series_id}/respond                      401 403 422 422 422 403 422
GET    /approvals/resources/{resource_id}/chain                   401 403 403 403 403 403 2xx
PUT    /approvals/resources/{resource_id}/chain                   401 403 403 403 403 403 422
GET    /approvals/email/{token}                                   404 404 404 404 404 404 404
POST   /approvals/email/{token}                                   422 422 422 422 422 422 422
POST   /resources/{resource_id}/blackouts                         401 403 403 403 422 403 422
DELETE /resources/{resource_id}/blackouts/{blackout_id}           401 403 403 403 404 403 404
GET    /blackouts                                                 401 2xx 2xx 2xx 2xx 403 2xx
POST   /blackouts                                                 401 403 403 403 422 403 422
DELETE /blackouts/{blackout_id}                                   401 403 403 403 404 403 404
POST   /resources                                                 401 403 403 403 422 403 422
GET    /resources                                                 401 2xx 2xx 2xx 2xx 403 2xx
GET    /resources/search                                          401 2xx 2xx 2xx 2xx 403 2xx
GET    /resources/availability/summary                            401 2xx 2xx 2xx 2xx 403 2xx
POST   /resources/upload                                          401 403 403 403 422 403 422
GET    /resources/tags                                            401 2xx 2xx 2xx 2xx 403 2xx
PUT    /resources/tags/rename                                     401 403 403 403 422 403 422
DELETE /resources/tags/{tag}                                      401 403 403 403 404 403 404
GET    /resources/{resource_id}                                   401 2xx 2xx 2xx 2xx 403 2xx
PATCH  /resources/{resource_id}                                   401 403 403 403 404 403 404
PUT    /resources/{resource_id}                                   401 403 403 403 422 403 422
DELETE /resources/{resource_id}                                   401 403 403 403 404 403 404
PUT    /resources/{resource_id}/availability                      401 403 403 403 422 403 422
POST   /reservations/recurring                                    401 403 422 422 422 403 422
GET    /series/{series_id}                                        401 2xx 2xx 404 404 403 2xx
POST   /series/{series_id}/cancel                                 401 403 2xx 404 404 403 2xx
GET    /resources/{resource_id}/check-in                          401 2xx 2xx 2xx 2xx 403 2xx
PUT    /resources/{resource_id}/check-in                          401 403 403 403 422 403 422
GET    /reservations/{reservation_id}/check-in                    401 2xx 2xx 404 404 403 2xx
POST   /reservations/{reservation_id}/check-in                    401 403 409 404 404 403 409
GET    /checkin/{token}                                           404 404 404 404 404 404 404
POST   /checkin/{token}                                           404 404 404 404 404 404 404
GET    /users/me/no-shows                                         401 2xx 2xx 2xx 2xx 403 2xx
GET    /resources/{resource_id}/no-shows                          401 403 403 403 403 403 2xx
POST   /waitlist                                                  401 403 422 422 422 403 422
GET    /waitlist                                                  401 2xx 2xx 2xx 2xx 403 2xx
GET    /waitlist/{entry_id}                                       401 404 404 404 404 403 404
DELETE /waitlist/{entry_id}                                       401 403 404 404 404 403 404
POST   /waitlist/{entry_id}/accept                                401 403 404 404 404 403 404
POST   /waitlist/{entry_id}/decline                               401 403 404 404 404 403 404
GET    /waitlist/resource/{resource_id}                           401 2xx 2xx 2xx 2xx 403 2xx
PUT    /resources/{resource_id}/waitlist                          401 403 403 403 403 403 404
GET    /admin/metrics/summary                                     401 403 403 403 403 403 2xx
GET    /analytics/dashboard                                       401 2xx 2xx 2xx 2xx 403 2xx
GET    /analytics/utilisation                                     401 2xx 2xx 2xx 2xx 403 2xx
GET    /analytics/booked-vs-used                                  401 2xx 2xx 2xx 2xx 403 2xx
GET    /analytics/peaks                                           401 2xx 2xx 2xx 2xx 403 2xx
GET    /analytics/popular                                         401 2xx 2xx 2xx 2xx 403 2xx
GET    /analytics/cancellations                                   401 2xx 2xx 2xx 2xx 403 2xx
GET    /analytics/user-patterns                                   401 403 403 403 403 403 2xx
GET    /analytics/export/utilisation.csv                          401 2xx 2xx 2xx 2xx 403 2xx
GET    /analytics/export/reservations.csv                         401 2xx 2xx 2xx 2xx 403 2xx
POST   /reservations/check                                        401 403 422 422 422 403 422
GET    /quotas/my-usage                                           401 2xx 2xx 2xx 2xx 403 2xx
GET    /quotas/rules                                              401 2xx 2xx 2xx 2xx 403 2xx
POST   /quotas/rules                                              401 403 403 403 403 403 422
GET    /quotas/rules/{rule_id}                                    401 404 404 404 404 403 404
PUT    /quotas/rules/{rule_id}                                    401 403 403 403 403 403 422
DELETE /quotas/rules/{rule_id}                                    401 403 403 403 403 403 404
GET    /quotas/overrides                                          401 403 403 403 403 403 2xx
PUT    /quotas/overrides/{user_id}/{rule_id}                      401 403 403 403 403 403 422
DELETE /quotas/overrides/{user_id}/{rule_id}                      401 403 403 403 403 403 404
GET    /quotas/users/{user_id}                                    401 403 403 403 403 403 404
GET    /quotas/alerts                                             401 403 403 403 403 403 2xx
GET    /quotas/summary                                            401 403 403 403 403 403 2xx
DELETE /webhooks/{webhook_id}                                     401 403 2xx 404 403 403 2xx
POST   /logout                                                    401 2xx 2xx 2xx 403 403 2xx
GET    /calendar/subscription-url                                 401 2xx 2xx 2xx 2xx 403 2xx
POST   /calendar/regenerate-token                                 401 2xx 2xx 2xx 2xx 403 2xx
GET    /calendar/feed/{feed_token}                                404 404 404 404 404 404 404
GET    /calendar/my-feed                                          401 2xx 2xx 2xx 2xx 403 2xx
GET    /calendar/export/{reservation_id}                          401 2xx 2xx 404 404 403 2xx
GET    /calendar/links/{reservation_id}                           401 2xx 2xx 404 404 403 2xx
GET    /calendar/resources/{resource_id}/feed.ics                 404 404 404 404 403 403 2xx
GET    /calendar/resources/{resource_id}/settings                 401 403 403 403 403 403 2xx
PUT    /calendar/resources/{resource_id}/settings                 401 403 403 403 403 403 422
"""
)
# Locations, labels, saved searches and suggestions (catalog14); the table's first line is skipped.
EXPECTED.update(
    _table(
        """
# Locations, labels, saved searches and suggestions (catalog14)
POST   /resource-groups                                           401 403 403 403 422 403 422
GET    /resource-groups                                           401 2xx 2xx 2xx 2xx 403 2xx
GET    /resource-groups/tree                                      401 2xx 2xx 2xx 2xx 403 2xx
GET    /resource-groups/ungrouped                                 401 2xx 2xx 2xx 2xx 403 2xx
GET    /resource-groups/{group_id}                                401 404 404 404 404 403 404
PATCH  /resource-groups/{group_id}                                401 403 403 403 403 403 404
DELETE /resource-groups/{group_id}                                401 403 403 403 404 403 404
GET    /resource-groups/{group_id}/resources                      401 404 404 404 404 403 404
POST   /resource-groups/{group_id}/resources                      401 403 422 422 422 403 422
DELETE /resource-groups/{group_id}/resources/{resource_id}        401 403 403 403 404 403 404
GET    /resources/{resource_id}/ancestors                         401 2xx 2xx 2xx 2xx 403 2xx
GET    /resource-groups/{group_id}/admins                         401 403 403 403 403 403 404
PUT    /resource-groups/{group_id}/admins/{user_id}               401 403 403 403 403 403 404
DELETE /resource-groups/{group_id}/admins/{user_id}               401 403 403 403 403 403 2xx
GET    /labels                                                    401 2xx 2xx 2xx 2xx 403 2xx
POST   /labels                                                    401 403 403 403 422 403 422
GET    /labels/categories                                         401 2xx 2xx 2xx 2xx 403 2xx
POST   /labels/merge                                              401 403 403 403 422 403 422
GET    /labels/resources/{resource_id}                            401 2xx 2xx 2xx 2xx 403 2xx
PUT    /labels/resources/{resource_id}                            401 403 422 422 422 403 422
GET    /labels/{label_id}                                         401 404 404 404 404 403 404
PUT    /labels/{label_id}                                         401 403 403 403 403 403 404
DELETE /labels/{label_id}                                         401 403 403 403 403 403 404
GET    /search/resources                                          401 2xx 2xx 2xx 2xx 403 2xx
GET    /search/suggestions                                        401 422 422 422 422 403 422
GET    /search/saved                                              401 2xx 2xx 2xx 2xx 403 2xx
POST   /search/saved                                              401 422 422 422 422 403 422
GET    /search/saved/{search_id}                                  401 404 404 404 404 403 404
DELETE /search/saved/{search_id}                                  401 404 404 404 404 403 404
POST   /search/saved/{search_id}/execute                          401 404 404 404 404 403 404
"""
    )
)
# Composite resources (issue 14); the table's first line is skipped.
EXPECTED.update(
    _table(
        """
# Composite resources (issue 14)
GET    /resources/{resource_id}/parts                             401 2xx 2xx 2xx 2xx 403 2xx
PUT    /resources/{resource_id}/parts                             401 403 422 422 422 403 422
"""
    )
)
# Audit statistics and filter values, reservation search (audit14); first line skipped.
EXPECTED.update(
    _table(
        """
# Audit statistics and filter values, reservation search (audit14)
GET    /audit/statistics                                          401 403 403 403 403 403 2xx
GET    /audit/filters                                             401 403 403 403 403 403 2xx
GET    /search/reservations                                       401 2xx 2xx 2xx 2xx 403 2xx
"""
    )
)

# Custom roles (roles14); the table's first line is skipped.
EXPECTED.update(
    _table(
        """
# Custom roles (roles14)
GET    /roles/scopes                                              401 403 403 403 403 403 2xx
POST   /roles                                                     401 403 403 403 403 403 422
GET    /roles/{name}                                              401 403 403 403 403 403 404
PUT    /roles/{name}                                              401 403 403 403 403 403 422
PATCH  /roles/{name}                                              401 403 403 403 403 403 422
DELETE /roles/{name}                                              401 403 403 403 403 403 404
POST   /roles/assign-client                                       401 403 403 403 403 403 422
DELETE /roles/assign-client                                       401 403 403 403 403 403 422
"""
    )
)

# Reservations CSV import and export (issue 14); the table's first line is skipped.
EXPECTED.update(
    _table(
        """
# Reservations CSV import and export (issue 14)
POST   /bulk/reservations/import                                  401 403 422 422 422 403 422
GET    /bulk/reservations/export                                  401 2xx 2xx 2xx 2xx 403 2xx
"""
    )
)

# OAuth2 authorization code + PKCE, consent, revoke, introspect (issue 14, oauth14). Empty
# requests: authorize answers 400 (no client_id; never redirected), consent is for people only.
EXPECTED.update(
    _table(
        """
# OAuth2 code flow (issue 14)
GET    /oauth/authorize                                           400 400 400 400 400 400 400
GET    /oauth/consent                                             401 400 400 400 403 403 400
POST   /oauth/consent                                             401 422 422 422 403 403 422
POST   /oauth/revoke                                              422 422 422 422 422 422 422
POST   /oauth/introspect                                          422 422 422 422 422 422 422
"""
    )
)

# A location's calendar feed (issue 12, analytics12); the table's first line is skipped.
EXPECTED.update(
    _table(
        """
# A location's calendar feed (issue 12)
GET    /calendar/groups/{group_id}/feed.ics                       404 404 404 404 403 403 404
GET    /calendar/groups/{group_id}/settings                       401 403 403 403 403 403 404
PUT    /calendar/groups/{group_id}/settings                       401 403 403 403 403 403 422
"""
    )
)


@dataclass
class World:
    tokens: dict[str, str | None]
    # caller -> path parameter -> value
    params: dict[str, dict[str, str]]


def _client_token(client: Client, admin: str, scopes: list[str]) -> str:
    created = send_json(
        client, "POST", "/api/v1/oauth/clients", {"name": "robot", "scopes": scopes}, admin
    )
    assert created.status_code == 201, created.body
    app = created.json_body
    response = post_form(
        client,
        "/api/v1/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert response.status_code == 200, response.body
    return str(response.json_body["access_token"])


def _owned_objects(client: Client, token: str, hour: int) -> dict[str, str]:
    """A reservation, a weekly series, a webhook and one of its deliveries, all the caller's."""
    reservation = booked(client, token, at(hour), at(hour, 30))
    series = send_json(
        client,
        "POST",
        "/api/v1/reservations/recurring",
        {
            "resource_id": "room-1",
            "start_time": iso(at(hour) + timedelta(days=1)),
            "end_time": iso(at(hour, 30) + timedelta(days=1)),
            "rrule": "FREQ=WEEKLY;COUNT=2",
        },
        token,
    )
    assert series.status_code == 201, series.body
    hook = send_json(
        client,
        "POST",
        "/api/v1/webhooks",
        {"url": "https://hooks.example.com/x", "events": ["reservation.created"]},
        token,
    )
    assert hook.status_code == 201, hook.body
    webhook_id = hook.json_body["webhook_id"]
    ping = send_json(client, "POST", f"/api/v1/webhooks/{webhook_id}/test", None, token)
    assert ping.status_code == 202, ping.body
    return {
        "reservation_id": reservation,
        "series_id": series.json_body["series_id"],
        "webhook_id": webhook_id,
        "delivery_id": ping.json_body["delivery_id"],
    }


def _demote_to_guest(client: Client, admin: str, token: str) -> None:
    user_id = user_id_of(client, token)
    for method, role in (("POST", "guest"), ("DELETE", "user")):
        body = {"user_id": user_id, "role": role}
        assert send_json(client, method, "/api/v1/roles/assign", body, admin).status_code == 200


@pytest.fixture
def world(client: Client, clock: FrozenClock, admin_token: str) -> World:
    create_resource("room-1")
    alice = register_and_login(client, "alice")
    bob = register_and_login(client, "bob")
    gina = register_and_login(client, "gina")
    mine = _owned_objects(client, alice, 9)
    for_admin = _owned_objects(client, alice, 11)
    ginas = _owned_objects(client, gina, 13)
    _demote_to_guest(client, admin_token, gina)
    tokens: dict[str, str | None] = {
        "anon": None,
        "guest": gina,
        "user": alice,
        "other": bob,
        "admin": admin_token,
        "cl:*": _client_token(client, admin_token, [*NON_ADMIN_SCOPES, "admin"]),
    }
    for scope in NON_ADMIN_SCOPES:
        tokens[f"cl:{scope}"] = _client_token(client, admin_token, [scope])
        others = [s for s in NON_ADMIN_SCOPES if s != scope]
        tokens[f"cl:-{scope}"] = _client_token(client, admin_token, others)
    params = {caller: mine for caller in CALLERS}
    params["guest"] = ginas
    params["admin"] = for_admin
    return World(tokens, params)


def _body(route: RouteSpec, caller: str) -> str:
    """Valid where an owned object is acted on (the owner's 2xx means it was reached)."""
    if route.method == "PATCH" and route.path.endswith("{reservation_id}"):
        hour = 17 if caller == "admin" else 16  # two reschedules, two free slots
        return json.dumps({"start_time": iso(at(hour)), "end_time": iso(at(hour, 30))})
    if route.method == "PATCH" and route.path.endswith("{webhook_id}"):
        return json.dumps({"description": "changed"})
    if route.path.endswith("/cancel") and any(p in route.path for p in OWNED):
        return json.dumps({"reason": "matrix"})
    return "{}"


def _token_for(world: World, caller: str, route: RouteSpec) -> str | None:
    if caller == "cl+":
        return world.tokens[f"cl:{route.scope}" if route.scope else "cl:*"]
    if caller == "cl-":
        return world.tokens[f"cl:-{route.scope}" if route.scope else "cl:*"]
    return world.tokens[caller]


def _path(world: World, caller: str, route: RouteSpec) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in OWNED:
            return world.params[caller][name]
        if name == "resource_id" and route.method == "GET":
            return "room-1"
        return NO_SUCH_ID

    return _PARAM.sub(fill, route.path)


def _call(client: Client, world: World, caller: str, route: RouteSpec) -> str:
    token = _token_for(world, caller, route)
    headers = auth_headers(token) if token else {"Content-Type": "application/json"}
    headers["Content-Type"] = route.content_types[0]
    body = "" if route.method in ("GET", "DELETE") else _body(route, caller)
    response = client.http.request(
        route.method, _path(world, caller, route), headers=headers, body=body.encode()
    )
    status = response.status_code
    return "2xx" if 200 <= status < 300 else str(status)


def _routes() -> list[RouteSpec]:
    import app  # noqa: F401  (registers every blueprint's routes)

    routes = [r for r in ROUTES if r.path.startswith("/api/")]

    def order(route: RouteSpec) -> int:
        key = (route.method, route.path)
        return LAST.index(key) + 1 if key in LAST else 0

    return sorted(routes, key=order)


def test_every_route_answers_every_caller_as_the_table_says(client: Client, world: World) -> None:
    routes = _routes()
    keys = {(r.method, r.path) for r in routes}
    assert not keys - EXPECTED.keys(), (
        f"routes missing from EXPECTED: {sorted(keys - EXPECTED.keys())}"
    )
    assert not EXPECTED.keys() - keys, f"EXPECTED names no route: {sorted(EXPECTED.keys() - keys)}"
    wrong = []
    for route in routes:
        expected = EXPECTED[(route.method, route.path)]
        for caller in CALLERS:
            got = _call(client, world, caller, route)
            if got != expected[caller]:
                wrong.append(
                    f"{route.method} {route.path} as {caller}: {got}, expected {expected[caller]}"
                )
    assert not wrong, "\n".join(wrong)
