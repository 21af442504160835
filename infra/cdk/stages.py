"""What differs between stages: names, protection, throttling, the web app's domain and alarms.

Plain data read from CDK context (`-c key=value`) with defaults, so `make synth` needs nothing.
The account is a placeholder unless the CDK CLI supplies the caller's (`CDK_DEFAULT_ACCOUNT`);
a template synthesised with the placeholder cannot be deployed by accident, because the CLI
refuses an environment whose account differs from the credentials'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
PLACEHOLDER_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"
STAGES = ("dev", "prod")
# The Chalice REST and WebSocket stage name (.chalice/config.json `api_gateway_stage`).
API_STAGE = "api"


@dataclass(frozen=True)
class StageConfig:
    stage: str
    account: str = PLACEHOLDER_ACCOUNT
    region: str = DEFAULT_REGION
    # Built web app (Vite's output); a placeholder page is published when it is missing.
    web_dist: Path = PROJECT_DIR / "frontend" / "dist"
    # Custom domain for the web app: an ACM certificate in us-east-1 (CloudFront's region).
    domain_name: str = ""
    certificate_arn: str = ""
    alarm_email: str = ""
    ses_sender: str = "no-reply@example.com"
    throttle_rate: float = 50.0
    throttle_burst: int = 100

    @property
    def prod(self) -> bool:
        return self.stage == "prod"

    @property
    def stack_name(self) -> str:
        return f"reserver-{self.stage}"

    def name(self, base: str) -> str:
        """A stage-qualified physical name (tables, bus, secret, topic)."""
        return f"{base}-{self.stage}"

    @classmethod
    def from_context(
        cls, stage: str, context: Mapping[str, str], env: Mapping[str, str]
    ) -> StageConfig:
        def get(key: str, default: str) -> str:
            return str(context.get(key) or default)

        return cls(
            stage=stage,
            account=get("account", env.get("CDK_DEFAULT_ACCOUNT") or PLACEHOLDER_ACCOUNT),
            region=get("region", env.get("CDK_DEFAULT_REGION") or DEFAULT_REGION),
            web_dist=Path(get("web_dist", str(PROJECT_DIR / "frontend" / "dist"))),
            domain_name=get("domain_name", ""),
            certificate_arn=get("certificate_arn", ""),
            alarm_email=get("alarm_email", ""),
            ses_sender=get("ses_sender", "no-reply@example.com"),
            throttle_rate=float(get("throttle_rate", "50")),
            throttle_burst=int(get("throttle_burst", "100")),
        )
