"""The Slack manifest and the code agree: every command and event registered is declared, and the reverse."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.bootstrap import build
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EVENT_SUBSCRIPTIONS = {"message": {"message.channels", "message.groups", "message.im"}}


def _registered(tmp_path):
    bot = build(Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    commands, events, actions = set(), set(), 0
    for listener in bot.app._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            closure = {c.cell_contents for c in (func.__closure__ or ()) if isinstance(c.cell_contents, str)} \
                if func else set()
            kind = getattr(func, "__qualname__", "").split(".")[0]
            if kind == "command":
                commands |= closure
            elif kind == "event":
                events |= closure
            elif kind in ("action", "block_action", "view", "view_submission"):
                actions += 1
    bot.engine.dispose()
    return commands, events, actions


def test_manifest_matches_registered_listeners(tmp_path):
    manifest = yaml.safe_load((ROOT / "app.yaml").read_text())
    commands, events, actions = _registered(tmp_path)
    declared_commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == declared_commands
    declared_events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    needed = set()
    for event in events:
        needed |= EVENT_SUBSCRIPTIONS.get(event, {event})
    assert needed == declared_events
    assert actions > 0 and manifest["settings"]["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "usergroups:read", "files:write"} <= scopes
