"""Pure parts of the local stack: schedule parsing, Lambda event shapes, partial failures."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from infra.local.config import Ports, StackConfig, child_env
from infra.local.dynamodb_local import NO_CORS_ORIGIN, DynamoDbLocal, locate, prepare
from infra.local.lambda_events import failed_item_ids, scheduled_event, sqs_record, stream_record
from infra.local.ticker import CronSpec, rate_seconds


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(2 hours)", 7200),
        ("rate(1 day)", 86400),
    ],
)
def test_rates_become_intervals(expression: str, seconds: int) -> None:
    assert rate_seconds(expression) == seconds


def test_a_malformed_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="not a rate"):
        rate_seconds("rate(soon)")


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # every 15 minutes
        ("cron(0/15 * * * ? *)", datetime(2026, 3, 1, 10, 7), datetime(2026, 3, 1, 10, 15)),
        # 02:30 UTC daily, already past today -> tomorrow
        ("cron(30 2 * * ? *)", datetime(2026, 3, 1, 3, 0), datetime(2026, 3, 2, 2, 30)),
        # Mondays at 09:00 (AWS: 2 = MON); 2026-03-01 is a Sunday
        ("cron(0 9 ? * MON *)", datetime(2026, 3, 1, 12, 0), datetime(2026, 3, 2, 9, 0)),
        # the first of the month at midnight
        ("cron(0 0 1 * ? *)", datetime(2026, 3, 1, 0, 0), datetime(2026, 4, 1, 0, 0)),
    ],
)
def test_cron_finds_the_next_minute(expression: str, after: datetime, expected: datetime) -> None:
    spec = CronSpec.parse(expression)
    assert spec.next_after(after.replace(tzinfo=UTC)) == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize("expression", ["cron(0 12 L * ? *)", "cron(0 12 * * 2#1 *)", "cron(* *)"])
def test_unsupported_cron_is_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        CronSpec.parse(expression)


def test_sqs_record_has_the_lambda_shape() -> None:
    message = {
        "MessageId": "m1",
        "ReceiptHandle": "r1",
        "Body": '{"a": 1}',
        "Attributes": {"ApproximateReceiveCount": "2"},
        "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "x"}},
        "MD5OfBody": "md5",
    }
    record = sqs_record(message, "arn:aws:sqs:us-east-1:123456789012:q", "us-east-1")
    assert record["messageId"] == "m1"
    assert record["receiptHandle"] == "r1"
    assert record["eventSource"] == "aws:sqs"
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert record["messageAttributes"]["kind"]["stringValue"] == "x"


def test_stream_record_is_json_safe() -> None:
    created = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    raw = {
        "eventID": "e1",
        "eventName": "MODIFY",
        "dynamodb": {
            "ApproximateCreationDateTime": created,
            "Keys": {"PK": {"B": b"\x00\x01"}},
            "SequenceNumber": "100",
        },
    }
    record = stream_record(raw, "arn:stream", "us-east-1")
    assert record["dynamodb"]["ApproximateCreationDateTime"] == created.timestamp()
    assert record["dynamodb"]["Keys"]["PK"]["B"] == base64.b64encode(b"\x00\x01").decode()
    assert (record["eventSource"], record["eventSourceARN"]) == ("aws:dynamodb", "arn:stream")


def test_scheduled_event_names_its_rule() -> None:
    event = scheduled_event("nightly", "us-east-1", datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
    assert event["detail-type"] == "Scheduled Event"
    assert event["time"] == "2026-03-01T10:00:00Z"
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/nightly"]


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        # a report naming an unknown id (or no id) fails the whole batch, as in Lambda
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, {"a", "b"}),
        ({"batchItemFailures": [{}]}, {"a", "b"}),
    ],
)
def test_partial_batch_responses(result: object, failed: set[str]) -> None:
    assert failed_item_ids(result, ["a", "b"]) == failed


def test_children_never_inherit_real_aws_settings() -> None:
    # Given a shell with real credentials and endpoints
    shell = {"AWS_PROFILE": "prod", "AWS_SESSION_TOKEN": "secret", "HOME": "/home/dev"}
    config = StackConfig(ports=Ports(api=1, ws=2, frontend=3, dynamodb=4, moto=5))
    # When the child environment is built
    env = child_env(config, java=True, base=shell)
    # Then only fake credentials and local endpoints remain
    assert "AWS_PROFILE" not in env
    assert "AWS_SESSION_TOKEN" not in env
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5"
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:4"
    assert env["WEBSOCKET_MANAGEMENT_URL"] == "http://127.0.0.1:2/local"
    assert env["HOME"] == "/home/dev"


def test_without_java_dynamodb_goes_to_moto() -> None:
    config = StackConfig(ports=Ports(api=1, ws=2, frontend=3, dynamodb=4, moto=5))
    env = child_env(config, java=False, base={})
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5"


def test_dynamodb_local_is_never_started_with_plain_jar_and_open_cors(tmp_path: Path) -> None:
    # Given DynamoDB Local found on this machine (issue 9, finding 1)
    ddb = DynamoDbLocal("java", "javac", tmp_path / "jar")
    # When its command line is built
    argv = ddb.argv(8010, None, classes=tmp_path / "classes", host="127.0.0.1")
    # Then it runs through the loopback launcher, bound to the stack's host, with no CORS origin
    assert "-jar" not in argv
    assert argv[argv.index("-cp") + 2] == "LoopbackDynamoDbLocal"
    assert "-Dreserver.bind=127.0.0.1" in argv
    assert argv[argv.index("-cors") + 1] == NO_CORS_ORIGIN


def test_without_javac_the_stack_falls_back_to_moto_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a machine with a Java runtime but no compiler on PATH
    java = shutil.which("java")
    if java is None:
        pytest.skip("no java here")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(java)
    monkeypatch.setenv("PATH", str(bin_dir))
    config = StackConfig(state_dir=tmp_path)
    # When the stack prepares DynamoDB
    prepared = prepare(config)
    # Then DynamoDB Local is not started unbound: moto takes over, with a warning naming javac
    assert prepared is None
    assert locate(config) is None
    assert "javac" in capsys.readouterr().err


def test_the_local_gateway_gives_the_app_the_real_peer_address() -> None:
    # chalice's local server says 127.0.0.1 for everyone: one shared sign-in counter (finding 3)
    from chalice.app import Chalice
    from chalice.config import Config

    from infra.local.api_server import ReserverGateway

    app = Chalice("peer")

    @app.route("/who")
    def who() -> dict[str, str]:
        return {"ip": app.current_request.context["identity"]["sourceIp"]}

    gateway = ReserverGateway(app, Config.create(), peer="192.0.2.44")
    response = gateway.handle_request("GET", "/who", {}, b"")
    assert json.loads(response["body"]) == {"ip": "192.0.2.44"}
