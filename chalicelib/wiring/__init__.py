"""The composition root: builds every service with its real adapters, on first use.

Nothing here runs at import. One override mechanism for tests and the local stack:
`override(name, value)` replaces one collaborator (a fake mailer, a recording WebSocket API,
a frozen clock through `use_clock`), `reset()` forgets everything built and overridden.

The package is split by aggregate, as the rest of chalicelib: `core` (clock, ids, cursors,
AWS clients, the override registry), `accounts`, `catalog`, `reservations`, `pipeline`.
Callers use the names re-exported here: `wiring.booking()`, `wiring.jobs()`.
"""

from chalicelib.wiring.accounts import (
    accounts,
    authenticator,
    email_verification,
    mfa,
    oauth,
    oauth_flows,  # OAuth2 code flow, refresh, revoke, introspect (issue 14)
    sessions,
)
from chalicelib.wiring.analytics import (  # issue 12
    analytics,
    analytics_export,
    analytics_recorder,
    utilisation_json,
)
from chalicelib.wiring.calendar import (  # issue 12
    calendar_feeds,
    calendar_group_feeds,  # location feeds (issue 12)
    calendar_subscriptions,
)

# Locations, labels, saved searches (catalog14).
from chalicelib.wiring.catalog import (
    availability,
    composites,  # composite resources (issue 14)
    groups,
    labels,
    resource_bulk,
    resource_rules,
    resource_store,
    resources,
    saved_searches,
    suggestion_sources,
)
from chalicelib.wiring.core import (
    aws,
    clock,
    cursors,
    health_checks,
    ids,
    override,
    prefetch_pool,
    rebuild,
    reset,
    use_clock,
    use_ids,
    use_wall_clock,
    use_websocket_api,
    wall_clock,
)

# observability (issue 15): metrics recorder and the admin summary
from chalicelib.wiring.lookups import audit_stats, reservation_search  # audit14
from chalicelib.wiring.observability import metric_counters, metrics_recorder, metrics_summary
from chalicelib.wiring.pipeline import (
    audit,
    connections,
    delivery_queue,
    directory,
    dispatcher,
    email,
    jobs,
    live_fanout,
    mailer,
    notifications,
    operations,
    persistence,
    publisher,
    pusher,
    secret_box,
    session_guard,
    webhook_sender,
    webhooks,
    websocket_sender,
)
from chalicelib.wiring.quotas import quotas, what_if  # booking quotas (issue 13)
from chalicelib.wiring.ratelimits import rate_limiter  # API rate limits (issue 13)
from chalicelib.wiring.reservations import (
    approval_jobs,
    approval_links,
    approvals,
    booking,
    booking_writer,
    bulk,
    check_in,
    check_in_links,
    idempotent_creates,
    no_shows,
    recovery,
    reservation_queries,
    series,
)
from chalicelib.wiring.reservations_io import (  # reservations import/export (issue 14)
    reservation_export,
    reservation_import,
)
from chalicelib.wiring.roles import roles  # custom roles (roles14)
from chalicelib.wiring.waitlist import waitlist, waitlist_offers  # waitlist

__all__ = [  # noqa: RUF022
    "accounts",
    # analytics (issue 12)
    "analytics",
    "analytics_export",
    "analytics_recorder",
    "utilisation_json",
    "approval_jobs",
    "approval_links",
    "approvals",
    "audit",
    "authenticator",
    "availability",
    "aws",
    "booking",
    "booking_writer",
    "bulk",
    "calendar_feeds",  # calendar feeds (issue 12)
    "calendar_subscriptions",
    "calendar_group_feeds",  # location feeds (issue 12)
    "check_in",
    "check_in_links",
    "clock",
    "connections",
    "cursors",
    "delivery_queue",
    "directory",
    "dispatcher",
    "email",
    "email_verification",
    "health_checks",
    "idempotent_creates",
    "ids",
    "jobs",
    "live_fanout",
    "mailer",
    # observability (issue 15)
    "metric_counters",
    "metrics_recorder",
    "metrics_summary",
    "mfa",
    "no_shows",
    "notifications",
    "oauth",
    "oauth_flows",
    "operations",
    "override",
    "persistence",
    "prefetch_pool",
    "publisher",
    "pusher",
    "rate_limiter",  # API rate limits (issue 13)
    "quotas",  # booking quotas (issue 13)
    "rebuild",
    "recovery",
    "reservation_queries",
    "reset",
    "resource_bulk",
    "resource_rules",
    "resource_store",
    "resources",
    "secret_box",
    "series",
    "session_guard",
    "sessions",
    "use_clock",
    "use_ids",
    "use_wall_clock",
    "use_websocket_api",
    "waitlist",
    "waitlist_offers",
    "wall_clock",
    "webhook_sender",
    "webhooks",
    "websocket_sender",
    # reservations import/export (issue 14)
    "reservation_export",
    "reservation_import",
    # catalog14
    "groups",
    "labels",
    "saved_searches",
    "suggestion_sources",
    "what_if",  # what-if check (issue 13)
    "composites",  # composite resources (issue 14)
    "roles",  # custom roles (roles14)
    # audit statistics, reservation search (audit14)
    "audit_stats",
    "reservation_search",
]
