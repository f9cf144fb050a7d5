"""Loads the parser's fixture files (JSON lines) for the table-driven tests in this package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "parsing"


def load(name: str) -> list[dict[str, Any]]:
    with (FIXTURES / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ids(rows: list[dict[str, Any]], key: str) -> list[str]:
    return [f"{i}:{str(r.get(key, ''))[:40]}" for i, r in enumerate(rows)]
