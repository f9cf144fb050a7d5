"""The shared vocabulary of the bot: what a request, a finding, a diagnosis and a fix plan are.

Everything here is plain frozen data with no I/O, so diagnosers (``handlers/``), services
(``bot/services``) and the Slack renderer (``bot/slack``) can all speak it. Values inside
plans (``params``, ``before``, ``after``) must be JSON-serialisable: plans are persisted.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.korean import fill


class Lang(enum.StrEnum):
    """The language a request was made in; replies use the same one."""

    EN = "en"
    KO = "ko"


@dataclass(frozen=True)
class Msg:
    """A sentence in both languages the bot speaks. ``msg(lang)`` picks one."""

    en: str
    ko: str

    def __call__(self, lang: str | Lang) -> str:
        return self.ko if str(lang) == Lang.KO else self.en

    def __str__(self) -> str:
        return self.en

    def format(self, **kwargs: Any) -> Msg:
        """Both templates filled; a Korean field may name its particle as its format (``{id:는}``)."""
        return Msg(self.en.format(**kwargs), fill(self.ko, **kwargs))

    @staticmethod
    def same(text: str) -> Msg:
        """Text that reads the same in both languages (names, ARNs, log lines)."""
        return Msg(text, text)


class Severity(enum.StrEnum):
    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Risk(enum.StrEnum):
    """How much a change can hurt; a plan is as risky as its riskiest step.

    ``HIGH`` plans need two distinct approvers, neither of them the requester.
    """

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RISK_ORDER.index(self)

    @staticmethod
    def highest(risks: Iterable[Risk]) -> Risk:
        return max(risks, key=lambda r: r.rank, default=Risk.LOW)


_RISK_ORDER = (Risk.LOW, Risk.MEDIUM, Risk.HIGH)


class PlanStatus(enum.StrEnum):
    """Life of a plan: proposed -> applying -> applied | failed; or rejected | expired.

    The deciding approval moves a plan straight to ``applying``, with its ``approved`` audit row, in
    one transaction. ``approved`` is a state only rows written by earlier versions are in.
    ``reverted`` marks an applied plan whose revert plan was applied.
    """

    PROPOSED = "proposed"
    APPROVED = "approved"
    APPLYING = "applying"
    APPLIED = "applied"
    FAILED = "failed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    REVERTED = "reverted"


@dataclass(frozen=True)
class Request:
    """What somebody asked for, after parsing: the input of every diagnoser."""

    intent: str
    entities: Mapping[str, str] = field(default_factory=dict)
    text: str = ""
    lang: Lang = Lang.EN
    user: str = ""
    aws_error: Mapping[str, str] | None = None
    image_pull: Mapping[str, str] | None = None

    def __str__(self) -> str:
        ents = " ".join(f"{k}={v}" for k, v in sorted(self.entities.items()))
        return f"{self.intent} {ents}".strip()


@dataclass(frozen=True)
class Finding:
    """One thing the bot established, with its evidence.

    ``code`` is a stable dotted identifier (``irsa.trust.sub_missing``) that tests and
    reports rely on. ``table`` optionally carries rows to show as a table (first row is the
    header). ``data`` carries machine-readable details for reports and follow-up steps.
    """

    code: str
    severity: Severity
    title: Msg
    evidence: tuple[Msg, ...] = ()
    target: str = ""
    count: int = 1
    table: tuple[tuple[str, ...], ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"[{self.severity}] {self.code}: {self.title.en}"


@dataclass(frozen=True)
class PlanStep:
    """One change: operation ``op`` (a name in the operation registry) with ``params``.

    ``before`` is the live state the step expects to find (re-read and compared just before
    applying; a mismatch makes the plan stale); ``after`` is the state it writes. ``risk`` is
    what the diagnoser judged this one change to be; the services never let it fall below the
    operation's own floor (``Operation.min_risk``).
    """

    op: str
    params: Mapping[str, Any]
    before: Any
    after: Any
    description: Msg
    risk: Risk = Risk.LOW

    def __str__(self) -> str:
        return f"{self.op}({dict(self.params)}): {self.description.en}"


@dataclass(frozen=True)
class FixPlan:
    """An ordered list of steps proposed to fix a diagnosis, to be approved by ops.

    ``kind`` names the diagnoser that proposed it (it verifies the result). ``verify``
    carries what that diagnoser needs to check the outcome after applying.
    """

    kind: str
    title: Msg
    steps: tuple[PlanStep, ...]
    risk: Risk = Risk.MEDIUM
    target: str = ""
    verify: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.kind} plan ({self.risk}): {self.title.en} [{len(self.steps)} steps]"


@dataclass(frozen=True)
class Diagnosis:
    """The result of one diagnoser run: a headline, findings and zero or more plans."""

    kind: str
    target: str
    headline: Msg
    findings: tuple[Finding, ...] = ()
    plans: tuple[FixPlan, ...] = ()

    @property
    def worst(self) -> Severity:
        order = [Severity.OK, Severity.INFO, Severity.WARNING, Severity.ERROR]
        return max((f.severity for f in self.findings), key=order.index, default=Severity.OK)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def __str__(self) -> str:
        return f"{self.kind} {self.target}: {self.headline.en} ({', '.join(self.codes())})"


@dataclass(frozen=True)
class Verification:
    """The outcome of checking an applied plan against live state."""

    ok: bool
    message: Msg
    pending: bool = False

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'not ok'}: {self.message.en}"


class AuditKind(enum.StrEnum):
    REQUEST_RECEIVED = "request_received"
    DIAGNOSIS_COMPLETED = "diagnosis_completed"
    DIAGNOSIS_FAILED = "diagnosis_failed"
    PLAN_PROPOSED = "plan_proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    REFUSED = "refused"
    EXPIRED = "expired"
    STALE = "stale"
    APPLIED = "applied"
    FAILED = "failed"
    VERIFIED = "verified"
    VERIFY_FAILED = "verify_failed"
    REVERTED = "reverted"
    SCHEDULE_ACTION = "schedule_action"
    REPORT_POSTED = "report_posted"
    REPORT_CONFIGURED = "report_configured"
    POST_REFUSED = "post_refused"  # Slack refused a post (channel left, archived, gone): what was lost
    JOB_FAILED = "job_failed"  # acked work that every attempt failed to finish: the person was told


@dataclass(frozen=True)
class AuditEvent:
    """One append-only audit row."""

    kind: AuditKind
    actor: str
    summary: str
    request_id: int | None = None
    plan_id: int | None = None
    before: Any = None
    after: Any = None
    channel: str = ""
    thread_ts: str = ""
    ref: str = ""

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor}: {self.summary}"
