"""Reservations: the one booking writer and the services that use it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.wiring.catalog import resource_store
from chalicelib.wiring.core import clock, cursors, ids, prefetch_pool
from chalicelib.wiring.quotas import plan_b, quota_gate  # booking quotas (issue 13)

if TYPE_CHECKING:
    from chalicelib.services.pipeline.email import ApproverMail
    from chalicelib.services.reservations.approval_jobs import ApprovalJobs
    from chalicelib.services.reservations.approval_links import ApprovalLinks
    from chalicelib.services.reservations.approvals import ApprovalService
    from chalicelib.services.reservations.booking import BookingDeps, BookingService
    from chalicelib.services.reservations.bulk import BulkService
    from chalicelib.services.reservations.check_in import CheckInService
    from chalicelib.services.reservations.check_in_links import CheckInLinks
    from chalicelib.services.reservations.idempotent import IdempotentCreates
    from chalicelib.services.reservations.no_shows import NoShowRelease
    from chalicelib.services.reservations.queries import ReservationQueries
    from chalicelib.services.reservations.recovery import AnchorRecovery
    from chalicelib.services.reservations.series import SeriesService
    from chalicelib.store.reservations.no_shows import NoShowCounts
    from chalicelib.store.reservations.writer import BookingWriter


def booking_writer() -> BookingWriter:
    from chalicelib.store.reservations.writer import BookingWriter

    return BookingWriter(ids(), resource_store())


def idempotent_creates() -> IdempotentCreates:
    from chalicelib.services.reservations.idempotent import IdempotentCreates
    from chalicelib.store.reservations.idempotency import IdempotencyStore

    return IdempotentCreates(IdempotencyStore(), clock())


def booking_deps() -> BookingDeps:
    from chalicelib.services.reservations.booking import BookingDeps
    from chalicelib.store.reservations.repository import ReservationStore

    return BookingDeps(
        catalog=resource_store(),
        reservations=ReservationStore(),
        clock=clock(),
        writer=booking_writer(),
        idempotency=idempotent_creates(),
        ids=ids(),
        quotas=quota_gate(),  # booking quotas (issue 13)
        plan_b=plan_b(),  # Plan B alternatives (issue 13)
    )


def booking() -> BookingService:
    from chalicelib.services.reservations.booking import BookingService

    return BookingService(booking_deps())


def reservation_queries() -> ReservationQueries:
    from chalicelib.services.reservations.queries import ReservationQueries
    from chalicelib.store.reservations.listing import ReservationListing
    from chalicelib.store.reservations.repository import ReservationStore

    return ReservationQueries(
        ReservationStore(),
        ReservationListing(),
        resource_store(),
        cursors(),
        clock(),
        executor=prefetch_pool(),  # the timeline's batch of schedules reads partitions in parallel
    )


def series() -> SeriesService:
    from chalicelib.services.reservations.series import SeriesService
    from chalicelib.store.reservations.series import SeriesStore

    return SeriesService(booking_deps(), SeriesStore())


def bulk() -> BulkService:
    from chalicelib.services.reservations.bulk import BulkService
    from chalicelib.store.reservations.bulk import BulkStore

    return BulkService(booking_deps(), BulkStore())


def recovery() -> AnchorRecovery:
    from chalicelib.services.reservations.recovery import AnchorRecovery
    from chalicelib.store.reservations.bulk import BulkStore
    from chalicelib.store.reservations.repository import ReservationStore
    from chalicelib.store.reservations.series import SeriesStore

    return AnchorRecovery(
        BulkStore(), SeriesStore(), ReservationStore(), clock(), writer=booking_writer()
    )


# --- check-in and the no-show release (issue 10) ---------------------------------------------


def check_in_links() -> CheckInLinks:
    from chalicelib.integrations.qr import png_data_uri
    from chalicelib.services.reservations.check_in_links import CheckInLinks
    from chalicelib.settings import get_settings

    return CheckInLinks(get_settings().api_public_url, png_data_uri)


def check_in() -> CheckInService:
    from chalicelib.domain.signed_links import SignedLinks
    from chalicelib.services.reservations.check_in import CheckInService
    from chalicelib.settings import get_settings
    from chalicelib.store.reservations.repository import ReservationStore

    links = SignedLinks(get_settings().secret_key, "check-in")
    return CheckInService(
        ReservationStore(),
        resource_store(),
        booking_writer(),
        clock(),
        links=links,
        counts=no_show_counts(),
    )


def no_shows() -> NoShowRelease:
    from chalicelib.services.reservations.no_shows import NoShowDeps, NoShowRelease
    from chalicelib.store.reservations.listing import ReservationListing
    from chalicelib.store.reservations.no_shows import NoShowCounts

    return NoShowRelease(
        NoShowDeps(
            listing=ReservationListing(),
            resources=resource_store(),
            writer=booking_writer(),
            counts=NoShowCounts(),
            series=series(),
        )
    )


def no_show_counts() -> NoShowCounts:
    from chalicelib.store.reservations.no_shows import NoShowCounts

    return NoShowCounts()


# --- approvals (issue 10) -----------------------------------------------------------------------


def approvals() -> ApprovalService:
    from chalicelib.domain.reservations import booking_rules
    from chalicelib.services.reservations.approvals import ApprovalDeps, ApprovalService
    from chalicelib.store.catalog.approval_resources import resources_needing_approval
    from chalicelib.store.reservations.approvals import ApprovalStore
    from chalicelib.store.reservations.repository import ReservationStore

    return ApprovalService(
        ApprovalDeps(
            requests=ApprovalStore(),
            catalog=resource_store(),
            reservations=ReservationStore(),
            writer=booking_writer(),
            clock=clock(),
            approval_resources=resources_needing_approval,
            cancel=booking().cancel,
            rules=booking_rules.check_booking,
            series_occurrences=series_occurrences,
        )
    )


def series_occurrences(series_id: str) -> tuple[str, ...] | None:
    from chalicelib.store.reservations.series import SeriesStore

    found = SeriesStore().get(series_id)
    return None if found is None else found.occurrence_ids


def approval_links() -> ApprovalLinks:
    from chalicelib.domain.accounts.accounts import scopes_for
    from chalicelib.domain.principal import Channel, Principal
    from chalicelib.services.reservations.approval_links import ApprovalLinks
    from chalicelib.settings import get_settings
    from chalicelib.store.accounts.users import UserStore
    from chalicelib.store.reservations.approvals import claim_link

    def principal_of(user_id: str) -> Principal | None:
        user = UserStore().get(user_id)
        if user is None or user.disabled:
            return None
        roles = user.effective_roles
        return Principal(user.user_id, user.username, roles, scopes_for(roles), channel=Channel.WEB)

    settings = get_settings()
    return ApprovalLinks(
        settings.secret_key,
        clock(),
        approvals=approvals(),
        principal_of=principal_of,
        claim=claim_link,
        valid_hours=settings.approval_link_hours,
    )


def approval_jobs() -> ApprovalJobs:
    from chalicelib.services.reservations.approval_jobs import ApprovalJobs
    from chalicelib.store.catalog.approval_resources import resources_needing_approval
    from chalicelib.store.reservations.approvals import ApprovalStore
    from chalicelib.store.reservations.repository import ReservationStore

    return ApprovalJobs(
        ApprovalStore(), ReservationStore(), booking_writer(), resources_needing_approval
    )


def approver_mail() -> ApproverMail:
    """The email worker's view of approvers: a step's named users plus the holders of its
    roles (users listed page by page, at most MAX_ROLE_SCAN), and their one-click links."""
    from chalicelib.services.pipeline.email import ApproverMail
    from chalicelib.services.reservations.approvals import chain_of
    from chalicelib.settings import get_settings
    from chalicelib.store.accounts.users import UserStore

    max_role_scan = 1000

    def approvers(resource_id: str, step: int) -> list[str]:
        resource = resource_store().find(resource_id)
        if resource is None:
            return []
        chain = chain_of(resource)
        wanted = chain[min(step, len(chain) - 1)]
        found = list(wanted.users)
        start: dict[str, Any] | None = None
        scanned = 0
        while wanted.roles and scanned < max_role_scan:
            users, start = UserStore().page(limit=100, start_key=start)
            scanned += len(users)
            found += [u.user_id for u in users if u.effective_roles & set(wanted.roles)]
            if not start:
                break
        return list(dict.fromkeys(found))

    def link(request_id: str, step: int, user_id: str) -> str:
        token = approval_links().make(request_id, step, user_id)
        return f"{get_settings().api_public_url.rstrip('/')}/api/v1/approvals/email/{token}"

    return ApproverMail(approvers, link)
