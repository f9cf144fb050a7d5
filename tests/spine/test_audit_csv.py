"""``chatops audit --csv`` never hands a spreadsheet a formula: cells that would run are neutralised."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bot.cli.audit import csv_cell
from bot.domain import AuditEvent, AuditKind

HOSTILE = [
    '=HYPERLINK("https://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_that_a_spreadsheet_would_run_gets_a_leading_quote(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["restart cloudon/api", "U_DEV", "", "1-2", " =x", "'=already"])
def test_other_text_is_left_alone(value):
    assert csv_cell(value) == value


def test_non_text_values_stay_values_and_json_is_json():
    assert csv_cell(3) == 3 and csv_cell(None) is None
    assert csv_cell({"text": "=1+1"}) == '{"text": "=1+1"}'
    assert csv_cell(["-x"]) == '["-x"]'


def test_the_export_neutralises_what_a_requester_typed(tmp_path):
    from bot.store.db import make_engine, make_session_factory
    from bot.store.migrate import upgrade
    from bot.store.repo import Repo

    url = f"sqlite:///{tmp_path / 'audit.db'}"
    upgrade(url)
    repo = Repo(make_session_factory(make_engine(url)))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for value in HOSTILE:
        repo.audit(AuditEvent(AuditKind.REQUEST_RECEIVED, "=actor()", value, after={"text": value}), now)
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "audit", "--csv", "--url", url], capture_output=True, check=True
    )  # bytes: a "\r" inside a cell stays one
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode(), newline="")))
    assert sorted(r["summary"] for r in rows) == sorted("'" + v for v in HOSTILE)
    assert all(r["actor"] == "'=actor()" for r in rows)
    for row in rows:
        assert not any(str(cell).startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
