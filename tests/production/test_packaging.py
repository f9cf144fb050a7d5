"""The distribution as someone outside the checkout gets it: a real ``pip install`` into a fresh venv,
then the bot run from another directory; and the lock files the image is built from.

The fresh venv sees neither the checkout nor this test run's site-packages: its dependencies are
resolved and downloaded (PyPI, or pip's cache) as for any user, with no extra. A second venv is
installed the way the Dockerfile installs the image: ``requirements.lock`` with hashes and no
resolving, then the project's wheel with ``--no-deps``, then ``pip check``. The two installs take
a minute or two, so the module allows itself fifteen.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.polling import wait
from tests.production.source_scan import ROOT
from tests.production.sources import copy_sources

pytestmark = pytest.mark.timeout(900)

# What ``pip install <checkout>`` needs, and all the Dockerfile's build stage copies.
SOURCES = ("pyproject.toml", "README.md", "bot", "handlers")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DIST = PROJECT["name"]
LOCK, CHARTS_LOCK = ROOT / "requirements.lock", ROOT / "requirements-charts.lock"
# Only the extras may bring these: plotting (charts), the stand-ins (sandbox), the tools (dev).
NOT_AT_RUNTIME = (
    "matplotlib",
    "numpy",
    "pillow",
    "moto",
    "websockets",
    "rich",
    "pytest",
    "hypothesis",
    "ruff",
    "import-linter",
    "pip-tools",
)
INSTALL_TIMEOUT = 600


def _pip(python: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """This run's pip working on another interpreter's environment (``pip --python``)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), *args, "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        cwd=cwd,
    )
    assert done.returncode == 0, f"pip {' '.join(args)}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def _venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    return where / "bin" / "python"


def _clean_env(venv_python: Path, **extra: str) -> dict[str, str]:
    """No PYTHONPATH, no checkout on the path, nothing of this run's environment but the basics."""
    env = {
        "PATH": f"{venv_python.parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(venv_python.parents[2]),
        "LANG": "C.UTF-8",
    }
    env.update(extra)
    return env


def _run(venv_python: Path, args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=_clean_env(venv_python, **env), capture_output=True, text=True, timeout=300
    )


