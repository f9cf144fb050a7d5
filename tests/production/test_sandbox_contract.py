"""The sandbox's import contract names every part of the bot except its entry points, so a new
module of the bot is forbidden to the sandbox until someone decides otherwise."""

from __future__ import annotations

import tomllib

from tests.production.source_scan import ROOT

ENTRY_POINTS = {"bot.bootstrap", "bot.settings", "bot.cli", "bot.__init__"}


def test_every_module_of_the_bot_but_its_entry_points_is_forbidden_to_the_sandbox():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c.get("source_modules") == ["sandbox"]]
    forbidden = set(contract["forbidden_modules"])
    parts = {
        f"bot.{p.stem if p.is_file() else p.name}"
        for p in (ROOT / "bot").iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").is_file())
    }
    assert "handlers" in forbidden
    assert parts - ENTRY_POINTS - forbidden == set()
    assert not contract.get("ignore_imports")
