"""The Chalice app through `chalice.cdk.Chalice`: REST API, WebSocket API and every function.

Chalice writes a SAM template; this module then does in CDK what Chalice cannot:
- one IAM role per function, with exactly the grants `permissions.FUNCTION_NEEDS` lists and
  its own log group (Chalice is told not to manage roles; every placeholder role is replaced);
- the SQS event sources take the CDK queues' ARNs and `ReportBatchItemFailures`;
- the stream event source takes the table's real stream ARN (the app holds a placeholder);
- API Gateway stage throttling, access logs and tracing; JSON gateway responses (404/429/5xx).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnResource, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from chalice.cdk import Chalice

from chalicelib.topology import STREAM_HANDLER, TOPOLOGY
from infra.cdk import bundle
from infra.cdk.messaging import Messaging
from infra.cdk.permissions import API_HANDLER, FUNCTION_NEEDS, Grant, Needs
from infra.cdk.stages import API_STAGE, StageConfig

# Chalice needs *some* role ARN when it does not manage roles; each one is overridden below
# and a test fails if any survives into the template.
PLACEHOLDER_ROLE = "arn:aws:iam::000000000000:role/replaced-by-cdk"
MEMORY_MB = 512
API_MEMORY_MB = 1024  # argon2 hashing (64 MiB, 3 passes) dominates logins; CPU scales with memory
API_TIMEOUT_S = 29  # API Gateway's own integration limit
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
    '"method":"$context.httpMethod","path":"$context.resourcePath",'
    '"status":"$context.status","latencyMs":"$context.responseLatency",'
    '"routeKey":"$context.routeKey","error":"$context.error.message"}'
)


def logical_id(function: str) -> str:
    """Chalice's CloudFormation name for a function (`notify_worker` -> `NotifyWorker`)."""
    if function == API_HANDLER:
        return "APIHandler"
    return "".join(part.capitalize() for part in function.split("_"))


@dataclass
class Backend:
    chalice: Chalice
    function_names: dict[str, str]  # chalice name -> deployed function name
    roles: dict[str, iam.Role]
    rest_api_name: str
    rest_api_id: str
    websocket_api_id: str
    bundle_zip: Path

    @property
    def rest_url(self) -> str:
        return f"https://{self.rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{API_STAGE}"

    @property
    def websocket_url(self) -> str:
        return (
            f"wss://{self.websocket_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{API_STAGE}"
        )


def connections_arn(stack: Stack, websocket_api_id: str) -> str:
    """Any method on any connection of this stage's WebSocket API (ids exist only at run time)."""
    return stack.format_arn(
        service="execute-api",
        resource=websocket_api_id,
        resource_name=f"{API_STAGE}/*/@connections/*",
    )


class _LeanChalice(Chalice):  # type: ignore[misc]
    """`chalice.cdk.Chalice` whose deployment.zip is recompressed (bundle.recompress) after
    `chalice package` wrote it and before the construct turns it into the code asset."""

    def _package_app(self) -> None:
        super()._package_app()
        bundle.recompress(Path(self._sam_package_dir) / "deployment.zip")


@contextlib.contextmanager
def _working_dir(path: Path) -> Iterator[None]:
    # chalice.cdk writes its packages under ./chalice.out: keep them in the build dir.
    previous = Path.cwd()
    path.mkdir(parents=True, exist_ok=True)
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def chalice_config(
    config: StageConfig,
    tables: dict[str, dynamodb.Table],
    messaging: Messaging,
    secret: secretsmanager.ISecret,
    frontend_url: str,
) -> dict[str, Any]:
    env = {t.env_var: tables[t.logical_name].table_name for t in TOPOLOGY.tables}
    env.update(
        {
            "EVENT_BUS_NAME": messaging.bus.event_bus_name,
            # A CloudFormation dynamic reference: the value never appears in the template.
            "SECRET_KEY": secret.secret_value.unsafe_unwrap(),
            "SES_SENDER": config.ses_sender,
            "FRONTEND_URL": frontend_url,
            "CORS_ORIGIN": frontend_url,
            "POWERTOOLS_SERVICE_NAME": "resource-reserver",
            "POWERTOOLS_METRICS_NAMESPACE": "ResourceReserver",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            # observability (issue 15): EMF metrics on; X-Ray is on per function ("xray" below)
            "POWERTOOLS_METRICS_DISABLED": "false",
            "POWERTOOLS_TRACE_DISABLED": "false",
        }
    )
    return {
        "manage_iam_role": False,
        "iam_role_arn": PLACEHOLDER_ROLE,
        "autogen_policy": False,
        "xray": True,
        "api_gateway_stage": API_STAGE,
        "lambda_memory_size": MEMORY_MB,
        "environment_variables": env,
    }