def _python(venv_python: Path, code: str, cwd: Path) -> str:
    done = _run(venv_python, [str(venv_python), "-c", code], cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what the distribution is built from, so building writes nothing into the checkout."""
    return copy_sources(SOURCES, tmp_path_factory.mktemp("src"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, sources: Path) -> Path:
    """``pip install <checkout>`` into a fresh venv: no extra, no ``--no-deps``, nothing borrowed."""
    python = _venv(tmp_path_factory.mktemp("venv") / "venv")
    _pip(python, "install", "--quiet", str(sources))
    return python


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory with no checkout in it or above it."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    assert not (cwd / "bot").exists() and ROOT not in cwd.parents
    return cwd


def _lock_pins(path: Path) -> dict[str, tuple[str, list[str]]]:
    """``{canonical name: (version, [hashes])}`` of a pip-compile lock with ``--generate-hashes``."""
    text = path.read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"([A-Za-z0-9._-]+)==(\S+)\s*(.*)$", line)
        assert m, f"{path.name}: not a pinned line: {line[:120]}"
        pins[canonicalize_name(m[1])] = (m[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", m[3]))
    return pins


# -- the fresh install, used from another directory -------------------------------------------------


def test_the_installed_distribution_has_the_projects_version_and_license(installed: Path, elsewhere: Path):
    out = _python(
        installed,
        "import importlib.metadata as m, json;"
        f"d = m.distribution({DIST!r}); print(json.dumps([d.version, d.metadata['License-Expression']]))",
        elsewhere,
    )
    assert json.loads(out) == [PROJECT["version"], "Apache-2.0"]


def test_the_installed_package_holds_the_migrations(installed: Path, elsewhere: Path):
    out = _python(
        installed,
        "import json; from bot.store.migrate import migrations_dir, version_locations; d = migrations_dir();"
        "print(json.dumps([str(d), [str(v) for v in version_locations()],"
        " sorted(p.name for v in version_locations() for p in v.glob('*.py'))]))",
        elsewhere,
    )
    where, locations, versions = json.loads(out)
    assert Path(where).is_relative_to(installed.parents[1]), where  # the venv's copy, not the checkout's
    assert all(Path(v).is_relative_to(installed.parents[1]) for v in locations), locations
    expected = sorted(
        p.name for d in ("bot/migrations/versions", "handlers/rds/migrations") for p in (ROOT / d).glob("*.py")
    )
    assert versions == expected and "0002_rds_schedules.py" in expected
    assert {"env.py", "script.py.mako"} <= {p.name for p in Path(where).iterdir()}


def test_chatops_migrate_from_another_directory_creates_the_schema(installed: Path, elsewhere: Path, tmp_path: Path):
    db = tmp_path / "chatops.sqlite"
    done = _run(installed, [str(installed.parent / "chatops"), "migrate"], elsewhere, DATABASE_URL=f"sqlite:///{db}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(elsewhere.iterdir()) == []  # nothing looked for, or left, in the working directory
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        (head,) = conn.execute("select version_num from alembic_version").fetchone()
    assert {"requests", "plans", "step_runs", "approvals", "audit_events", "report_runs", "rds_schedules"} <= tables
    newest = max((ROOT / "bot" / "migrations" / "versions").glob("0*.py")).read_text()
    assert re.search(rf"^revision\s*(?::\s*str\s*)?=\s*['\"]{re.escape(head)}['\"]", newest, flags=re.M), head


def test_a_bare_install_has_no_plotting_stand_in_or_tool_library_and_every_module_imports(
    installed: Path, elsewhere: Path
):
    code = """
import importlib, importlib.metadata as md, json, pkgutil
import bot, handlers
names = sorted({d.metadata["Name"] for d in md.distributions()})
failed = []
for pkg in (bot, handlers):
    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if mod.name.startswith("bot.migrations."):  # Alembic runs these, with its context
            continue
        try:
            importlib.import_module(mod.name)
        except Exception as exc:
            failed.append(f"{mod.name}: {type(exc).__name__}: {exc}")
print(json.dumps({"dists": names, "failed": failed}))
"""
    got = json.loads(_python(installed, code, elsewhere))
    present = {canonicalize_name(n) for n in got["dists"]}
    assert not present & {canonicalize_name(n) for n in NOT_AT_RUNTIME}, sorted(present)
    assert got["failed"] == []


def test_without_the_charts_extra_reports_say_the_chart_is_not_available(installed: Path, elsewhere: Path):
    code = """
import json
from datetime import UTC, datetime
from bot.reportkit import charts
from bot.reports import health
pod = {"metadata": {"namespace": "web", "name": "old", "creationTimestamp": "2026-11-25T00:00:00Z"},
       "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False",
                                                      "lastTransitionTime": "2026-11-25T00:00:00Z"}]}}
out = {}
for lang in ("en", "ko"):
    content = health.build(health.HealthData("prod", (pod,)), None, datetime(2026, 11, 25, 9, tzinfo=UTC), lang)
    out[lang] = [len(content.charts), json.dumps(content.blocks, ensure_ascii=False), charts.NOT_AVAILABLE(lang)]
