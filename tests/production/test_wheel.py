"""The wheel built from the project: the bot and its diagnosers, no stand-in and no stand-in dependency.

The wheel is built the way an installer builds it (``pip wheel`` with build isolation, from a copy
of the sources), then read as a zip: its file list and its ``METADATA``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile

import pytest

from tests.production.source_scan import ROOT
from tests.production.sources import copy_sources

SOURCES = ("pyproject.toml", "README.md", "bot", "handlers", "sandbox", "alembic.ini")
STAND_IN_DISTRIBUTIONS = ("moto", "websockets", "rich")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    src = copy_sources(SOURCES, tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = out.glob("eks_chatops-*.whl")
    return zipfile.ZipFile(built)


def _metadata(wheel: zipfile.ZipFile) -> str:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return wheel.read(name).decode()


def test_the_wheel_holds_the_bot_and_its_diagnosers_but_no_stand_in(wheel: zipfile.ZipFile):
    tops = {name.split("/", 1)[0] for name in wheel.namelist() if not name.split("/", 1)[0].endswith(".dist-info")}
    assert {"bot", "handlers"} <= tops
    assert "sandbox" not in tops, sorted(n for n in wheel.namelist() if n.startswith("sandbox/"))[:5]
    assert "handlers/irsa/reference/aws-load-balancer-controller.aws.json" in wheel.namelist()


def test_stand_in_libraries_are_only_in_the_sandbox_extra(wheel: zipfile.ZipFile):
    requires = re.findall(r"^Requires-Dist: (.+)$", _metadata(wheel), flags=re.M)
    runtime = [r for r in requires if "extra ==" not in r]
    for dist in STAND_IN_DISTRIBUTIONS:
        assert not [r for r in runtime if re.match(rf"{dist}\b", r)], f"{dist} is a runtime dependency: {runtime}"
        assert [r for r in requires if re.match(rf"{dist}\b", r) and 'extra == "sandbox"' in r], dist


def test_nothing_in_the_wheel_imports_the_sandbox(wheel: zipfile.ZipFile):
    importers = []
    for name in wheel.namelist():
        if name.endswith(".py"):
            text = wheel.read(name).decode()
            if re.search(r"^\s*(from sandbox\b|import sandbox\b)", text, flags=re.M):
                importers.append(name)
    assert not importers


# the core's revisions and the RDS feature's (a version location of the same chain)
REVISION_DIRS = ("bot/migrations/versions", "handlers/rds/migrations")


def test_the_wheel_ships_the_alembic_environment_and_every_revision(wheel: zipfile.ZipFile):
    names = set(wheel.namelist())
    revisions = {str(p.relative_to(ROOT)) for location in REVISION_DIRS for p in (ROOT / location).glob("*.py")}
    assert len(revisions) > 2 and revisions <= names, sorted(revisions - names)
    assert "handlers/rds/migrations/0002_rds_schedules.py" in revisions
    assert {"bot/migrations/env.py", "bot/migrations/script.py.mako"} <= names
    assert not [n for n in names if n.startswith("migrations/") or n == "alembic.ini"]


def test_the_wheel_declares_its_license_as_an_spdx_expression_and_charts_as_an_extra(wheel: zipfile.ZipFile):
    metadata = _metadata(wheel)
    assert re.search(r"^License-Expression: Apache-2\.0$", metadata, flags=re.M)
    requires = re.findall(r"^Requires-Dist: (.+)$", metadata, flags=re.M)
    plotting = [r for r in requires if re.match(r"(matplotlib|numpy|pillow)\b", r, flags=re.I)]
    assert plotting and all('extra == "charts"' in r for r in plotting), plotting
