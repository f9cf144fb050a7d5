"""Configuration, read once from the environment by the composition root (``bot.bootstrap``).

``Settings`` holds the core's; each feature that has settings brings its own model
(``Feature.settings``, with its own prefix). Every variable is documented in the README's
configuration table; ``describe(model)`` yields a model's rows so the table and the code are
checked against each other in a test.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    slack_bot_token: str = Field("xoxb-unset", description="Bot token (xoxb-...).")
    slack_signing_secret: str = Field("unset", description="Signing secret for request verification.")
    slack_app_token: str = Field("", description="App-level token (xapp-...) for Socket Mode.")
    slack_api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL (ends with /).")
    slash_command: str = Field("/ops", description="The slash command the app answers.")
    request_channels: str = Field("", description="Comma-separated channel ids where any message is a request.")
    allow_direct_messages: bool = Field(default=False, description="Take requests in direct messages with the bot.")
    allow_shared_channels: bool = Field(
        default=False, description="Take requests in channels shared with other organisations (Slack Connect)."
    )
    slack_team_id: str = Field(
        "", description="The installing workspace's team id (else asked with auth.test at start-up)."
    )
    lookup_cache_seconds: int = Field(
        60, description="How long users.info (guests) and conversations.info (shared channels) answers are cached."
    )
    approver_user_ids: str = Field("", description="Comma-separated Slack user ids allowed to approve.")
    approver_usergroup: str = Field("", description="Slack user group id whose members may approve.")
    allow_self_approval: bool = Field(default=False, description="Let the requester approve their own plan.")
    plan_ttl_minutes: int = Field(60, description="Minutes before a proposed plan expires.")
    usergroup_cache_seconds: int = Field(60, description="How long approver group membership is cached.")
    database_url: str = Field("sqlite:///chatops.db", description="SQLAlchemy URL (postgresql+psycopg://...).")
    aws_region: str = Field(
        "",
        description="AWS region (empty: AWS_DEFAULT_REGION, then the AWS profile's "
        "region, as boto3 finds it; clusters in CLUSTERS_FILE name their own).",
    )
    aws_max_attempts: int = Field(4, ge=1, le=10, description="Attempts per AWS call, the first one included.")
    cluster_name: str = Field("", description="Default EKS cluster name.")
    kube_host: str = Field("", description="Kubernetes API URL (else kubeconfig, else in-cluster).")
    kube_context: str = Field("", description="kubeconfig context to use.")
    lb_controller: str = Field(
        "kube-system/aws-load-balancer-controller",
        description="NAMESPACE/DEPLOYMENT of the AWS Load Balancer Controller.",
    )
    role_allow_patterns: str = Field(
        "", description="fnmatch patterns of IAM roles fixes may change (required by serve and socket; empty: none)."
    )
    verify_wait_seconds: float = Field(120.0, description="How long verification waits for live state.")
    log_level: str = Field("INFO", description="Logging level.")
    default_timezone: str = Field(
        "UTC", description="Time zone of new schedules and reports that name none (an IANA name such as Asia/Seoul)."
    )
    default_language: Literal["en", "ko"] = Field(
        "en", description="Language (en or ko) of what no request's language decides: scheduled announcements."
    )
    report_channel: str = Field("", description="Channel for scheduled bot announcements.")
    clusters_file: str = Field("", description="YAML file mapping channels to clusters/accounts.")
    worker_threads: int = Field(
        4,
        ge=0,
        description="Job worker threads in `chatops serve` / `socket` (0: this process only acks; "
        "`chatops worker` processes run the jobs).",
    )
    job_lease_seconds: float = Field(
        30.0,
        gt=0,
        description="How long a claimed job stays its worker's without a heartbeat; then another worker takes it.",
    )
    job_max_attempts: int = Field(
        3, ge=1, description="Attempts per job before the person who asked is told it failed."
    )
    shutdown_grace_seconds: float = Field(
        40.0,
        ge=0,
        description="On SIGTERM, how long running jobs may take to finish before they are released to "
        "another worker (keep it below the pod's terminationGracePeriodSeconds).",
    )

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value[:40]!r}; use an IANA name such as UTC or Asia/Seoul") from exc
        return value

    @staticmethod
    def split(value: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in value.split(",") if v.strip())

    @property
    def request_channel_ids(self) -> tuple[str, ...]:
        return self.split(self.request_channels)

    @property
    def approver_ids(self) -> tuple[str, ...]:
        return self.split(self.approver_user_ids)

    @property
    def role_patterns(self) -> tuple[str, ...]:
        """The allow-list of IAM role patterns; empty means no role may be changed."""
        return self.split(self.role_allow_patterns)

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(ENV_NAME, default, meaning) for every core setting."""
        return describe(cls)


def env_names(model: type[BaseSettings], field_name: str) -> tuple[str, ...]:
    """The environment names a settings field is read from, the one documented first."""
    field = model.model_fields[field_name]
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(str(choice) for choice in alias.choices)
    if isinstance(alias, str):
        return (alias,)
    return ((str(model.model_config.get("env_prefix") or "") + field_name).upper(),)


def describe(model: type[BaseSettings]) -> list[tuple[str, str, str]]:
    """(ENV_NAME, default, meaning) for every setting of ``model``."""
    return [
        (env_names(model, name)[0], str(field.default), field.description or "")
        for name, field in model.model_fields.items()
    ]
