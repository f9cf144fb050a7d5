"""No permissive defaults: without ``ROLE_ALLOW_PATTERNS`` the bot does not start, and no role may be changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_no_role_may_be_changed_without_an_allow_list():
    assert Settings().role_allow_patterns == "" and Settings().role_patterns == ()
    assert Settings(role_allow_patterns=" , ").role_patterns == ()
    assert Settings(role_allow_patterns="eks-*, AmazonEKS*").role_patterns == ("eks-*", "AmazonEKS*")


@pytest.mark.parametrize("command", ["serve", "socket"])
def test_serve_and_socket_refuse_to_start_without_role_allow_patterns(command, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ROLE_ALLOW_PATTERNS"}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{tmp_path / 'chatops.db'}",
        SLACK_APP_TOKEN="xapp-1-test",
        SLACK_API_URL="http://127.0.0.1:9/api/",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", command, "--port", "0"]
        if command == "serve"
        else [sys.executable, "-m", "bot.cli", command],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ROLE_ALLOW_PATTERNS is not set"), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (tmp_path / "chatops.db").exists()  # refused before touching anything


def test_an_empty_allow_list_with_only_commas_is_refused_too(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ROLE_ALLOW_PATTERNS": " , ",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chatops.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--port", "0"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "ROLE_ALLOW_PATTERNS" in done.stderr and "Traceback" not in done.stderr
