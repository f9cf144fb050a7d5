"""What services need from the outside world, as protocols (implemented in ``bot.slack``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.cloud.context import ClusterContext
from bot.domain import Diagnosis, Msg
from bot.store.records import PlanRecord, RequestRecord


@dataclass(frozen=True)
class Posted:
    """A request's diagnosis as its thread shows it: the findings message, and each plan's message by plan id."""

    findings: bool
    plans: Mapping[int, str]


class ThreadPort(Protocol):
    """Tells a request's Slack thread about each change of state."""

    def open(self, req: RequestRecord, reuse_thread_ts: str = "") -> tuple[str, str]:
        """Post the status message; return (thread_ts, status_ts)."""
        ...

    def status(self, req: RequestRecord, state: str, detail: Msg | None = None) -> None: ...

    def diagnosis(self, req: RequestRecord, diagnosis: Diagnosis, plans: Sequence[PlanRecord]) -> list[str]:
        """Post findings and one message per plan (with buttons); return the plans' message ts."""
        ...

    def plan_message(self, req: RequestRecord, plan: PlanRecord) -> str:
        """Post one plan's message (with buttons) in the thread; its ts."""
        ...

    def find_opened(self, req: RequestRecord, reuse_thread_ts: str = "") -> tuple[str, str] | None:
        """The status message an earlier attempt posted but never recorded, as ``open`` returns it."""
        ...

    def posted(self, req: RequestRecord) -> Posted:
        """What the bot has already posted in the request's thread: read from the thread itself."""
        ...

    def plan_changed(
        self, req: RequestRecord, plan: PlanRecord, event: str, detail: Msg, extra: dict[str, Any] | None = None
    ) -> None:
        """Update the plan's message in place and add one reply for the change."""
        ...

    def reply(self, req: RequestRecord, text: Msg) -> None: ...

    def reply_linked(self, req: RequestRecord, text: Msg, delivery: str) -> None:
        """A reply saying another ask (``delivery``) is handled in ``req``'s thread."""
        ...

    def linked(self, req: RequestRecord, delivery: str) -> bool:
        """Whether ``req``'s thread already has the ``reply_linked`` for ``delivery``."""
        ...

    def ephemeral(self, channel: str, user: str, text: str) -> None: ...

    def ask_intent(self, req: RequestRecord, choices: Sequence[tuple[str, Msg]]) -> None: ...


class ContextProvider(Protocol):
    """Builds the AWS + Kubernetes context for a cluster, acting for a Slack user."""

    def get(self, cluster: str = "", user: str = "") -> ClusterContext: ...

    def default_cluster(self, channel: str = "") -> str: ...

    def account_of(self, cluster: str) -> str:
        """The AWS account the cluster lives in, from configuration (no AWS call); "" if unknown."""
        ...
