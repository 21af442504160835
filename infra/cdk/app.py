"""Synthesise one stack per stage: `python -m infra.cdk.app` (all stages) or `-c stage=dev`.

Offline by design: no AWS call is made (Chalice only needs a region name, which the fake
environment below provides when none is set) and the account is a placeholder unless the CDK
CLI passes the caller's.
"""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.cdk.nag import acknowledge
from infra.cdk.stack import ReserverStack
from infra.cdk.stages import DEFAULT_REGION, PROJECT_DIR, STAGES, StageConfig

# Where the staged Lambda projects go (the test suite synthesises into its own).
BUILD_DIR = Path(os.environ.get("RESERVER_CDK_BUILD_DIR") or PROJECT_DIR / ".build" / "cdk")


MINIMIZE_POLICIES = {"@aws-cdk/aws-iam:minimizePolicies": True}


def build(
    outdir: str | None = None, context: dict[str, str] | None = None, build_dir: Path = BUILD_DIR
) -> tuple[cdk.App, list[ReserverStack]]:
    os.environ.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    # Grants to many queues and tables merge into few statements, so each function's role keeps
    # one inline policy (without it, the API handler's spills into an "overflow" managed policy).
    app = cdk.App(outdir=outdir, context={**MINIMIZE_POLICIES, **(context or {})})
    selected = app.node.try_get_context("stage")
    stages = [selected] if selected else list(STAGES)
    ctx = {k: str(v) for k in _CONTEXT_KEYS if (v := app.node.try_get_context(k)) is not None}
    stacks = [
        ReserverStack(app, StageConfig.from_context(stage, ctx, os.environ), build_dir)
        for stage in stages
    ]
    for stack in stacks:
        acknowledge(stack)
    return app, stacks


_CONTEXT_KEYS = (
    "account",
    "region",
    "web_dist",
    "domain_name",
    "certificate_arn",
    "alarm_email",
    "ses_sender",
    "throttle_rate",
    "throttle_burst",
)


def main() -> None:
    # The CDK CLI says where to write through CDK_OUTDIR; run directly, write ./cdk.out.
    app, _ = build(outdir=None if os.environ.get("CDK_OUTDIR") else str(PROJECT_DIR / "cdk.out"))
    # Synthesis fails on any AwsSolutions finding that is not acknowledged in infra/cdk/nag.py.
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
    )
    app.synth()


if __name__ == "__main__":
    main()
