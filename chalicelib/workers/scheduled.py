"""Schedule handlers: one per `ScheduleDef` in chalicelib.topology (names and rates from there).

Each handler is a named module attribute, because Lambda calls handlers by module path.
"""

from __future__ import annotations

from chalice.app import Blueprint, CloudWatchEvent, Rate

from chalicelib import wiring
from chalicelib.observability import logger
from chalicelib.topology import TOPOLOGY, ScheduleDef

bp = Blueprint(__name__)
_SCHEDULES = {s.handler: s for s in TOPOLOGY.schedules}


def _schedule(handler: str) -> ScheduleDef:
    return _SCHEDULES[handler]


def _rate(handler: str) -> Rate:
    return Rate(_schedule(handler).rate_minutes, unit=Rate.MINUTES)


def run(handler: str) -> None:
    job = _schedule(handler).name
    outcome = wiring.jobs().run(job)
    logger.info("job finished", extra={"job": job, **outcome.result})


@bp.schedule(
    _rate("expire_reservations_job"),
    name="expire_reservations_job",
    description=_schedule("expire_reservations_job").description,
)
def expire_reservations_job(event: CloudWatchEvent) -> None:
    run("expire_reservations_job")


@bp.schedule(
    _rate("maintenance_reset_job"),
    name="maintenance_reset_job",
    description=_schedule("maintenance_reset_job").description,
)
def maintenance_reset_job(event: CloudWatchEvent) -> None:
    run("maintenance_reset_job")


@bp.schedule(
    _rate("reminders_job"), name="reminders_job", description=_schedule("reminders_job").description
)
def reminders_job(event: CloudWatchEvent) -> None:
    run("reminders_job")


@bp.schedule(
    _rate("webhook_retry_job"),
    name="webhook_retry_job",
    description=_schedule("webhook_retry_job").description,
)
def webhook_retry_job(event: CloudWatchEvent) -> None:
    run("webhook_retry_job")


@bp.schedule(
    _rate("purge_records_job"),
    name="purge_records_job",
    description=_schedule("purge_records_job").description,
)
def purge_records_job(event: CloudWatchEvent) -> None:
    run("purge_records_job")


@bp.schedule(
    _rate("audit_retention_job"),
    name="audit_retention_job",
    description=_schedule("audit_retention_job").description,
)
def audit_retention_job(event: CloudWatchEvent) -> None:
    run("audit_retention_job")


@bp.schedule(
    _rate("recover_batches_job"),
    name="recover_batches_job",
    description=_schedule("recover_batches_job").description,
)
def recover_batches_job(event: CloudWatchEvent) -> None:
    run("recover_batches_job")


@bp.schedule(
    _rate("release_no_shows_job"),
    name="release_no_shows_job",
    description=_schedule("release_no_shows_job").description,
)
def release_no_shows_job(event: CloudWatchEvent) -> None:
    run("release_no_shows_job")


# Waitlist: lapsed offers release their hold (services/waitlist/offers.py).
@bp.schedule(
    _rate("waitlist_offers_job"),
    name="waitlist_offers_job",
    description=_schedule("waitlist_offers_job").description,
)
def waitlist_offers_job(event: CloudWatchEvent) -> None:
    run("waitlist_offers_job")


# --- approvals (issue 10) ---------------------------------------------------------------------


@bp.schedule(
    _rate("expire_approvals_job"),
    name="expire_approvals_job",
    description=_schedule("expire_approvals_job").description,
)
def expire_approvals_job(event: CloudWatchEvent) -> None:
    run("expire_approvals_job")


@bp.schedule(
    _rate("remind_approvers_job"),
    name="remind_approvers_job",
    description=_schedule("remind_approvers_job").description,
)
def remind_approvers_job(event: CloudWatchEvent) -> None:
    run("remind_approvers_job")


# --- analytics (issue 12) ---------------------------------------------------------------------


@bp.schedule(
    _rate("rebuild_analytics_job"),
    name="rebuild_analytics_job",
    description=_schedule("rebuild_analytics_job").description,
)
def rebuild_analytics_job(event: CloudWatchEvent) -> None:
    run("rebuild_analytics_job")
