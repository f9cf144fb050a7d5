"""The README's configuration table lists exactly the settings the code reads, with their defaults."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings, describe
from handlers import registry

README = Path(__file__).resolve().parents[2] / "README.md"


def test_configuration_table_matches_settings():
    rows = {}
    for line in README.read_text().splitlines():
        m = re.match(r"^\| `([A-Z_]+)` \|([^|]*)\| (.*) \|$", line)
        if m:
            rows[m.group(1)] = (m.group(2).strip().strip("`"), m.group(3).strip())
    rows_of = [Settings.describe(), *(describe(f.settings) for f in registry.FEATURES if f.settings is not None)]
    expected = {name: (default, meaning) for rows_of_one in rows_of for name, default, meaning in rows_of_one}
    assert set(rows) == set(expected)
    for name, (default, meaning) in expected.items():
        assert rows[name] == (default, meaning), name


def test_readme_gives_the_two_commands():
    text = README.read_text()
    assert "make demo" in text and "make test" in text
