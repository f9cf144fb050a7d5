"""The records the Slack stand-in keeps: calls, messages, ephemerals, response-URL posts, uploads, faults.

Plain frozen dataclasses with no behaviour beyond a readable ``__str__``; ``sandbox.slack_api``
stores them and hands them to tests, ``sandbox.slack_methods`` creates them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    method: str
    args: dict
    response: dict
    at: float

    def __str__(self) -> str:
        return f"{self.method} -> {self.response.get('ok')} {self.response.get('error', '')}".rstrip()


@dataclass(frozen=True)
class Message:
    channel: str
    ts: str
    text: str = ""
    blocks: tuple[dict, ...] = ()
    thread_ts: str | None = None
    user: str | None = None
    bot_id: str | None = None
    updates: int = 0
    files: tuple[str, ...] = ()
    reactions: tuple[str, ...] = ()
    metadata: dict | None = None  # chat.postMessage's ``metadata`` (event_type, event_payload)

    def __str__(self) -> str:
        where = f"{self.channel} {self.ts}" + (f" in {self.thread_ts}" if self.thread_ts else "")
        return f"[{where}] {self.user or self.bot_id}: {self.text[:100]!r} ({len(self.blocks)} blocks)"


@dataclass(frozen=True)
class Ephemeral:
    channel: str
    user: str
    message_ts: str
    text: str = ""
    blocks: tuple[dict, ...] = ()
    thread_ts: str | None = None


@dataclass(frozen=True)
class Response:
    """What an app POSTed to a response URL (Bolt's ``respond()``)."""

    tag: str
    body: dict
    at: float


@dataclass(frozen=True)
class Upload:
    file_id: str
    filename: str
    title: str | None
    channel: str | None
    thread_ts: str | None
    length: int
    initial_comment: str | None = None
    first_line: str = ""  # the content's first line when it is text, else ""


@dataclass(frozen=True)
class Fault:
    """A failure queued by ``SlackStandIn.fail_next``: HTTP ``status`` or, with ``error``, ok:false."""

    status: int
    retry_after: int
    error: str | None
