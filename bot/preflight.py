"""First-run checks for the ``chatops`` commands: what is missing, and how to fix it, in one line.

Each check returns ``""`` when all is well, or one English sentence that names what is missing and
the setting or command that fixes it. The commands (``bot.cli``, ``bot.diagnose_cli``) print the
first refusal on stderr and exit with status 2 before they create, connect to or start anything;
warnings are printed and the command goes on.

Nothing here writes: a SQLite file that does not exist is reported, never created, and no check
makes a call to AWS or Kubernetes (credentials and kubeconfig are only looked up locally).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.services.failures import CREDENTIAL_ERRORS
from bot.settings import Settings, env_names

EXIT_REFUSED = 2

NO_AWS_CREDENTIALS = (
    "no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
    "or run where a role is provided: IRSA, EKS Pod Identity or an instance profile)"
)
# Values that are not real Slack credentials: the settings' own defaults and the README's examples.
PLACEHOLDERS = frozenset(
    {"", "unset", "xoxb-unset", "xoxb-...", "xapp-...", "...", "changeme", "change-me", "replace-me", "secret"}
)
DEMO_NOTE = "(`chatops demo` keeps its own database in a temporary directory and prints its audit log itself)"


@dataclass(frozen=True)
class Finding:
    """One problem: ``refuse`` ones stop the command, the others are printed as warnings."""

    message: str
    refuse: bool = True


def report(findings: Iterable[Finding], err: TextIO | None = None) -> int:
    """Print warnings and the first refusal (one line each) on ``err``; the exit status (2 or 0)."""
    err = err if err is not None else sys.stderr
    for finding in findings:
        if finding.refuse:
            err.write(finding.message + "\n")
            return EXIT_REFUSED
        err.write(f"warning: {finding.message}\n")
    return 0


def placeholder(value: str) -> bool:
    text = value.strip()
    return text.lower() in PLACEHOLDERS or text.endswith("...") or (text.startswith("<") and text.endswith(">"))


# Settings ------------------------------------------------------------------------------------------------------


def role_patterns(settings: Settings) -> str:
    if settings.role_patterns:
        return ""
    return (
        "ROLE_ALLOW_PATTERNS is not set: set it to the IAM role patterns fixes may change "
        "(for example 'eks-*,AmazonEKS*'); refusing to start"
    )


def slack_tokens(settings: Settings, *, socket_mode: bool = False, worker: bool = False) -> str:
    token = settings.slack_bot_token
    if placeholder(token):
        return (
            "SLACK_BOT_TOKEN is not set (it is a placeholder): set it to the app's bot token (xoxb-...) from "
            "api.slack.com/apps > OAuth & Permissions"
        )
    if not token.startswith("xoxb-"):
        return "SLACK_BOT_TOKEN must be a bot token (xoxb-...), from api.slack.com/apps > OAuth & Permissions"
    if worker:
        return ""  # a worker receives nothing from Slack: it only calls the Web API with the bot token
    if socket_mode:
        app_token = settings.slack_app_token
        if placeholder(app_token) or not app_token.startswith("xapp-"):
            return (
                "SLACK_APP_TOKEN must be an app-level token (xapp-...) with connections:write for Socket Mode, "
                "from api.slack.com/apps > Basic Information > App-Level Tokens"
            )
        return ""  # Socket Mode requests come over the app's own connection: no signature to check
    if placeholder(settings.slack_signing_secret):
        return (
            "SLACK_SIGNING_SECRET is not set (it is a placeholder): set it to the app's signing secret from "
            "api.slack.com/apps > Basic Information"
        )
    return ""


def approvers(settings: Settings) -> str:
    """A warning, never a refusal: with nobody to approve, the bot fails closed (see ``serve_findings``)."""
    if settings.approver_ids or settings.approver_usergroup:
        return ""
    return (
        "no approvers configured: plans will be proposed but nobody can approve them; set APPROVER_USER_IDS "
        "(Slack user ids) or APPROVER_USERGROUP (a user group id)"
    )


def request_channels(settings: Settings) -> str:
    if settings.request_channel_ids or settings.allow_direct_messages:
        return ""
    return (
        "no REQUEST_CHANNELS set and ALLOW_DIRECT_MESSAGES is off: the bot answers only /ops; set "
        "REQUEST_CHANNELS to the channel ids where messages are requests"
    )


# Database ------------------------------------------------------------------------------------------------------


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unreadable URL is shown as the setting's name only
        return "DATABASE_URL"


def _required_tables() -> set[str]:
    import handlers.registry  # noqa: F401 - the features' tables, registered on Base by their packages
    from bot.store import models, reports  # noqa: F401 - the core's tables, registered on Base
    from bot.store.base import Base

    return set(Base.metadata.tables)


def database(url: str, purpose: str = "serve") -> str:
    """Whether ``url`` names a migrated database, without creating it (a SQLite file is never made)."""
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"not a database URL ({url[:60]!r}): use sqlite:///PATH or postgresql+psycopg://..."
    shown = _shown(url)
    if purpose == "audit":
        fix = f"point at one with DATABASE_URL or --url {DEMO_NOTE}"
    else:
        fix = "run `chatops migrate` first (or `chatops serve --migrate`)"
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ""
        if name in ("", ":memory:") or name.startswith("file::memory:"):
            return f"DATABASE_URL {shown} is an in-memory database, which has no tables: set DATABASE_URL to a file"
        if not Path(name).is_file():
            return f"no database found at {Path(name).resolve()} (DATABASE_URL {shown}): {fix}"
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError) as exc:
        return f"DATABASE_URL {shown} cannot be used: {exc}"
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        return f"cannot connect to the database {shown}: {reason}; check DATABASE_URL"
    finally:
        engine.dispose()
    missing = sorted(_required_tables() - present)
    if missing:
        what = (
            "has no chatops tables"
            if len(missing) == len(_required_tables())
            else f"is missing tables ({', '.join(missing[:4])}{', ...' if len(missing) > 4 else ''})"
        )
        if purpose == "audit":
            return f"the database {shown} {what}, so there is no audit log there: {fix}"
        return f"the database {shown} {what}: run `chatops migrate` first (or `chatops serve --migrate`)"
    return ""


# AWS and Kubernetes --------------------------------------------------------------------------------------------


def aws_credentials() -> str:
    """Whether boto3's chain finds credentials (environment, profile, SSO, web identity, instance role)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    try:
        found = boto3.Session().get_credentials()
    except ProfileNotFound as exc:
        return f"{exc}: set AWS_PROFILE to a profile in ~/.aws/config (`aws configure list-profiles`)"
    except BotoCoreError as exc:
        return f"{NO_AWS_CREDENTIALS}: {exc}"
    return "" if found is not None else NO_AWS_CREDENTIALS


