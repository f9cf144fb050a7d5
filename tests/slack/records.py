"""Records the Slack-side tests hand to ``SlackThread``: a request as the store returns it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.store.records import RequestRecord

CHANNEL = "C0REQ"

_REQUEST = RequestRecord(
    id=3,
    created_at=datetime(2030, 1, 1, tzinfo=UTC),
    user_id="U0DEV",
    channel=CHANNEL,
    thread_ts="",
    status_ts="",
    lang="en",
    text="",
    intent="irsa_access_denied",
    entities={},
    target="",
    cluster="prod",
    account_id="",
    state="diagnosing",
    diagnosis=None,
)


def request_record(**changes: object) -> RequestRecord:
    """A request still diagnosing in ``CHANNEL``, with ``changes``."""
    return replace(_REQUEST, **changes)
