"""A free-text request the parser is not sure about gets the intent-choice buttons, not a guess."""

from __future__ import annotations

import pytest

from bot.services.reading import parse
from sandbox.runtime import REQUEST_CHANNEL, Sandbox

UNSURE = "how do I debug an application that is not working"


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        yield sb


def test_the_message_is_a_low_confidence_guess():
    parsed = parse(UNSURE)
    assert parsed.intent == "pods" and not parsed.confident


def test_an_unsure_parse_asks_with_buttons_instead_of_diagnosing(sandbox):
    sandbox.say(UNSURE)
    req = sandbox.wait_request()
    assert (req.state, req.intent) == ("asked", "other")
    thread = sandbox.slack.thread(REQUEST_CHANNEL, req.thread_ts)
    actions = [b for m in thread for b in (m.blocks or []) if b["type"] == "actions"]
    assert actions and all(e["action_id"].startswith("choose_intent_") for e in actions[0]["elements"])
