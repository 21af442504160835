"""What a local stack is made of: ports, the app to serve, where state goes, and child env.

Everything here is plain data. `Ports.from_env` reads the documented port variables so a
developer can move a piece that collides with something else on the machine; tests build
their own `StackConfig` on free ports so they never collide with a developer's `make run`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
LOCALHOST = "127.0.0.1"
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
# Env variables that could point a child at real AWS or at another stack: never inherited.
_SCRUBBED_PREFIXES = ("AWS_",)

PORT_ENV = {
    "api": "API_PORT",
    "ws": "WS_PORT",
    "frontend": "FRONTEND_PORT",
    "dynamodb": "DYNAMODB_PORT",
    "moto": "MOTO_PORT",
}


@dataclass(frozen=True)
class Ports:
    api: int = 8000
    ws: int = 8001
    frontend: int = 3000
    dynamodb: int = 8010
    moto: int = 5010

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Ports:
        source = os.environ if env is None else env
        defaults = cls()
        values = {
            name: int(source.get(var, getattr(defaults, name))) for name, var in PORT_ENV.items()
        }
        return cls(**values)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in PORT_ENV}


def default_api_processes(env: Mapping[str, str] | None = None) -> int:
    """API_PROCESSES, else one worker per core (at most 4): Lambda serves concurrent requests
    from separate instances, and one Python process uses one core at a time."""
    source = os.environ if env is None else env
    if source.get("API_PROCESSES"):
        return max(1, int(source["API_PROCESSES"]))
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass(frozen=True)
class StackConfig:
    ports: Ports = field(default_factory=Ports)
    app_module: str = "app"
    # "module:attribute" of the Topology to provision and pump (pure data, safe to import here).
    topology: str = "chalicelib.topology:TOPOLOGY"
    stage: str = "local"
    # Interface the servers listen on. Only a container (docker-compose.yml) needs 0.0.0.0,
    # so that its published ports reach them; everything else stays on the loopback.
    bind_host: str = LOCALHOST
    project_dir: Path = PROJECT_DIR
    state_dir: Path = PROJECT_DIR / ".local"
    frontend_dir: Path | None = PROJECT_DIR / "frontend"
    # DynamoDB Local keeps its data here (-dbPath) instead of in memory.
    data_dir: Path | None = None
    # An AWS-compatible endpoint (LocalStack) replacing DynamoDB Local and moto.
    external_aws: str | None = None
    # Multiply schedule rates by this (0.01 makes `rate(1 minute)` fire every 0.6 s).
    tick_scale: float = 1.0
    # When set, only these schedules are scaled; the others keep their real rate.
    tick_only: tuple[str, ...] = ()
    # A failed SQS message becomes visible again after this many seconds (see workers).
    sqs_retry_delay_s: int = 2
    startup_timeout_s: float = 45.0
    # Processes serving the REST API (infra/local/prefork.py).
    api_processes: int = field(default_factory=default_api_processes)
    force_moto_dynamodb: bool = False
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "stack.json"

    def url(self, piece: str) -> str:
        port = getattr(self.ports, piece)
        scheme = "ws" if piece == "ws" else "http"
        return f"{scheme}://{LOCALHOST}:{port}"

    @property
    def moto_url(self) -> str:
        return self.external_aws or self.url("moto")

    def dynamodb_url(self, *, java: bool) -> str:
        if self.external_aws:
            return self.external_aws
        return self.url("dynamodb") if java else self.moto_url

    @property
    def websocket_management_url(self) -> str:
        # Same shape as API Gateway's https://{api}.execute-api.{region}.amazonaws.com/{stage}.
        return f"http://{LOCALHOST}:{self.ports.ws}/{self.stage}"


def child_env(
    config: StackConfig, *, java: bool, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment every child gets: fake credentials and local endpoints only."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    dynamodb = config.dynamodb_url(java=java)
    env.update(FAKE_AWS_ENV)
    env.update(
        {
            "AWS_ENDPOINT_URL": config.moto_url,
            "AWS_ENDPOINT_URL_DYNAMODB": dynamodb,
            "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": dynamodb,
            "STAGE": config.stage,
            "WEBSOCKET_MANAGEMENT_URL": config.websocket_management_url,
            "FRONTEND_URL": config.url("frontend"),
            "API_PUBLIC_URL": config.url("api"),
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(config.extra_env)
    return env
