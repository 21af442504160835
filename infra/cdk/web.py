"""The web app: a private S3 bucket behind CloudFront (origin access control), its
`config.json` written at deploy time with the API and WebSocket URLs, and the same security
headers the local frontend server sends (CSP with frame-ancestors, plus HSTS here).

The CSP allows API Gateway's execute-api hosts of the stack's region rather than the two
exact API ids: the functions need the site's URL (CORS, links in emails), so pinning the
API ids into the headers policy would make the distribution and the APIs depend on each
other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import IConstruct

from infra.cdk.stages import StageConfig
from infra.local.frontend_server import security_headers

PLACEHOLDER_PAGE = Path(__file__).with_name("placeholder")


@dataclass
class Web:
    bucket: s3.Bucket
    logs: s3.Bucket
    distribution: cloudfront.Distribution

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"


def content_security_policy(region: str) -> str:
    api = f"https://*.execute-api.{region}.amazonaws.com"
    return security_headers(api, api.replace("https://", "wss://"))["Content-Security-Policy"]


def _headers_policy(stack: Stack, config: StageConfig) -> cloudfront.ResponseHeadersPolicy:
    local = security_headers("https://unused", "wss://unused")
    custom = [
        cloudfront.ResponseCustomHeader(header=name, value=local[name], override=True)
        for name in ("Cross-Origin-Opener-Policy", "Permissions-Policy")
    ]
    return cloudfront.ResponseHeadersPolicy(
        stack,
        "WebHeaders",
        response_headers_policy_name=f"{config.stack_name}-web-headers",
        security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
            content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=content_security_policy(config.region), override=True
            ),
            strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                access_control_max_age=Duration.days(730),
                include_subdomains=True,
                preload=True,
                override=True,
            ),
            content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            frame_options=cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption.DENY, override=True
            ),
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
            ),
        ),
        custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(custom_headers=custom),
    )


def _private_bucket(stack: Stack, lid: str, config: StageConfig, **extra: Any) -> s3.Bucket:
    """No public access, TLS only, S3-managed encryption; emptied and deleted with a dev stack."""
    return s3.Bucket(
        stack,
        lid,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.RETAIN if config.prod else RemovalPolicy.DESTROY,
        auto_delete_objects=not config.prod,
        **extra,
    )


def build_web(stack: Stack, config: StageConfig) -> Web:
    logs = _private_bucket(
        stack,
        "WebLogs",
        config,
        # CloudFront standard logging writes through ACLs.
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
    )
    _lint_ignore(logs, "W3045", "CloudFront standard logging writes through bucket ACLs")
    bucket = _private_bucket(
        stack, "WebBucket", config, server_access_logs_bucket=logs, server_access_logs_prefix="s3/"
    )
    certificate = (
        acm.Certificate.from_certificate_arn(stack, "WebCertificate", config.certificate_arn)
        if config.certificate_arn
        else None
    )
    distribution = cloudfront.Distribution(
        stack,
        "WebDistribution",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(bucket),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            response_headers_policy=_headers_policy(stack, config),
        ),
        default_root_object="index.html",
        domain_names=[config.domain_name] if config.domain_name else None,
        certificate=certificate,
        minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        enable_logging=True,
        log_bucket=logs,
        log_file_prefix="cloudfront/",
    )
    provider = stack.node.try_find_child("Custom::S3AutoDeleteObjectsCustomResourceProvider")
    if provider is not None:  # dev only: prod keeps its buckets
        handler = provider.node.find_child("Handler")
        _lint_ignore(handler, "W3005", "CDK's own handler repeats a DependsOn on its role")
    return Web(bucket=bucket, logs=logs, distribution=distribution)


def _lint_ignore(construct: IConstruct, check: str, reason: str) -> None:
    """cfn-lint reads `Metadata.cfn-lint.config.ignore_checks` per resource."""
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    assert isinstance(resource, CfnResource)
    resource.add_metadata("cfn-lint", {"config": {"ignore_checks": [check]}, "reason": reason})


def publish(stack: Stack, web: Web, config: StageConfig, api_url: str, ws_url: str) -> None:
    """Upload the built web app plus its config.json, then invalidate the cache."""
    source = config.web_dist if (config.web_dist / "index.html").exists() else PLACEHOLDER_PAGE
    deployment = s3deploy.BucketDeployment(
        stack,
        "WebPublish",
        sources=[
            s3deploy.Source.asset(str(source)),
            s3deploy.Source.json_data("config.json", {"apiUrl": api_url, "wsUrl": ws_url}),
        ],
        destination_bucket=web.bucket,
        distribution=web.distribution,
        distribution_paths=["/*"],
        memory_limit=256,
    )
    handler = deployment.handler_role.node.scope
    assert handler is not None
    _lint_ignore(handler, "W3005", "CDK's own handler repeats a DependsOn on its role")
