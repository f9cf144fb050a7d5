"""Fixtures for the report tests: a running sandbox (real app over HTTP, Slack and Kubernetes
stand-ins, moto) with a report channel, and helpers to wait for what the bot posts."""

from __future__ import annotations

import time

import pytest

from bot.sandbox.runtime import Sandbox

REPORTS = "C0REPORTS"


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        sb.slack.add_channel(REPORTS, "ops-reports")
        yield sb


def wait(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def responses_with(sandbox, needle: str):
    return [r.body for r in sandbox.slack.responses if needle in r.body.get("text", "")]
