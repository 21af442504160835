"""Queues with their DLQs, the event bus and its rules, and the SES sender identity.

Queue names are the topology's own (the app finds its queues by name), so one stage per
account and region; tables, bus and everything else carry the stage in their names.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.topology import TOPOLOGY, QueueDef
from infra.cdk.stages import StageConfig

DLQ_RETENTION = Duration.days(14)


@dataclass
class Messaging:
    queues: dict[str, sqs.Queue]  # by topology name, DLQs included
    bus: events.EventBus
    identity: ses.EmailIdentity

    def dead_letter_queues(self) -> dict[str, sqs.Queue]:
        return {q.dlq_name: self.queues[q.dlq_name] for q in TOPOLOGY.queues}


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.replace("_", "-").split("-"))


def _queue_pair(scope: Construct, queue: QueueDef) -> tuple[sqs.Queue, sqs.Queue]:
    dlq = sqs.Queue(
        scope,
        f"{_camel(queue.dlq_name)}",
        queue_name=queue.dlq_name,
        retention_period=DLQ_RETENTION,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
    )
    main = sqs.Queue(
        scope,
        f"{_camel(queue.name)}Queue",
        queue_name=queue.name,
        visibility_timeout=Duration.seconds(queue.visibility_timeout_s),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=queue.max_receive_count, queue=dlq),
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
    )
    return main, dlq


def build_messaging(scope: Construct, config: StageConfig) -> Messaging:
    queues: dict[str, sqs.Queue] = {}
    for queue in TOPOLOGY.queues:
        queues[queue.name], queues[queue.dlq_name] = _queue_pair(scope, queue)
    bus = events.EventBus(scope, "Bus", event_bus_name=config.name(TOPOLOGY.bus_name))
    for rule in TOPOLOGY.rules:
        events.Rule(
            scope,
            f"{_camel(rule.name)}Rule",
            rule_name=config.name(rule.name),
            event_bus=bus,
            event_pattern=events.EventPattern(
                source=[TOPOLOGY.event_source], detail_type=list(rule.event_names) or None
            ),
            targets=[targets.SqsQueue(queues[rule.queue])],
        )
    identity = ses.EmailIdentity(
        scope, "SenderIdentity", identity=ses.Identity.email(config.ses_sender)
    )
    return Messaging(queues=queues, bus=bus, identity=identity)
