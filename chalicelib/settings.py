"""The only reader of the process environment.

Settings are parsed on first use (never at import), so `chalice package` and the CDK
synthesiser can import the app without any environment.

No signing key is ever built in: `STAGE` must be set (every stage in .chalice/config.json sets
it), any stage but local/test refuses to start without `SECRET_KEY`, and local/test without one
get a random key for this process only (so nothing signed with it outlives the process).
`make run` gives every piece of the stack one key kept with its data (infra/local/secret.py);
the test suites make their own.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

if TYPE_CHECKING:
    from chalicelib.domain.ratelimits.policy import RatePolicy

LOCAL_STAGES = frozenset({"local", "test"})
MIN_SECRET_LENGTH = 32


class SettingsError(RuntimeError):
    """Raised when the environment does not describe a usable configuration."""


class Settings(BaseModel):
    # Validated on first use, so its validator is built then, not on a cold start (issue 15).
    model_config = ConfigDict(defer_build=True)

    stage: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    region: str = "us-east-1"
    table_name: str = "reserver-main"
    idempotency_table_name: str = "reserver-idempotency"
    event_bus_name: str = "reserver-bus"
    secret_key: str = Field(default="", repr=False)
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    # A sign-in's absolute lifetime: refreshing never carries a session past it.
    session_max_days: int = Field(default=30, ge=1, le=365)
    mfa_issuer: str = "Resource Reserver"
    ses_sender: str = "no-reply@reserver.local"
    frontend_url: str = "http://127.0.0.1:3000"
    # Where people reach the API: email verification links open a page it serves.
    api_public_url: str = "http://127.0.0.1:8000"
    websocket_management_url: str = ""
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    login_backoff_seconds: int = Field(default=30, ge=1)
    login_backoff_max_seconds: int = Field(default=900, ge=1)
    # argon2id cost; tests lower it through the environment (hashing is most of a login).
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=8)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    cors_origin: str = "*"
    # Multiplies the webhook retry schedule (1 min ... 2 h); the e2e stack shrinks it.
    webhook_retry_scale: float = Field(default=1.0, gt=0, le=1)
    audit_retention_days: int = Field(default=400, ge=1)
    # Approvals (issue 10): where the one-click links in approvers' emails point.
    approval_link_hours: int = Field(default=72, ge=1, le=24 * 30)
    # API rate limits (issue 13, docs/rate-limits.md): the strings are parsed (and a bad one
    # refused) by `rate_limit_policy`, checked below when settings load.
    rate_limit_enabled: bool = True
    rate_limit_table_name: str = "reserver-rate-limits"
    rate_limit_window_seconds: int = Field(default=60, ge=1, le=3600)
    rate_limit_tiers: str = ""  # "user=900,partner=5000": merged onto the default tiers
    rate_limit_classes: str = ""  # "auth=10/300": requests/seconds per route class
    rate_limit_subject_tiers: str = ""  # "<user or client id>=<tier>"
    rate_limit_scale: float = Field(default=1.0, gt=0, le=1_000_000)  # test stacks raise it
    # Proxies of ours in front of API Gateway whose X-Forwarded-For is believed (0: none).
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    # Calendar feeds (issue 12): how long a cancelled booking stays in feeds as CANCELLED,
    # how often subscribers should poll, and how long HTTP caches may keep a feed.
    calendar_cancelled_retention_days: int = Field(default=30, ge=1, le=366)
    calendar_refresh_minutes: int = Field(default=60, ge=5, le=24 * 60)
    calendar_cache_seconds: int = Field(default=300, ge=0, le=24 * 3600)

    @model_validator(mode="after")
    def _secret_key_required_outside_local(self) -> Settings:
        if not self.secret_key:
            if self.stage not in LOCAL_STAGES:
                raise ValueError("SECRET_KEY must be set outside the local and test stages")
            # Random and never written down: tokens die with the process. Never a constant.
            self.secret_key = secrets.token_urlsafe(48)
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        return self

    @model_validator(mode="after")
    def _rate_limits_parse(self) -> Settings:
        from chalicelib.domain.ratelimits.policy import PolicyError

        try:
            self.rate_limit_policy()
        except PolicyError as exc:
            raise ValueError(str(exc)) from exc
        return self

    def rate_limit_policy(self) -> RatePolicy:
        from chalicelib.domain.ratelimits.policy import parse_policy

        return parse_policy(
            window_seconds=self.rate_limit_window_seconds,
            tiers=self.rate_limit_tiers,
            classes=self.rate_limit_classes,
            subjects=self.rate_limit_subject_tiers,
            scale=self.rate_limit_scale,
        )

    @property
    def is_local(self) -> bool:
        return self.stage in LOCAL_STAGES


_ENV_NAMES = {
    "stage": "STAGE",
    "region": "AWS_DEFAULT_REGION",
    "table_name": "TABLE_NAME",
    "idempotency_table_name": "IDEMPOTENCY_TABLE_NAME",
    "event_bus_name": "EVENT_BUS_NAME",
    "secret_key": "SECRET_KEY",
    "access_token_minutes": "ACCESS_TOKEN_MINUTES",
    "refresh_token_days": "REFRESH_TOKEN_DAYS",
    "session_max_days": "SESSION_MAX_DAYS",
    "mfa_issuer": "MFA_ISSUER",
    "ses_sender": "SES_SENDER",
    "frontend_url": "FRONTEND_URL",
    "api_public_url": "API_PUBLIC_URL",
    "websocket_management_url": "WEBSOCKET_MANAGEMENT_URL",
    "login_max_failures": "LOGIN_MAX_FAILURES",
    "login_window_minutes": "LOGIN_WINDOW_MINUTES",
    "login_backoff_seconds": "LOGIN_BACKOFF_SECONDS",
    "login_backoff_max_seconds": "LOGIN_BACKOFF_MAX_SECONDS",
    "password_hash_time_cost": "PASSWORD_HASH_TIME_COST",
    "password_hash_memory_kib": "PASSWORD_HASH_MEMORY_KIB",
    "log_level": "LOG_LEVEL",
    "cors_origin": "CORS_ORIGIN",
    "webhook_retry_scale": "WEBHOOK_RETRY_SCALE",
    "audit_retention_days": "AUDIT_RETENTION_DAYS",
    "approval_link_hours": "APPROVAL_LINK_HOURS",
    # API rate limits (issue 13)
    "rate_limit_enabled": "RATE_LIMIT_ENABLED",
    "rate_limit_table_name": "RATE_LIMIT_TABLE_NAME",
    "rate_limit_window_seconds": "RATE_LIMIT_WINDOW_SECONDS",
    "rate_limit_tiers": "RATE_LIMIT_TIERS",
    "rate_limit_classes": "RATE_LIMIT_CLASSES",
    "rate_limit_subject_tiers": "RATE_LIMIT_SUBJECT_TIERS",
    "rate_limit_scale": "RATE_LIMIT_SCALE",
    "trusted_proxy_hops": "TRUSTED_PROXY_HOPS",
    # Calendar feeds (issue 12)
    "calendar_cancelled_retention_days": "CALENDAR_CANCELLED_RETENTION_DAYS",
    "calendar_refresh_minutes": "CALENDAR_REFRESH_MINUTES",
    "calendar_cache_seconds": "CALENDAR_CACHE_SECONDS",
}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    if not env.get("STAGE"):
        raise SettingsError("STAGE must be set (local, test, or the deployed stage's name)")
    values = {field: env[name] for field, name in _ENV_NAMES.items() if name in env}
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise SettingsError(str(exc)) from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
