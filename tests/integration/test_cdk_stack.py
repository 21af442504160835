"""The synthesised stacks hold every function, event source, queue, rule, schedule, alarm and
API setting that chalicelib/topology.py and the app define (tests/integration/cdk_kit.py
synthesises once per run)."""

from __future__ import annotations

from typing import Any

import pytest

from app import app
from chalicelib.topology import STREAM_HANDLER, TOPOLOGY
from infra.cdk.backend import logical_id
from infra.cdk.permissions import API_HANDLER, FUNCTION_NEEDS, WS_HANDLERS
from tests.integration.cdk_kit import STAGES, logical_id_of, props, resources, synthesised


@pytest.fixture(scope="module", params=STAGES)
def template(request: pytest.FixtureRequest) -> dict[str, Any]:
    return synthesised().template(request.param)


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources(template, "AWS::Serverless::Function").items()}


def ref_id(value: dict[str, Any]) -> str:
    """The logical id behind a Ref or a Fn::GetAtt."""
    return value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]


def dimension(value: Any) -> str:
    """A literal dimension value, or the logical id of the resource it refers to."""
    return value if isinstance(value, str) else ref_id(value)


def test_every_handler_of_the_app_is_one_function_with_its_own_role(
    template: dict[str, Any],
) -> None:
    names = {API_HANDLER, *WS_HANDLERS, STREAM_HANDLER}
    names |= {q.handler for q in TOPOLOGY.queues} | {s.handler for s in TOPOLOGY.schedules}
    assert set(FUNCTION_NEEDS) == names
    assert {API_HANDLER, *WS_HANDLERS} | {s.name for s in app.event_sources} == names
    assert {"$connect", "$default", "$disconnect"} == set(app.websocket_handlers)
    found = functions(template)
    assert set(found) == {logical_id(name) for name in names}
    roles = [ref_id(f["Role"]) for f in found.values()]
    assert len(set(roles)) == len(roles) == len(names)
    for props_ in found.values():
        assert props_["Tracing"] == "Active"
        assert props_["Runtime"] == "python3.11"


def test_each_queue_has_its_dlq_and_its_worker_reports_partial_batch_failures(
    template: dict[str, Any],
) -> None:
    assert len(resources(template, "AWS::SQS::Queue")) == 2 * len(TOPOLOGY.queues)
    for queue in TOPOLOGY.queues:
        dlq = logical_id_of(template, "AWS::SQS::Queue", QueueName=queue.dlq_name)
        main = props(template, logical_id_of(template, "AWS::SQS::Queue", QueueName=queue.name))
        assert main["VisibilityTimeout"] == queue.visibility_timeout_s
        assert main["RedrivePolicy"]["maxReceiveCount"] == queue.max_receive_count
        assert ref_id(main["RedrivePolicy"]["deadLetterTargetArn"]) == dlq
        [source] = functions(template)[logical_id(queue.handler)]["Events"].values()
        assert source["Type"] == "SQS"
        assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert source["Properties"]["BatchSize"] == queue.batch_size
        window = source["Properties"].get("MaximumBatchingWindowInSeconds", 0)
        assert window == queue.batching_window_s
        queue_id = logical_id_of(template, "AWS::SQS::Queue", QueueName=queue.name)
        assert ref_id(source["Properties"]["Queue"]) == queue_id


def test_the_stream_relay_reads_the_real_stream_from_its_start(template: dict[str, Any]) -> None:
    [source] = functions(template)[logical_id(STREAM_HANDLER)]["Events"].values()
    assert source["Type"] == "DynamoDB"
    stream = source["Properties"]["Stream"]
    assert stream["Fn::GetAtt"][1] == "StreamArn"
    assert stream["Fn::GetAtt"][0].startswith("MainTable")
    assert source["Properties"]["StartingPosition"] == "TRIM_HORIZON"


def test_each_rule_routes_its_events_from_the_bus_to_its_queue(template: dict[str, Any]) -> None:
    bus = logical_id_of(template, "AWS::Events::EventBus")
    rules = {
        p["Properties"]["Name"]: p["Properties"]
        for p in resources(template, "AWS::Events::Rule").values()
    }
    stage = template["Resources"][bus]["Properties"]["Name"].rsplit("-", 1)[1]
    assert len(rules) == len(TOPOLOGY.rules)
    for rule in TOPOLOGY.rules:
        deployed = rules[f"{rule.name}-{stage}"]
        assert ref_id(deployed["EventBusName"]) == bus
        assert deployed["EventPattern"] == {
            "source": [TOPOLOGY.event_source],
            "detail-type": list(rule.event_names),
        }
        [target] = deployed["Targets"]
        assert ref_id(target["Arn"]) == logical_id_of(
            template, "AWS::SQS::Queue", QueueName=rule.queue
        )


