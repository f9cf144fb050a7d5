"""Every demo scenario, end to end through the real HTTP app, as a test: each part must reach its
end state, which the scenario checks in the stand-ins (Kubernetes objects, moto state), not in the
bot's own messages."""

from __future__ import annotations

import pytest

from sandbox.runtime import Sandbox
from sandbox.scenarios import SCENARIOS

PARTS = [(name, part) for name, parts in SCENARIOS.items() for part in parts]


@pytest.mark.parametrize("name,part", PARTS, ids=[f"{n}-{p.__name__}" for n, p in PARTS])
def test_scenario_reaches_its_end_state(moto_sandbox, monkeypatch, name, part):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        outcome = part(sandbox)
        audit = [r.kind for r in sandbox.repo.audit_rows()]
    assert outcome.ok, outcome.detail
    assert "request_received" in audit
