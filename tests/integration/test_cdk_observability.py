"""Observability in the synthesised stacks (issue 15): every function traced (X-Ray) with
EMF metrics on, the dashboard graphing every application metric, and the local stack with
tracing and metrics off (tests/integration/cdk_kit.py synthesises once per run)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.domain.pipeline.metrics import CATALOGUE, DENIALS
from chalicelib.observability import METRICS_NAMESPACE
from chalicelib.topology import TOPOLOGY
from infra.local.config import StackConfig, child_env
from tests.integration.cdk_kit import PROJECT, STAGES, resources, synthesised


@pytest.fixture(scope="module", params=STAGES)
def template(request: pytest.FixtureRequest) -> dict[str, Any]:
    return synthesised().template(request.param)


def dashboard_text(template: dict[str, Any]) -> str:
    """The dashboard body with references blanked: a CloudFormation Fn::Join of strings."""
    [board] = resources(template, "AWS::CloudWatch::Dashboard").values()
    parts = board["Properties"]["DashboardBody"]["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else "<ref>" for p in parts)


def dimensions(line: list[Any]) -> dict[str, str]:
    """A dashboard metric line: [namespace, name, dim, value, dim, value, ..., {options}]."""
    names = [x for x in line[2:] if isinstance(x, str)]
    return dict(zip(names[::2], names[1::2], strict=True))


def test_every_function_is_traced_and_emits_metrics(template: dict[str, Any]) -> None:
    functions = resources(template, "AWS::Serverless::Function").values()
    assert functions
    for function in functions:
        props = function["Properties"]
        env = props["Environment"]["Variables"]
        assert props["Tracing"] == "Active"
        assert env["POWERTOOLS_TRACE_DISABLED"] == "false"
        assert env["POWERTOOLS_METRICS_DISABLED"] == "false"
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == METRICS_NAMESPACE


def test_the_dashboard_graphs_every_application_metric(template: dict[str, Any]) -> None:
    body = json.loads(dashboard_text(template))
    metrics = [
        line
        for widget in body["widgets"]
        for line in widget["properties"].get("metrics", [])
        if line and line[0] == METRICS_NAMESPACE
    ]
    graphed = {line[1] for line in metrics}
    # Every metric of the catalogue but the denials (a SEARCH over their rule codes)
    assert graphed == {m.name for m in CATALOGUE} - {DENIALS.name}
    searches = [
        line[0]["expression"]
        for widget in body["widgets"]
        for line in widget["properties"].get("metrics", [])
        if line and isinstance(line[0], dict) and "expression" in line[0]
    ]
    assert any(f'MetricName="{DENIALS.name}"' in s and "rule" in s for s in searches)
    # And the queue lag has one line per worker queue
    lag = {dimensions(line)["queue"] for line in metrics if line[1] == "QueueLag"}
    assert lag == {q.name for q in TOPOLOGY.queues}


def test_the_local_stack_and_tests_trace_nothing_and_print_no_metrics() -> None:
    env = child_env(StackConfig(), java=True, base={})
    assert env["POWERTOOLS_TRACE_DISABLED"] == env["POWERTOOLS_METRICS_DISABLED"] == "true"
    stages = json.loads((PROJECT / ".chalice" / "config.json").read_text())["stages"]
    for stage in ("local", "test"):
        local = stages[stage]["environment_variables"]
        assert local["POWERTOOLS_TRACE_DISABLED"] == local["POWERTOOLS_METRICS_DISABLED"] == "true"
