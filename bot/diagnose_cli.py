"""``chatops diagnose [--cluster NAME] TEXT``: the same parsing and diagnosis as in Slack, printed to a terminal.

Runs against the configured AWS profile and kubeconfig, or against a cluster of ``CLUSTERS_FILE``
(``--cluster NAME``, else the file's default). It proposes but never applies: applying stays in
Slack, behind approval.

AWS and Kubernetes are reached only when the diagnoser asks for them, so a diagnoser that reads
AWS alone (``rds list``, ``rds schedule ...``) needs no kubeconfig. What is missing (credentials,
a kubeconfig, a cluster the file does not list) is said in one line on stderr, with exit status 2;
a diagnosis that ran and hit an API error exits 1.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TextIO

from bot import errors, preflight
from bot.cloud.context import FeaturePorts
from bot.cloud.kube import Kube
from bot.domain import Diagnosis, Lang, Request
from bot.services.clusters import ClusterContexts, load_clusters
from bot.services.commands import Command, parse_command
from bot.services.contexts import SingleClusterContexts, kube_from_settings
from bot.services.core import step_to_dict
from bot.services.failures import describe_failure, new_ref
from bot.services.ports import ContextProvider
from bot.settings import Settings
from handlers import registry
from handlers.base import Diagnoser, Wiring

USER = "terminal"
USAGE = """usage: chatops diagnose [--cluster NAME] TEXT...

Parse TEXT as the /ops slash command does (a command such as `pods -A`, `rds list`,
`ingress NS/NAME`, or a problem described in English or Korean, or a pasted error) and
diagnose it with your AWS credentials and kubeconfig. Plans are printed, never applied.

options:
  -h, --help      show this help and exit
  --cluster NAME  the cluster to diagnose: one listed in CLUSTERS_FILE (default: the file's
                  default), or CLUSTER_NAME when no CLUSTERS_FILE is set
exit status: 0 diagnosed, 1 the diagnosis failed on an API error, 2 bad input or missing setup
"""


class LazyKube:
    """A ``Kube`` built the first time a diagnoser touches it: until then no kubeconfig is needed."""

    def __init__(self, build: Callable[[], Kube]):
        self._build = build
        self._kube: Kube | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._kube is None:
            self._kube = self._build()
        return getattr(self._kube, name)


class _TerminalClusters(ClusterContexts):
    """``CLUSTERS_FILE`` clusters whose Kubernetes access (and its eks:DescribeCluster) waits for first use."""

    def _kube(self, cfg, aws, session) -> Kube:  # type: ignore[no-untyped-def]
        build = super()._kube
        return LazyKube(lambda: build(cfg, aws, session))  # type: ignore[return-value]


def terminal_contexts(settings: Settings) -> ContextProvider:
    """The contexts ``chatops diagnose`` works in: the bot's own, with Kubernetes reached on first use."""
    if settings.clusters_file:
        return _TerminalClusters(
            load_clusters(settings.clusters_file), settings, max_attempts=settings.aws_max_attempts
        )

    def kube() -> Kube:
        problem = preflight.kubernetes(settings)
        if problem:
            raise errors.Misconfigured(problem)
        return kube_from_settings(settings)

    return SingleClusterContexts(settings, kube_factory=lambda: LazyKube(kube))  # type: ignore[arg-type,return-value]


def split_args(argv: list[str]) -> tuple[str, str]:
    """(cluster, text) from ``chatops diagnose``'s arguments; ``UsageError`` for a ``--cluster`` without a name."""
    words, cluster, i = [], "", 0
    while i < len(argv):
        word = argv[i]
        if word == "--cluster":
            if i + 1 >= len(argv) or not argv[i + 1].strip():
                raise errors.UsageError("--cluster needs a cluster name.")
            cluster, i = argv[i + 1], i + 2
            continue
        if word.startswith("--cluster="):
            cluster = word.split("=", 1)[1]
            if not cluster:
                raise errors.UsageError("--cluster needs a cluster name.")
        else:
            words.append(word)
        i += 1
    # One argument is the text as typed after /ops; several are re-quoted where the shell took quotes off
    # (`rds schedule portal stop "0 20 * * 1-5" ...`), so the command parser sees the same words.
    return cluster, (words[0] if len(words) == 1 else shlex.join(words))


def main(argv: list[str], settings_factory: Callable[[], Settings | str], out: TextIO, err: TextIO) -> int:
    """``chatops diagnose`` with the arguments after ``diagnose``."""
    if argv in (["-h"], ["--help"]):
        out.write(USAGE)
        return 0
    try:
        cluster, text = split_args(argv)
    except errors.UsageError as exc:
        err.write(f"usage error: {exc.message} (chatops diagnose --help)\n")
        return 2
    if not text.strip():
        err.write(
            "usage error: nothing to diagnose; give a problem or a command, e.g. "
            "`chatops diagnose pods -A` (chatops diagnose --help)\n"
        )
        return 2
    settings = settings_factory()
    if isinstance(settings, str):  # a setting that is not of its type, said in one line
        err.write(settings + "\n")
        return 2
    return run(text, settings, out, err, cluster=cluster)


