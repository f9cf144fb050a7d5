"""AWS-only commands run with no Kubernetes access at all: ``chatops diagnose rds ...`` against moto,
with ``KUBECONFIG`` naming a missing file, no ``KUBE_HOST`` and no in-cluster account."""

from __future__ import annotations

import pytest

from sandbox.worlds.rds import seed_rds_world
from tests.cli.helpers import chatops, listing, scrubbed_env


@pytest.mark.parametrize(
    "text",
    [
        ["rds", "list"],
        ["rds", "stop", "billing-db"],
        ["rds", "schedule", "portal", "stop", "0 20 * * 1-5", "start", "0 8 * * 1-5"],
    ],
)
def test_rds_commands_diagnose_without_a_kubeconfig(moto_sandbox, aws, tmp_path, text):
    world = seed_rds_world(aws)
    env = scrubbed_env(tmp_path, **moto_sandbox.environment())
    before = listing(tmp_path)
    done = chatops(tmp_path, "diagnose", *text, env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "kube" not in done.stderr.lower()
    if text[1] == "list":
        assert f"RDS databases in {world['region']}" in done.stdout
    else:  # a change is proposed, never applied
        assert (world["instance"] if "billing-db" in text else world["cluster"]) in done.stdout
        assert "apply it from Slack after approval" in done.stdout
        state = aws.client("rds").describe_db_instances(DBInstanceIdentifier="billing-db")["DBInstances"][0]
        assert state["DBInstanceStatus"] == "available"
    assert listing(tmp_path) == before
