"""cdk-nag (AwsSolutions) findings we accept, each with its reason, in code.

cdk-nag 3 matches each granular finding (`AwsSolutions-IAM5[Resource::...]`) on its own, so
every wildcard accepted here is named exactly: a new wildcard anywhere still fails synthesis
(`make synth`) and tests/integration/test_cdk_security.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, CfnResource, Stack, Validations
from constructs import IConstruct

from infra.cdk.backend import connections_arn
from infra.cdk.stages import API_STAGE

if TYPE_CHECKING:
    from infra.cdk.stack import ReserverStack

_XRAY_AND_STREAMS = (
    "X-Ray's PutTraceSegments/PutTelemetryRecords and DynamoDB's ListStreams have no "
    "resource-level permissions: AWS documents Resource '*' for them."
)
_INDEXES = (
    "Queries on the table's global secondary indexes need the index ARNs; index/* covers only "
    "this table's indexes (GSI1, GSI2 from chalicelib/topology.py)."
)
_CONNECTIONS = (
    "WebSocket connection ids exist only at run time; the grant is limited to the @connections "
    "API of this stage of this stack's WebSocket API."
)
_BUCKET_DEPLOYMENT = (
    "CDK's BucketDeployment custom resource (runs only during deployments): its AWS-provided "
    "handler, runtime, S3 grants on the CDK asset bucket and the web bucket, and CloudFront "
    "CreateInvalidation (no resource-level permission) are set by CDK."
)


def _ack(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=f"AwsSolutions-{rule}", reason=reason))


def _token(stack: Stack, construct: IConstruct, attribute: str = "Arn") -> str:
    child = construct.node.default_child
    assert isinstance(child, CfnResource)
    return f"<{stack.get_logical_id(child)}.{attribute}>"


def _tokenised(stack: Stack, arn: str) -> str:
    """An ARN as cdk-nag prints it: tokens rendered as <LogicalId> / <AWS::Partition>."""
    resolved = stack.resolve(arn)
    parts = resolved["Fn::Join"][1] if isinstance(resolved, dict) else [resolved]
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif "Ref" in part:
            out.append(f"<{part['Ref']}>")
        else:
            logical, attribute = part["Fn::GetAtt"]
            out.append(f"<{logical}.{attribute}>")
    return "".join(out)


def acknowledge(stack: ReserverStack) -> None:
    _functions(stack)
    _apis(stack)
    _web(stack)
    _ack(
        stack.secret,
        "SMG4",
        "SECRET_KEY signs access tokens and seals stored webhook secrets: an automatic rotation "
        "would log everyone out and make sealed secrets unreadable. It is rotated as a planned "
        "operation (put a new value, redeploy), see README 'Deployment'.",
    )


def _functions(stack: ReserverStack) -> None:
    main_index = f"Resource::{_token(stack, stack.tables['main'])}/index/*"
    connections = "Resource::" + _tokenised(
        stack, connections_arn(stack, stack.backend.websocket_api_id)
    )
    for role in stack.backend.roles.values():
        _ack(role, "IAM5[Resource::*]", _XRAY_AND_STREAMS)
        _ack(role, f"IAM5[{main_index}]", _INDEXES)
        _ack(role, f"IAM5[{connections}]", _CONNECTIONS)
    logs_role = stack.node.find_child("ApiGatewayLogsRole")
    _ack(
        logs_role,
        "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AmazonAPIGatewayPushToCloudWatchLogs]",
        "The AWS-managed policy documented for API Gateway's account-level logging role: "
        "CloudWatch Logs writes only.",
    )


def _apis(stack: ReserverStack) -> None:
    chalice = stack.backend.chalice
    for route in ("WebsocketConnectRoute", "WebsocketMessageRoute", "WebsocketDisconnectRoute"):
        _ack(
            chalice.get_resource(route),
            "APIG4",
            "WebSocket clients authenticate in the first message with an access token "
            "(chalicelib/ws/protocol.py), not in the URL where access logs would keep it; "
            "unauthenticated connections receive nothing and are dropped.",
        )
    _ack(
        chalice.get_resource("WebsocketAPIStage"),
        "APIG1",
        f"Access logging is set by a property override on the '{API_STAGE}' stage "
        "(AccessLogSettings), which cdk-nag cannot see; "
        "tests/integration/test_cdk_stack.py asserts it.",
    )


def _web(stack: ReserverStack) -> None:
    distribution = stack.web.distribution
    _ack(
        distribution,
        "CFR1",
        "A booking tool for an organisation whose members travel: no geographic restriction.",
    )
    _ack(
        distribution,
        "CFR2",
        "The distribution serves only static files from a private bucket; the dynamic surface "
        "is API Gateway with per-stage throttling. A WAF web ACL can be attached per stage.",
    )
    if not stack.config.certificate_arn:
        _ack(
            distribution,
            "CFR4",
            "Without a custom domain CloudFront's default certificate cannot enforce TLS 1.2; "
            "with domain_name + certificate_arn the stack sets TLSv1.2_2021.",
        )
    for child in stack.node.children:
        if child.node.id.startswith("Custom::CDKBucketDeployment"):
            bucket = _token(stack, stack.web.bucket)
            for rule in (
                "L1",
                "IAM5[Resource::*]",
                "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "IAM5[Action::s3:GetObject*]",
                "IAM5[Action::s3:GetBucket*]",
                "IAM5[Action::s3:List*]",
                "IAM5[Action::s3:DeleteObject*]",
                "IAM5[Action::s3:Abort*]",
                f"IAM5[Resource::{bucket}/*]",
                f"IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-"
                f"{stack.config.account}-{stack.config.region}/*]",
            ):
                _ack(child, rule, _BUCKET_DEPLOYMENT)