def _unknown_cluster(settings: Settings, cluster: str) -> str:
    if settings.clusters_file:
        names = ", ".join(sorted(load_clusters(settings.clusters_file).clusters)) or "none"
        return f"unknown cluster {cluster!r}: CLUSTERS_FILE {settings.clusters_file} lists {names}"
    current = f"CLUSTER_NAME={settings.cluster_name}" if settings.cluster_name else "your kubeconfig's cluster"
    return (
        f"--cluster {cluster}: no CLUSTERS_FILE is set, so the only cluster is {current}; set CLUSTERS_FILE "
        f"to a file that lists {cluster} (format: bot/services/clusters.py)"
    )


def _parsed_request(text: str, err: TextIO) -> tuple[Command, Diagnoser] | None:
    """The parsed command and the diagnoser for it, or None once the reason is written to ``err``."""
    try:
        cmd = parse_command(text)
    except errors.UsageError as exc:
        err.write(f"usage error: {exc.message}\n")
        return None
    if cmd.kind != "request":
        err.write("nothing to diagnose; try a problem description or a command such as `pods -A`\n")
        return None
    diagnoser = registry.diagnoser_for(cmd.intent)
    if diagnoser is None:
        err.write(f"no diagnoser handles intent {cmd.intent}; try `chatops parse /ops {text[:60]}`\n")
        return None
    return cmd, diagnoser


def _terminal_contexts_or_problem(settings: Settings, target: str) -> tuple[ContextProvider | None, str]:
    """The terminal's contexts, or (None, the missing setup) when they cannot reach ``target``."""
    if settings.clusters_file:
        problem = preflight.clusters_file(settings)
        if problem:
            return None, problem
    elif target and target != settings.cluster_name:
        return None, _unknown_cluster(settings, target)
    elif preflight.aws_region(settings):
        return None, preflight.aws_region(settings)
    return terminal_contexts(settings), ""


def _target_problem(settings: Settings, target: str, contexts: ContextProvider, diagnoser: Diagnoser) -> str | None:
    """What stops the diagnoser reaching ``target`` through ``contexts``, if anything.

    A diagnoser that needs the cluster's API is refused before any AWS call when there is no way to
    reach it (a kubeconfig, KUBE_HOST, CLUSTERS_FILE, the in-cluster account); one that reads AWS
    alone (``needs_kubernetes`` False) runs with no Kubernetes access at all."""
    if settings.clusters_file and target and target not in contexts.cluster_names():
        return _unknown_cluster(settings, target)
    if diagnoser.needs_kubernetes and not settings.clusters_file:
        return preflight.kubernetes(settings)
    return None


def _failure(exc: errors.ChatOpsError, lang: str) -> tuple[str, int]:
    """The line to print for a diagnosis that raised ``exc``, and the exit status."""
    if isinstance(exc, errors.UsageError):
        return exc.message, 2
    if isinstance(exc, errors.Misconfigured):
        return f"{exc}", 2
    if isinstance(exc, errors.CloudError) and preflight.credentials_error(exc.code):
        return f"{preflight.NO_AWS_CREDENTIALS}; {exc.call} could not be signed: {exc.detail[:120]}", 2
    return describe_failure(exc, new_ref())(lang), 1


def _print_diagnosis(diagnosis: Diagnosis, lang: str, out: TextIO) -> None:
    """The diagnosis's headline, findings with their evidence, and plans with their steps."""
    out.write(f"{diagnosis.headline(lang)}\n")
    for f in diagnosis.findings:
        out.write(f"  [{f.severity}] {f.code}: {f.title(lang)}\n")
        for e in f.evidence:
            out.write(f"      - {e(lang)}\n")
    for i, plan in enumerate(diagnosis.plans, 1):
        out.write(f"plan {i}: {plan.title(lang)} (risk {plan.risk}); apply it from Slack after approval\n")
        for step in plan.steps:
            out.write(json.dumps(step_to_dict(step), ensure_ascii=False, indent=2) + "\n")


def run(
    text: str,
    settings: Settings,
    out: TextIO,
    err: TextIO | None = None,
    cluster: str = "",
    contexts: ContextProvider | None = None,
) -> int:
    """Diagnose ``text`` and print the result to ``out``; problems go to ``err`` (default ``out``)."""
    err = err if err is not None else out
    parsed = _parsed_request(text, err)
    if parsed is None:
        return 2
    cmd, diagnoser = parsed
    target = cluster or cmd.cluster
    if contexts is None:
        contexts, problem = _terminal_contexts_or_problem(settings, target)
        if contexts is None:
            err.write(problem + "\n")
            return 2
    problem = _target_problem(settings, target, contexts, diagnoser)
    if problem:
        err.write(problem + "\n")
        return 2
    request = Request(cmd.intent, cmd.entities, text, Lang(cmd.lang), USER, cmd.aws_error, cmd.image_pull)
    try:
        ctx = contexts.get(target, USER)
        ctx = replace(ctx, ports=FeaturePorts(*registry.ports(Wiring(settings))))
        diagnosis = diagnoser.diagnose(ctx, request)
    except errors.ChatOpsError as exc:
        message, status = _failure(exc, cmd.lang)
        err.write(message + "\n")
        return status
    _print_diagnosis(diagnosis, cmd.lang, out)
    return 0
