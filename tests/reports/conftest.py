"""Fixtures for the report tests: a running sandbox (real app over HTTP, Slack and Kubernetes
stand-ins, moto) with a report channel, and helpers to wait for what the bot posts."""

from __future__ import annotations

import pytest

from sandbox.runtime import Sandbox
from tests.polling import wait  # noqa: F401 - the report tests import it from here

REPORTS = "C0REPORTS"


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        sb.slack.add_channel(REPORTS, "ops-reports")
        yield sb


def responses_with(sandbox, needle: str):
    return [r.body for r in sandbox.slack.responses if needle in r.body.get("text", "")]