NO_AWS_REGION = (
    "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or a region in the AWS profile "
    "(`aws configure set region REGION`)"
)


def aws_region(settings: Settings) -> str:
    """Whether a region is known: ``AWS_REGION``, else boto3's own (``AWS_DEFAULT_REGION``, the profile's).
    Clusters of ``CLUSTERS_FILE`` each name theirs."""
    import boto3
    from botocore.exceptions import BotoCoreError

    if settings.clusters_file or settings.aws_region:
        return ""
    try:
        found = boto3.Session().region_name
    except BotoCoreError:  # a profile that does not exist: aws_credentials() says so
        found = None
    return "" if found else NO_AWS_REGION


def credentials_error(code: str) -> bool:
    """Whether a ``bot.errors.CloudError`` code is botocore saying there are no usable credentials."""
    return code in CREDENTIAL_ERRORS


IN_CLUSTER_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


def in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and IN_CLUSTER_TOKEN.is_file()


NO_KUBE_FIX = "set KUBECONFIG (and KUBE_CONTEXT), KUBE_HOST, or CLUSTERS_FILE"


def _kubeconfig(context: str, path: str = "") -> str:
    from kubernetes import client as k8s
    from kubernetes import config as k8s_config

    where = path or os.environ.get("KUBECONFIG", "") or "~/.kube/config"
    files = [Path(p).expanduser() for p in where.split(os.pathsep) if p]
    if not any(f.is_file() for f in files):
        return f"no kubeconfig at {where}"
    try:
        k8s_config.load_kube_config(
            config_file=path or None,
            context=context or None,
            client_configuration=k8s.Configuration(),
            persist_config=False,
        )
    except (k8s_config.ConfigException, OSError, ValueError) as exc:
        what = f"context {context!r} of " if context else ""
        return f"kubeconfig {what}{where}: {str(exc).strip().splitlines()[0][:200]}"
    return ""


