"""Slack request signing (v0), exactly as Slack signs what it sends to an app.

Used by ``sandbox.slack_driver.SlackDriver`` to sign slash commands, interactions and events,
and by tests that forge or age a signature. Pure: no clock, no I/O; the caller passes the timestamp.

The scheme (https://docs.slack.dev/authentication/verifying-requests-from-slack/): the base string
is ``v0:{timestamp}:{raw body}``, the signature is ``v0=`` plus the hex HMAC-SHA256 of it keyed
with the app's signing secret, sent in ``X-Slack-Signature`` with the timestamp in
``X-Slack-Request-Timestamp``. Receivers refuse timestamps more than five minutes from now.
"""

from __future__ import annotations

import hashlib
import hmac

VERSION = "v0"
MAX_AGE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature(secret, timestamp, body)}


def is_valid(secret: str, body: bytes, timestamp: str, given: str, now: float) -> bool:
    """The receiving side's check: fresh timestamp and a matching signature."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    if abs(now - stamp) > MAX_AGE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), given)