print(json.dumps(out))
"""
    got = json.loads(_python(installed, code, elsewhere))
    for lang, (drawn, blocks, note) in got.items():
        assert drawn == 0 and note in blocks, lang
    assert "Chart not available" in got["en"][2] and "차트를 표시할 수 없습니다" in got["ko"][2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_chatops_serve_from_the_bare_install_answers_its_health_check(installed: Path, elsewhere: Path, tmp_path: Path):
    # Slack, AWS and Kubernetes all point at a loopback port nobody listens on: the start-up checks pass
    # (they look, and ask nothing), auth.test fails and is asked again later, and nothing leaves the machine.
    port, nobody = _free_port(), f"http://127.0.0.1:{_free_port()}"
    env = _clean_env(
        installed,
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite'}",
        SLACK_BOT_TOKEN="xoxb-packaging-test",
        SLACK_SIGNING_SECRET="packaging-test",
        SLACK_API_URL=f"{nobody}/api/",
        ROLE_ALLOW_PATTERNS="eks-*",
        KUBE_HOST=nobody,
        AWS_ENDPOINT_URL=nobody,
        AWS_ACCESS_KEY_ID="packaging-test",
        AWS_SECRET_ACCESS_KEY="packaging-test",
        AWS_REGION="eu-west-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    proc = subprocess.Popen(
        [str(installed.parent / "chatops"), "serve", "--migrate", "--host", "127.0.0.1", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def healthy() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"chatops serve exited {proc.returncode}: {proc.stdout.read()[-3000:]}")
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait(healthy, timeout=120, what="chatops serve answering /healthz")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


# -- the lock files the image is built from -----------------------------------------------------------


def test_the_lock_pins_every_runtime_requirement_within_its_range_and_nothing_of_the_extras():
    pins = _lock_pins(LOCK)
    for spec in PROJECT["dependencies"]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{LOCK.name} does not pin {req.name}"
        assert req.specifier.contains(pins[name][0], prereleases=True), f"{req.name}=={pins[name][0]} is not {spec}"
        for extra in req.extras:  # psycopg[binary] brings psycopg-binary
            assert canonicalize_name(f"{req.name}-{extra}") in pins, f"{req.name}[{extra}]"
    assert not set(pins) & {canonicalize_name(n) for n in NOT_AT_RUNTIME}
    assert canonicalize_name(DIST) not in pins
    assert all(hashes for _version, hashes in pins.values()), [n for n, (_, h) in pins.items() if not h]


def test_the_charts_lock_is_the_runtime_lock_plus_matplotlib():
    runtime, charts = _lock_pins(LOCK), _lock_pins(CHARTS_LOCK)
    assert {n: v for n, (v, _) in runtime.items()} == {n: charts[n][0] for n in runtime if n in charts}
    assert set(runtime) <= set(charts)
    (spec,) = PROJECT["optional-dependencies"]["charts"]
    req = Requirement(spec)
    assert req.specifier.contains(charts[canonicalize_name(req.name)][0])
    assert not set(charts) & {
        canonicalize_name(n) for n in NOT_AT_RUNTIME if n not in ("matplotlib", "numpy", "pillow")
    }


def test_the_lock_files_name_no_path_of_the_machine_they_were_made_on():
    for path in (LOCK, CHARTS_LOCK):
        text = path.read_text()
        assert not re.search(r"(^|\s)(/tmp/|/home/|/root/|/work/|/opt/|file:)", text, flags=re.M), path.name
        assert re.search(rf"pip-compile .*-o {re.escape(path.name)} pyproject\.toml", text), path.name


def test_the_lock_covers_every_distribution_a_fresh_install_resolves(installed: Path, elsewhere: Path):
    out = _python(
        installed,
        "import importlib.metadata as m, json;"
        "print(json.dumps(sorted({d.metadata['Name'] for d in m.distributions()})))",
        elsewhere,
    )
    resolved = {canonicalize_name(n) for n in json.loads(out)} - {canonicalize_name(DIST)}
    assert resolved, out
    missing = resolved - set(_lock_pins(LOCK))
    assert not missing, f"{LOCK.name} lacks {sorted(missing)}: regenerate it (see its header)"


def test_the_dockerfile_recipe_installs_from_the_lock_alone_and_pip_check_passes(
    tmp_path_factory: pytest.TempPathFactory, sources: Path, elsewhere: Path
):
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "-r requirements.lock" in dockerfile and "--no-deps" in dockerfile
    assert not re.search(r"\[(sandbox|dev)\]|pip install[^\n]*\b(pytest|moto|ruff)\b", dockerfile)
    wheels = tmp_path_factory.mktemp("wheels")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(sources)],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = wheels.glob("eks_chatops-*.whl")
    python = _venv(tmp_path_factory.mktemp("image") / "venv")
    _pip(python, "install", "--quiet", "--require-hashes", "--only-binary=:all:", "--no-deps", "-r", str(LOCK))
    _pip(python, "install", "--quiet", "--no-index", "--no-deps", str(wheel))
    _pip(python, "check")
    db = elsewhere / "image.sqlite"
    done = _run(python, [str(python.parent / "chatops"), "migrate"], elsewhere, DATABASE_URL=f"sqlite:///{db}")
    assert done.returncode == 0, done.stderr[-3000:]
