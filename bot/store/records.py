"""What the repository hands out: frozen copies of the spine's rows, with the same field names.

``bot.store.repo.Repo`` reads a row inside its session and returns one of these; nothing outside
the store holds a SQLAlchemy row. A record never changes: whoever needs a copy that says what
they just wrote makes one with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RequestRecord:
    """One user request and the Slack thread that tells its story (``requests``)."""

    id: int
    created_at: datetime
    user_id: str
    channel: str
    thread_ts: str
    status_ts: str
    lang: str
    text: str
    intent: str
    entities: dict[str, Any]
    target: str
    cluster: str
    account_id: str
    state: str
    diagnosis: dict[str, Any] | None
    once_key: str | None = None


@dataclass(frozen=True)
class PlanRecord:
    """A proposed change, its status and its steps (``plans``)."""

    id: int
    request_id: int
    kind: str
    title: dict[str, str]
    target: str
    risk: str
    status: str
    steps: list[dict[str, Any]]
    verify: dict[str, Any]
    requested_by: str
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    applied_at: datetime | None
    approvals_needed: int
    message_ts: str
    result: dict[str, Any] | None
    reverts_plan_id: int | None
    version: int


@dataclass(frozen=True)
class StepRunRecord:
    """One step of a plan being applied: its intent, outcome and what reconciliation found (``step_runs``)."""

    id: int
    plan_id: int
    step_index: int
    op: str
    params: dict[str, Any]
    before: Any
    after: Any
    state: str
    observed: Any
    live: Any
    error: str
    started_at: datetime | None
    finished_at: datetime | None
    reconciled_at: datetime | None


@dataclass(frozen=True)
class AuditRecord:
    """One entry of the append-only audit log (``audit_events``)."""

    id: int
    at: datetime
    kind: str
    actor: str
    summary: str
    request_id: int | None
    plan_id: int | None
    before: Any
    after: Any
    channel: str
    thread_ts: str
    ref: str
