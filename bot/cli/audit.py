"""``chatops audit``: the audit log as JSON lines or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from bot.cli.common import settings_or_exit

# Spreadsheets run a cell that starts with one of these as a formula (OWASP, "CSV Injection"): such a
# cell is written with a leading single quote, so it shows as the text it was.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """An audit value as a CSV cell: dicts and lists as JSON, text that a spreadsheet would run neutralised."""
    if isinstance(value, dict | list):
        value = json.dumps(value, default=str)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cmd_audit(args: argparse.Namespace) -> int:
    from bot.preflight import database
    from bot.store.audit_queries import as_dicts
    from bot.store.db import make_engine, make_session_factory
    from bot.store.repo import Repo

    url = args.url or settings_or_exit().database_url
    problem = database(url, purpose="audit")  # before an engine exists: SQLite would create the file
    if problem:
        print(problem, file=sys.stderr)
        return 2
    engine = make_engine(url)
    try:
        rows = as_dicts(Repo(make_session_factory(engine)).audit_rows(limit=args.limit))
    finally:
        engine.dispose()
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_cell(v) for k, v in row.items()})
    else:
        for row in rows:
            print(json.dumps(row, default=str, ensure_ascii=False))
    return 0