class BackendBuilder:
    """Builds the Chalice construct into `stack` (its id is the Chalice stage's name)."""

    def __init__(
        self,
        stack: Stack,
        config: StageConfig,
        tables: dict[str, dynamodb.Table],
        messaging: Messaging,
    ) -> None:
        self.stack = stack
        self.config = config
        self.tables = tables
        self.messaging = messaging

    def build(
        self, project_dir: Path, secret: secretsmanager.ISecret, frontend_url: str
    ) -> Backend:
        stage_config = chalice_config(
            self.config, self.tables, self.messaging, secret, frontend_url
        )
        shutil.rmtree(project_dir.parent / "chalice.out", ignore_errors=True)
        with _working_dir(project_dir.parent):
            chalice = _LeanChalice(
                self.stack, "Chalice", source_dir=str(project_dir), stage_config=stage_config
            )
        [bundle_zip] = (project_dir.parent / "chalice.out").glob("*/deployment.zip")
        ws_api = chalice.get_resource("WebsocketAPI").ref
        backend = Backend(
            chalice=chalice,
            function_names={},
            roles={},
            rest_api_name=f"{self.config.stack_name}-api",
            rest_api_id=chalice.get_resource("RestAPI").ref,
            websocket_api_id=ws_api,
            bundle_zip=bundle_zip,
        )
        for name, needs in FUNCTION_NEEDS.items():
            self._function(backend, name, needs)
        self._apis(backend)
        return backend

    # --- functions ---------------------------------------------------------------------------

    def _function(self, backend: Backend, name: str, needs: Needs) -> None:
        lid = logical_id(name)
        function_name = f"{self.config.stack_name}-{name}"
        log_group = logs.LogGroup(
            self.stack,
            f"{lid}Logs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=logs.RetentionDays.THREE_MONTHS
            if self.config.prod
            else logs.RetentionDays.TWO_WEEKS,
            removal_policy=RemovalPolicy.RETAIN if self.config.prod else RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            self.stack,
            f"{lid}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{function_name}: {', '.join(sorted(g.value for g in needs.grants))}",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            )
        )
        self._grant(role, needs, backend)
        resource = backend.chalice.get_resource(lid)
        resource.add_property_override("Role", role.role_arn)
        resource.add_property_override("FunctionName", function_name)
        # Event source mappings check the role's permissions when they are created, so the
        # function waits for the role's policy (the role itself is referenced already).
        policy = role.node.find_child("DefaultPolicy").node.default_child
        assert isinstance(policy, CfnResource)
        resource.add_resource_dependency(policy)
        if name == API_HANDLER:
            resource.add_property_override("MemorySize", API_MEMORY_MB)
            resource.add_property_override("Timeout", API_TIMEOUT_S)
        if needs.consumes:
            self._sqs_source(resource, lid, needs.consumes)
        if name == STREAM_HANDLER:
            events = f"Events.{lid}DynamodbEventSource.Properties"
            resource.add_property_override(f"{events}.Stream", self.tables["main"].table_stream_arn)
            # An outbox relay must not skip what was written before the mapping existed.
            resource.add_property_override(f"{events}.StartingPosition", "TRIM_HORIZON")
        backend.function_names[name] = function_name
        backend.roles[name] = role

    def _sqs_source(self, resource: Any, lid: str, queue_name: str) -> None:
        events = f"Events.{lid}SqsEventSource.Properties"
        resource.add_property_override(
            f"{events}.Queue", self.messaging.queues[queue_name].queue_arn
        )
        resource.add_property_override(
            f"{events}.FunctionResponseTypes", ["ReportBatchItemFailures"]
        )
        window = TOPOLOGY.queue(queue_name).batching_window_s
        if window:
            resource.add_property_override(f"{events}.MaximumBatchingWindowInSeconds", window)

    def _grant(self, role: iam.Role, needs: Needs, backend: Backend) -> None:
        queues = self.messaging.queues
        if Grant.TABLES in needs.grants:
            for table in self.tables.values():
                table.grant_read_write_data(role)
        if Grant.STREAM in needs.grants:
            self.tables["main"].grant_stream_read(role)
        if Grant.BUS in needs.grants:
            self.messaging.bus.grant_put_events_to(role)
        if Grant.EMAIL in needs.grants:
            self.messaging.identity.grant_send_email(role)
        if Grant.WEBSOCKET in needs.grants:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["execute-api:ManageConnections"],
                    resources=[connections_arn(self.stack, backend.websocket_api_id)],
                )
            )
        if Grant.DEAD_LETTERS in needs.grants:
            for dlq in self.messaging.dead_letter_queues().values():
                dlq.grant_consume_messages(role)
                dlq.grant_purge(role)
        if Grant.XRAY in needs.grants:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                    resources=["*"],
                )
            )
        for name in needs.sends_to:
            queues[name].grant_send_messages(role)
        if needs.consumes:
            queues[needs.consumes].grant_consume_messages(role)

    # --- APIs --------------------------------------------------------------------------------

    def _apis(self, backend: Backend) -> None:
        rest = backend.chalice.get_resource("RestAPI")
        rest_logs = logs.LogGroup(
            self.stack, "RestApiAccessLogs", retention=logs.RetentionDays.THREE_MONTHS
        )
        rest.add_property_override("Name", backend.rest_api_name)
        rest.add_property_override("TracingEnabled", True)
        rest.add_property_override(
            "AccessLogSetting",
            {"DestinationArn": rest_logs.log_group_arn, "Format": ACCESS_LOG_FORMAT},
        )
        rest.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": self.config.throttle_rate,
                    "ThrottlingBurstLimit": self.config.throttle_burst,
                    "MetricsEnabled": True,
                    "LoggingLevel": "ERROR",
                }
            ],
        )
        ws_logs = logs.LogGroup(
            self.stack, "WebsocketAccessLogs", retention=logs.RetentionDays.THREE_MONTHS
        )
        ws_stage = backend.chalice.get_resource("WebsocketAPIStage")
        ws_stage.add_property_override(
            "DefaultRouteSettings",
            {
                "ThrottlingRateLimit": self.config.throttle_rate,
                "ThrottlingBurstLimit": self.config.throttle_burst,
                "LoggingLevel": "ERROR",
            },
        )
        ws_stage.add_property_override(
            "AccessLogSettings",
            {"DestinationArn": ws_logs.log_group_arn, "Format": ACCESS_LOG_FORMAT},
        )
        self._gateway_account(backend)
        self._gateway_responses(backend)

    def _gateway_account(self, backend: Backend) -> None:
        # API Gateway writes access and execution logs only through an account-wide role.
        role = iam.Role(
            self.stack,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                )
            ],
        )
        account = apigateway.CfnAccount(
            self.stack, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn
        )
        account.apply_removal_policy(RemovalPolicy.RETAIN)
        for api in ("RestAPI", "WebsocketAPIStage"):
            backend.chalice.get_resource(api).add_resource_dependency(account)

    def _gateway_responses(self, backend: Backend) -> None:
        origin = f"'{(self.config.domain_name and 'https://' + self.config.domain_name) or '*'}'"
        responses = {
            # API Gateway's own "Missing Authentication Token" 403 for unknown routes.
            "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found", "No such route"),
            "THROTTLED": ("429", "rate_limited", "Too many requests"),
            "DEFAULT_5XX": ("502", "unavailable", "The service is unavailable"),
        }
        for kind, (status, code, message) in responses.items():
            body = f'{{"error": {{"code": "{code}", "message": "{message}", "details": {{}}}}}}'
            headers = {"gatewayresponse.header.Access-Control-Allow-Origin": origin}
            if kind == "THROTTLED":
                # The stage's token bucket refills every second (docs/rate-limits.md).
                headers["gatewayresponse.header.Retry-After"] = "'1'"
            apigateway.CfnGatewayResponse(
                self.stack,
                f"GatewayResponse{''.join(p.title() for p in kind.split('_'))}",
                rest_api_id=backend.rest_api_id,
                response_type=kind,
                status_code=status,
                response_templates={"application/json": body},
                response_parameters=headers,
            )
