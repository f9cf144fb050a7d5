"""Protocols every diagnoser and every plan operation follows.

A *diagnoser* turns a parsed ``Request`` into a ``Diagnosis`` (findings + fix plans) and
later verifies an applied plan. An *operation* is one kind of change a plan step can make:
it can read the live state a step expects, write the desired state, and say how to undo it.
The services layer (``bot.services``) drives both; it never knows AWS or Kubernetes details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TextIO

from bot.cloud.context import ClusterContext, FeaturePorts
from bot.domain import Diagnosis, FixPlan, Msg, PlanStep, Request, Risk, Verification
from bot.parsing.vocabulary import Signals
from bot.reportkit.model import Item, ReportContent


@dataclass(frozen=True)
class CommandSpec:
    """One ``/ops`` sub-command: its usage line, help text, and how its arguments parse.

    ``parse(args)`` returns the request entities, or raises ``bot.errors.UsageError`` that
    names what was wrong. Help text (``/ops help``) is built from these, so it cannot drift.
    """

    name: str
    usage: str
    help: Msg
    intent: str
    parse: Callable[[list[str]], dict[str, str]]


class Diagnoser(Protocol):
    """``intent_labels`` say each intent as the bot offers it when it asks what a request meant;
    ``needs_kubernetes`` is False for a diagnoser that reads AWS alone, which then runs with no
    access to the cluster's API at all (``chatops diagnose`` without a kubeconfig)."""

    name: str
    intents: tuple[str, ...]
    commands: tuple[CommandSpec, ...]
    intent_labels: Mapping[str, Msg]
    needs_kubernetes: bool

    def diagnose(self, ctx: ClusterContext, request: Request) -> Diagnosis:
        """Collect evidence, analyse it, and propose plans. May raise ``bot.errors.CloudError``."""
        ...

    def verify(self, ctx: ClusterContext, plan: FixPlan) -> Verification:
        """Check an applied plan against live state (may wait up to ``ctx.wait_seconds``)."""
        ...


class Operation(Protocol):
    """One kind of change. ``name`` is what ``PlanStep.op`` refers to.

    ``min_risk`` is the floor of every step of this kind, whatever its diagnoser judged: IAM
    trust and permission changes are ``HIGH``, shared network changes ``MEDIUM`` (the README's
    risk table lists them all).
    """

    name: str
    reversible: bool
    min_risk: Risk

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        """The live state this step is about, in the same shape as ``PlanStep.before``."""
        ...

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        """Write ``step.after``; return the state observed afterwards (recorded in the audit)."""
        ...

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        """The step that undoes ``step`` (given what applying it produced), or None."""
        ...


def inverse_step(
    step: PlanStep, description: Msg, observed_after: Any = None, params: Mapping[str, Any] | None = None
) -> PlanStep:
    """The usual inverse: same operation, before and after swapped."""
    return PlanStep(
        op=step.op,
        params=dict(params if params is not None else step.params),
        before=observed_after if observed_after is not None else step.after,
        after=step.before,
        description=description,
    )


@dataclass(frozen=True)
class PolicyRules:
    """How IAM policy documents that any plan writes are judged; the central guardrail
    (``bot.services.guardrails``) asks these for every step of every feature's plans.

    Each returns the reasons a document is not allowed (empty: allowed). ``trust_change`` gets the
    trust policy before and after; ``permission`` a permission policy.
    """

    trust_change: Callable[[Any, Any], list[str]]
    permission: Callable[[Any], list[str]]


@dataclass(frozen=True)
class Wiring:
    """What the composition root offers a feature for building its ports: the bot's settings, the
    stores the core keeps for features and each feature's own settings, by feature name (absent
    where a process has none)."""

    settings: Any
    stores: Mapping[str, Any] = field(default_factory=dict)
    feature_settings: Mapping[str, Any] = field(default_factory=dict)  # each feature's own, by feature name


@dataclass(frozen=True)
class JobWiring:
    """What a feature's scheduled job is built from: the default cluster's context (its ports
    included), the bot's clock and settings, and how to tell people and the audit log."""

    ctx: ClusterContext
    clock: Callable[[], Any]
    settings: Any
    notify: Callable[[str, str, dict[str, Any]], None]  # (English, Korean, details): a message in the report channel
    audit: Callable[[str, str, Any, Any], None]  # (kind, summary, before, after)


@dataclass(frozen=True)
class Job:
    """Scheduled work a feature brings: ``build(wiring)`` gives the callable the leader runs every
    ``every_minutes(ports)`` minutes (read from the feature's ports, where its settings are)."""

    name: str
    build: Callable[[JobWiring], Callable[[], Any]]
    every_minutes: Callable[[FeaturePorts], float]