def clusters_file(settings: Settings) -> str:
    from bot.services.clusters import load_clusters

    try:
        load_clusters(settings.clusters_file)
    except OSError as exc:
        return f"CLUSTERS_FILE {settings.clusters_file}: {exc.strerror or exc}; set CLUSTERS_FILE to the clusters' YAML"
    except ValueError as exc:  # the parser's messages name the cluster and the key
        return f"CLUSTERS_FILE {settings.clusters_file}: {exc}"
    except Exception as exc:  # noqa: BLE001 - YAML syntax errors and the like
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return f"CLUSTERS_FILE {settings.clusters_file} is not valid YAML: {first}"
    return ""


def kubernetes(settings: Settings) -> str:
    """Whether the configured cluster can be reached at all: a kubeconfig, KUBE_HOST, a clusters file or
    the in-cluster service account. Looked up locally; nothing is asked of the API server."""
    if settings.clusters_file:
        return clusters_file(settings)
    if settings.kube_host:
        return ""
    problem = _kubeconfig(settings.kube_context)
    if not problem or in_cluster():  # as the bot does: a kubeconfig first, else the in-cluster account
        return ""
    if problem.startswith("no kubeconfig"):
        return f"no Kubernetes access: {problem} and not running in a cluster; {NO_KUBE_FIX}"
    return f"{problem}; {NO_KUBE_FIX}"


# What each command needs ----------------------------------------------------------------------------------------


def serve_findings(
    settings: Settings, *, socket_mode: bool = False, migrate_first: bool = False, worker: bool = False
) -> list[Finding]:
    """What ``chatops serve`` / ``chatops socket`` / ``chatops worker`` check before they build anything.

    Refused: settings that would make the bot unsafe or unable to work at all (no role allow-list, no real
    Slack credentials, no schema, no AWS credentials, no way to reach the cluster). Only warned about:
    no approvers and no request channels. Those fail closed (nothing can be approved, nobody's message is
    taken for a request), and a team may well start a diagnose-only bot, or one that is asked through
    ``/ops`` alone, on purpose; refusing would push them to invent approvers just to start it.
    The sandbox builds the bot through ``bot.bootstrap.build`` and never passes here.
    """
    found = [
        Finding(m)
        for m in (role_patterns(settings), slack_tokens(settings, socket_mode=socket_mode, worker=worker))
        if m
    ]
    if found:
        return found
    if not migrate_first:
        problem = database(settings.database_url)
        if problem:
            return [Finding(problem)]
    problem = aws_credentials() or aws_region(settings) or kubernetes(settings)
    if problem:
        return [Finding(problem)]
    return [Finding(m, refuse=False) for m in (approvers(settings), request_channels(settings)) if m]


def load_settings() -> Settings | str:
    """The settings from the environment, or one line naming the variable that is not of its type."""
    from pydantic import ValidationError

    from handlers import registry

    try:
        settings = Settings()
        registry.feature_settings()  # each feature's own model, checked the same way now, not at first use
        return settings
    except ValidationError as exc:
        first = exc.errors()[0]
        name = _named(exc.title, str(first["loc"][0])) if first.get("loc") else "a setting"
        return f"{name} is not valid ({first.get('msg', 'invalid value')}): fix it in the environment"


def _named(model_name: str, loc: str) -> str:
    """The variable a validation error is about, with the other names the same setting is read from."""
    from handlers import registry

    models = [Settings, *(f.settings for f in registry.FEATURES if f.settings is not None)]
    for model in (m for m in models if m.__name__ == model_name):
        for field_name in model.model_fields:
            names = env_names(model, field_name)
            if loc.upper() in names or loc == field_name:
                return " or ".join(names)
    return loc.upper()
