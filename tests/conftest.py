"""Shared fixtures. Fake AWS credentials are set before anything can build a client."""

from __future__ import annotations

import os
import secrets

# DESIGN.md trap 1: without these, botocore probes the instance metadata endpoint.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "STAGE": "test",
        # Our own random key per test process: no key is built into the app (issue 9, finding 2).
        "SECRET_KEY": secrets.token_urlsafe(48),
        # Cheap argon2 in tests: hashing would otherwise dominate every login.
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_MEMORY_KIB": "1024",
        # API rate limits (issue 13) stay ON everywhere (their headers and their DynamoDB call
        # are part of every answer), but far above what any suite makes; the e2e stacks inherit
        # it. tests/integration/test_rate_limits.py sets the real limits back.
        "RATE_LIMIT_SCALE": "1000",
    }
)
# jsii (the CDK tests) unpacks aws-cdk-lib into a package cache on first use. Two xdist
# workers filling one empty cache race each other (ENOTEMPTY / ENOENT on a fresh machine), so
# each worker gets its own.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _xdist_worker:
    os.environ.setdefault(
        "JSII_RUNTIME_PACKAGE_CACHE_ROOT",
        os.path.join(os.path.expanduser("~"), ".cache", "aws", "jsii", f"cache-{_xdist_worker}"),
    )
for _endpoint_var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS"):
    os.environ.pop(_endpoint_var, None)

# moto copies whole tables to roll back a transaction; an undo log of the items it names is
# the same, and much faster: tests/moto_transactions.py.
from tests.moto_transactions import install as _install_moto_transactions  # noqa: E402

_install_moto_transactions()