def test_each_schedule_fires_its_handler_at_its_rate(template: dict[str, Any]) -> None:
    for job in TOPOLOGY.schedules:
        [event] = functions(template)[logical_id(job.handler)]["Events"].values()
        unit = "minute" if job.rate_minutes == 1 else "minutes"
        assert event == {
            "Type": "Schedule",
            "Properties": {"Schedule": f"rate({job.rate_minutes} {unit})"},
        }


def test_every_function_dlq_and_api_has_alarms_on_one_topic(template: dict[str, Any]) -> None:
    alarms = [a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()]
    topic = logical_id_of(template, "AWS::SNS::Topic")
    assert all([ref_id(action) for action in a["AlarmActions"]] == [topic] for a in alarms)
    watched = {(a["MetricName"], dimension(a["Dimensions"][0]["Value"])) for a in alarms}
    stack = "reserver-" + template["Resources"][topic]["Properties"]["TopicName"].rsplit("-", 1)[1]
    for name in FUNCTION_NEEDS:
        assert ("Errors", f"{stack}-{name}") in watched
        assert ("Throttles", f"{stack}-{name}") in watched
    dlq_alarms = {n for metric, n in watched if metric == "ApproximateNumberOfMessagesVisible"}
    dlqs = {
        logical_id_of(template, "AWS::SQS::Queue", QueueName=q.dlq_name) for q in TOPOLOGY.queues
    }
    assert dlq_alarms == dlqs
    assert ("5XXError", f"{stack}-api") in watched
    assert ("IteratorAge", f"{stack}-{STREAM_HANDLER}") in watched
    assert len(resources(template, "AWS::CloudWatch::Dashboard")) == 1


def test_both_apis_are_throttled_logged_and_traced(template: dict[str, Any]) -> None:
    rest = props(template, "RestAPI")
    [settings] = rest["MethodSettings"]
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0
    assert rest["TracingEnabled"] is True
    assert "DestinationArn" in rest["AccessLogSetting"]
    ws = props(template, "WebsocketAPIStage")
    assert ws["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert "DestinationArn" in ws["AccessLogSettings"]
    responses = {
        p["Properties"]["ResponseType"]: p["Properties"]
        for p in resources(template, "AWS::ApiGateway::GatewayResponse").values()
    }
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
    assert (
        '"error"'
        in responses["MISSING_AUTHENTICATION_TOKEN"]["ResponseTemplates"]["application/json"]
    )


def test_the_stage_throttle_answers_429_with_retry_after_in_front_of_our_rate_limits(
    template: dict[str, Any],
) -> None:
    # API rate limits (issue 13): the stage throttles first; ours is the per-principal layer
    responses = {
        p["Properties"]["ResponseType"]: p["Properties"]
        for p in resources(template, "AWS::ApiGateway::GatewayResponse").values()
    }
    throttled = responses["THROTTLED"]
    assert throttled["StatusCode"] == "429"
    assert throttled["ResponseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"
    tables = [t["Properties"] for t in resources(template, "AWS::DynamoDB::Table").values()]
    [counters] = [t for t in tables if "rate-limits" in str(t.get("TableName"))]
    assert "StreamSpecification" not in counters  # counters never reach the event pipeline
    assert counters["TimeToLiveSpecification"]["AttributeName"] == "expires_at"


def test_the_outputs_tell_the_operator_how_to_get_the_setup_token(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert {"WebUrl", "ApiUrl", "WebsocketUrl", "SetupTokenCommand"} <= set(outputs)
    command = outputs["SetupTokenCommand"]["Value"]
    rendered = "".join(p if isinstance(p, str) else "<ref>" for p in command["Fn::Join"][1])
    assert "python -m infra.setup_token" in rendered
    assert "aws secretsmanager get-secret-value" in rendered


def test_only_prod_protects_its_data_from_deletion() -> None:
    for stage in STAGES:
        template = synthesised().template(stage)
        for table_id, table in resources(template, "AWS::DynamoDB::Table").items():
            spec = table["Properties"]["PointInTimeRecoverySpecification"]
            assert spec["PointInTimeRecoveryEnabled"] is True
            assert table["Properties"].get("DeletionProtectionEnabled", False) is (stage == "prod")
            assert table["DeletionPolicy"] == ("Retain" if stage == "prod" else "Delete"), table_id
