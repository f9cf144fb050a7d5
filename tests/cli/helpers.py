"""Running the installed ``chatops`` command as a first-time user would: a clean directory, no credentials.

Each run is a real subprocess in ``tmp_path`` with ``HOME=tmp_path``, ``KUBECONFIG`` naming a file that
does not exist, and no AWS or Slack settings from the test's own environment. ``AWS_EC2_METADATA_DISABLED``
keeps boto3's credential chain from waiting on an instance metadata endpoint that a laptop or CI runner
does not have; every other source of credentials is simply absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("chatops")  # the console script pip installed beside this python
# Settings a first run has none of (and that the test runner's own environment may hold).
DROPPED_PREFIXES = (
    "AWS_",
    "SLACK_",
    "KUBE",
    "DATABASE_URL",
    "CLUSTER",
    "ROLE_ALLOW",
    "APPROVER_",
    "REQUEST_",
    "LAZY_",
    "PYTHONPATH",
)
# Settings under which each check is the one that speaks (the others already pass).
SLACK = {"SLACK_BOT_TOKEN": "xoxb-1111-2222-first-run", "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef"}
ROLES = {"ROLE_ALLOW_PATTERNS": "eks-*"}
REGION = {"AWS_REGION": "ap-northeast-2"}
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "AKIAFIRSTRUNEXAMPLE", "AWS_SECRET_ACCESS_KEY": "first-run-example", **REGION}


def command() -> list[str]:
    return [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "bot.cli"]


def scrubbed_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_PREFIXES)}
    env.update(
        HOME=str(home),
        KUBECONFIG=str(home / "no-such-kubeconfig"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(home / "no-such-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-such-aws-credentials"),
    )
    env.update(extra)
    return env


def chatops(
    cwd: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*command(), *args],
        cwd=cwd,
        env=env or scrubbed_env(cwd, **extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def listing(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


def assert_refused(done: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit 2, one line on stderr holding every needle, nothing on stdout, no traceback; the line."""
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert len(lines) == 1, done.stderr
    assert done.stdout == "", done.stdout
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]
