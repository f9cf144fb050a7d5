"""The sandbox's documented scripting API: the README's example runs as written, and every world
in the catalogue can be seeded by name."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sandbox import Sandbox
from sandbox.worlds.catalogue import WORLDS
from tests.production.source_scan import ROOT

EXAMPLE = ROOT / "sandbox" / "examples" / "restart_pod.py"


def test_the_readme_shows_the_example_script_as_it_is():
    body = EXAMPLE.read_text().split('"""', 2)[2].strip()
    assert body in (ROOT / "sandbox" / "README.md").read_text()


def test_the_example_script_runs_and_the_plan_is_applied():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run(
        [sys.executable, "-m", "sandbox.examples.restart_pod"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "plan #1: applied" in done.stdout
    assert "is Running and ready" in done.stdout


def test_the_readme_lists_every_world_of_the_catalogue():
    readme = (ROOT / "sandbox" / "README.md").read_text()
    assert [name for name in WORLDS if f"| `{name}` |" not in readme] == []


@pytest.fixture
def moto(moto_sandbox):
    # the session's server: a server of this module's own would leave AWS_ENDPOINT_URL pointing
    # at it after it stopped, for every later test in this process
    return moto_sandbox


@pytest.mark.parametrize("name", list(WORLDS))
def test_every_world_can_be_seeded_by_name(moto, name):
    moto.reset()
    with Sandbox(moto=moto) as sb:
        facts = sb.seed(name)
        assert facts, name
        assert sb.kube.list("Namespace") or sb.aws.client("rds").describe_db_clusters()["DBClusters"]


def test_an_unknown_world_is_refused_with_the_names_to_choose_from(moto):
    moto.reset()
    with Sandbox(moto=moto) as sb, pytest.raises(ValueError, match="choose from pods, image-pull"):
        sb.seed("no-such-world")
