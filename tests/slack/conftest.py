"""The Slack Web API stand-in most tests here post to: channel-strict, with the request channel.

A test module that needs other channels defines its own ``slack`` fixture, which takes precedence.
"""

from __future__ import annotations

import pytest

from sandbox.slack_api import SlackStandIn
from tests.slack.records import CHANNEL


@pytest.fixture
def slack():
    stand_in = SlackStandIn(strict_channels=True)
    stand_in.start()
    stand_in.add_channel(CHANNEL, "eks-requests")
    yield stand_in
    stand_in.stop()
