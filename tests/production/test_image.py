"""The Dockerfile's runtime image: a numeric non-root user, and an environment under which the app
writes only below /tmp (there is no docker engine here, so the Dockerfile is read as text and its
environment is replayed in a subprocess with /tmp mapped to a scratch directory)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from tests.production.source_scan import ROOT


def _final_stage() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    stages: list[list[tuple[str, str]]] = [[]]  # the first holds what comes before any FROM (ARG)
    for line in lines:
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        stages[-1].append((word.upper(), rest.strip()))
    return stages[-1]


def _env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in _final_stage():
        if word == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(rest)))
    return env


def test_image_runs_as_a_numeric_non_root_user():
    users = [rest for word, rest in _final_stage() if word == "USER"]
    assert users, "the runtime stage sets no USER"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) > 0 and (not gid or (gid.isdigit() and int(gid) > 0))
    instructions = [word for word, _ in _final_stage()]
    assert instructions.index("USER") > max(i for i, w in enumerate(instructions) if w == "RUN")


def test_every_writable_path_in_the_environment_is_under_tmp():
    env = _env()
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    for name in ("HOME", "TMPDIR", "MPLCONFIGDIR"):
        assert Path(env[name]).is_relative_to("/tmp"), name
    assert env["DATABASE_URL"].startswith("sqlite:////tmp/")


SCRIPT = """
import io
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.bar(["stopped", "running"], [3, 5])
fig.savefig(io.BytesIO(), format="png")
from bot.settings import Settings
from bot.store.migrate import upgrade
upgrade(Settings().database_url)
"""


def test_the_app_writes_only_below_tmp(tmp_path):
    scratch, workdir = tmp_path / "tmp", tmp_path / "app"
    scratch.mkdir()
    workdir.mkdir()
    env = {k: v.replace("/tmp", str(scratch)) for k, v in _env().items()}
    env.update(PATH=os.environ["PATH"], PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert list(workdir.iterdir()) == []
    written = {p.relative_to(scratch).parts[0] for p in scratch.rglob("*")}
    assert {"matplotlib", "chatops.db"} <= written
