"""Load the Chalice app (and the topology) a local piece serves, and fake a Lambda context."""

from __future__ import annotations

import importlib
from typing import Any

from chalice.app import Chalice
from chalice.local import LambdaContext

from chalicelib.topology import Topology


def _resolve(ref: str, default_attr: str) -> Any:
    module_name, _, attr = ref.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr or default_attr)


def load_app(ref: str) -> Chalice:
    """`app` or `package.module[:attribute]` -> the Chalice object."""
    app = _resolve(ref, "app")
    if not isinstance(app, Chalice):
        raise TypeError(f"{ref} is not a Chalice app")
    return app


def load_topology(ref: str) -> Topology:
    topology = _resolve(ref, "TOPOLOGY")
    if not isinstance(topology, Topology):
        raise TypeError(f"{ref} is not a Topology")
    return topology


def lambda_context(function_name: str, timeout_s: int = 900) -> LambdaContext:
    context = LambdaContext(
        function_name=function_name, memory_size=512, max_runtime_ms=timeout_s * 1000
    )
    # Powertools reads the ARN when it decorates a handler; an empty string breaks its parsing.
    context.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
    return context
