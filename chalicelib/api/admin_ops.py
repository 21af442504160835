"""Admin operations: the workers' dead letters (inspect, redrive) and the scheduled jobs."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.operations import (
    DeadLetterQueueOut,
    JobOut,
    JobRunOut,
    RedriveIn,
    RedriveOut,
)

bp = Blueprint(__name__)
TAGS = ("admin",)


@endpoint(
    bp,
    "/api/v1/admin/dead-letters",
    summary="Messages the workers gave up on",
    tags=TAGS,
    auth="admin",
    response=list[DeadLetterQueueOut],
)
def dead_letters(ctx: RequestContext) -> list[DeadLetterQueueOut]:
    queues = wiring.operations().dead_letters(ctx.user)
    return [DeadLetterQueueOut.from_domain(q) for q in queues]


@endpoint(
    bp,
    "/api/v1/admin/dead-letters/{queue}/redrive",
    "POST",
    summary="Move a queue's dead letters back for another try",
    tags=TAGS,
    auth="admin",
    body=RedriveIn,
    response=RedriveOut,
)
def redrive(ctx: RequestContext[RedriveIn], queue: str) -> RedriveOut:
    body = ctx.body
    moved = wiring.operations().redrive(ctx.user, queue, body.max_messages)
    return RedriveOut(queue=queue, moved=moved)


@endpoint(
    bp,
    "/api/v1/admin/jobs",
    summary="Scheduled jobs",
    tags=TAGS,
    auth="admin",
    response=list[JobOut],
)
def list_jobs(ctx: RequestContext) -> list[JobOut]:
    return [JobOut(**j.__dict__) for j in wiring.operations().jobs(ctx.user)]


@endpoint(
    bp,
    "/api/v1/admin/jobs/{name}/run",
    "POST",
    summary="Run a job now",
    tags=TAGS,
    auth="admin",
    response=JobRunOut,
)
def run_job(ctx: RequestContext, name: str) -> JobRunOut:
    return _run(ctx, name)


def _run(ctx: RequestContext, name: str) -> JobRunOut:
    run = wiring.operations().run_job(ctx.user, name)
    return JobRunOut(
        name=run.name, started_at=run.started_at, finished_at=run.finished_at, result=run.result
    )


@endpoint(
    bp,
    "/api/v1/admin/cleanup-expired",
    "POST",
    summary="Expire past reservations now (the old product's path; admins only)",
    tags=TAGS,
    auth="admin",
    response=JobRunOut,
)
def cleanup_expired(ctx: RequestContext) -> JobRunOut:
    return _run(ctx, "expire-reservations")