@dataclass(frozen=True)
class ReportKind:
    """A kind of scheduled report a feature brings (``/ops report add NAME ...``).

    ``build(ctx, previous_state, now, lang)`` collects from the default cluster's context (its ports
    included) and returns the content; the core's report service diffs, posts and records it.
    """

    name: str
    build: Callable[[ClusterContext, Mapping[str, Any] | None, datetime, str], ReportContent]


@dataclass(frozen=True)
class HealthScan:
    """What the core's health report reads once for all its sections: every pod, ingress and
    ``FailedCreate`` event of the cluster (plain dicts), and how long a pod may be not ready."""

    pods: tuple[Mapping[str, Any], ...] = ()
    ingresses: tuple[Mapping[str, Any], ...] = ()
    failed_create_events: tuple[Mapping[str, Any], ...] = ()
    not_ready_minutes: int = 10


@dataclass(frozen=True)
class HealthFindings:
    """A section's items, and the pods (namespace, name) they speak for: later sections skip those."""

    items: tuple[Item, ...] = ()
    pods: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class HealthSection:
    """One section of the core's ``health`` report that a feature brings.

    ``collect(ctx)``, where the section reads more than the shared ``HealthScan``, is its I/O: it
    returns its data and the parts it could not read. ``items(scan, collected, covered, now)`` is
    pure: the section's items from the scan and its data, skipping pods an earlier section covered.
    Sections run by ``rank``, low first (sections about particular failures before the catch-all).
    """

    key: str
    title: Msg
    rank: int
    items: Callable[[HealthScan, Any, frozenset[tuple[str, str]], datetime], HealthFindings]
    collect: Callable[[ClusterContext], tuple[Any, tuple[Msg, ...]]] | None = None


@dataclass(frozen=True)
class Form:
    """A modal a feature opens instead of answering a slash command that lacks what a form asks best.

    ``opens(intent, entities)`` says whether a command's request opens it. ``view(entities, lang,
    default_tz)`` gives the modal's title, labels and blocks (Block Kit as plain dicts; the core adds
    the callback id and its metadata). ``read(values, lang)`` turns a submission's ``state.values``
    into (entities to add to the request, errors by block id); ``text(entities)`` is the request text
    recorded for the submission, which files a request with ``intent`` like the command would.
    """

    callback_id: str
    intent: str
    opens: Callable[[str, Mapping[str, str]], bool]
    view: Callable[[Mapping[str, str], str, str], dict[str, Any]]
    read: Callable[[Mapping[str, Any], str], tuple[dict[str, str], dict[str, str]]]
    text: Callable[[Mapping[str, str]], str]


@dataclass(frozen=True)
class Tool:
    """A ``chatops`` sub-command a feature brings (an offline check, say): ``run(argv, stdout)``
    parses its own arguments and returns the exit status."""

    name: str
    help: str
    run: Callable[[list[str], TextIO], int]


@dataclass(frozen=True)
class Feature:
    """One feature package as the core sees it: its diagnosers and every plan operation they propose.

    ``handlers.registry`` lists the features; the core loops over them and never names one.
    ``settings`` is its settings model, read from the environment by the composition root.
    ``store``, for a feature with tables, builds its store from the core's SQLAlchemy session
    factory; the composition root hands the stores back to ``ports`` through ``Wiring.stores``.
    ``ports``, when a feature has one, builds the object its code reads back from ``ctx.ports``.
    ``policy_rules``, from the one feature that knows IAM policies, judge every plan's policy writes.
    ``migrations`` names a package of Alembic revisions: a version location of the bot's one chain.
    ``jobs`` are its scheduled work, run by the core's scheduler on the leader replica.
    ``reports`` are the report kinds it adds to the core's; ``health`` its sections of the core's
    ``health`` report.
    ``signals`` are the words, phrases and rules the core parser reads its intents with.
    ``tools`` are its ``chatops`` sub-commands.
    ``forms`` are its modals (Slack views as plain dicts; the core's listener opens and reads them).
    ``home_lines(ports, lang)`` gives the feature's lines (mrkdwn) in App Home's list of schedules
    and reports, read from the process's ``FeaturePorts``.
    """

    name: str
    diagnosers: tuple[Diagnoser, ...] = ()
    operations: tuple[Operation, ...] = ()
    settings: type[Any] | None = None  # a pydantic-settings model with the feature's own env prefix
    store: Callable[[Any], object] | None = None
    ports: Callable[[Wiring], object] | None = None
    policy_rules: PolicyRules | None = None
    migrations: str = ""  # the package holding the feature's Alembic revisions, if it has tables
    jobs: tuple[Job, ...] = ()
    reports: tuple[ReportKind, ...] = ()
    health: tuple[HealthSection, ...] = ()
    forms: tuple[Form, ...] = ()
    signals: Signals | None = None
    tools: tuple[Tool, ...] = ()
    home_lines: Callable[[FeaturePorts, str], list[str]] | None = None
