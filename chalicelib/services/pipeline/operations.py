"""Admin operations on the pipeline: dead letters (inspect, redrive) and jobs (list, run)."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import NotFound
from chalicelib.domain.pipeline.operations import DeadLetterQueue
from chalicelib.domain.principal import Principal, require_admin
from chalicelib.integrations.dead_letters import SqsDeadLetters
from chalicelib.services.pipeline.jobs import JobRun, JobService
from chalicelib.topology import TOPOLOGY


@dataclass(frozen=True)
class JobInfo:
    name: str
    description: str
    rate_minutes: int


class OperationsService:
    def __init__(self, dead_letters: SqsDeadLetters, jobs: JobService) -> None:
        self._dead_letters = dead_letters
        self._jobs = jobs

    def dead_letters(self, principal: Principal) -> list[DeadLetterQueue]:
        require_admin(principal)
        return self._dead_letters.overview()

    def redrive(self, principal: Principal, queue_name: str, max_messages: int) -> int:
        require_admin(principal)
        queue = self._dead_letters.queue(queue_name)
        if queue is None:
            raise NotFound(
                f"no worker queue named {queue_name!r}",
                code="queue_not_found",
                details={"queues": [q.name for q in TOPOLOGY.queues]},
            )
        return self._dead_letters.redrive(queue, max_messages=max_messages)

    def jobs(self, principal: Principal) -> list[JobInfo]:
        require_admin(principal)
        return [JobInfo(s.name, s.description, s.rate_minutes) for s in TOPOLOGY.schedules]

    def run_job(self, principal: Principal, name: str) -> JobRun:
        return self._jobs.run(name, principal)
