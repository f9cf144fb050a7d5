"""The Slack manifests and the code agree: every command, event and shortcut registered is declared, and
the reverse, in ``app.yaml`` (HTTP, ``chatops serve``) and ``app.socket.yaml`` (Socket Mode,
``chatops socket``) alike; the two differ only in the settings of their mode.

Manifest fields as Slack's app manifest reference defines them (https://api.slack.com/reference/manifests,
now https://docs.slack.dev/reference/app-manifest): ``settings.socket_mode_enabled`` turns Socket Mode on;
``settings.event_subscriptions.request_url``, ``settings.interactivity.request_url`` and
``features.slash_commands[].url`` are where Slack sends events, interactions and commands over HTTP, and
are not used in Socket Mode, where the app receives them over its WebSocket without a public request
URL (https://api.slack.com/apis/socket-mode).
"""

from __future__ import annotations

import copy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from bot.bootstrap import build
from bot.http import build_http_app
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
HTTP, SOCKET = "app.yaml", "app.socket.yaml"
EVENT_SUBSCRIPTIONS = {"message": {"message.channels", "message.groups", "message.im"}}
SHORTCUTS = ("shortcut", "global_shortcut", "message_shortcut")
# the settings that say how Slack reaches the bot; nothing else may differ between the two files
MODE_FIELDS = (
    ("settings", "socket_mode_enabled"),
    ("settings", "event_subscriptions", "request_url"),
    ("settings", "interactivity", "request_url"),
)


def _manifest(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registered(tmp_path_factory):
    """Commands, events and shortcut callback ids the Bolt app registers, the number of interaction
    listeners, and the paths the HTTP app serves."""
    bot = build(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('m') / 'm.db'}"))
    found: dict[str, set[str]] = {"command": set(), "event": set(), "shortcut": set()}
    actions = 0
    for listener in bot.app._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            closure = (
                {c.cell_contents for c in (func.__closure__ or ()) if isinstance(c.cell_contents, str)}
                if func
                else set()
            )
            kind = getattr(func, "__qualname__", "").split(".")[0]
            if kind in ("command", "event"):
                found[kind] |= closure
            elif kind in SHORTCUTS:
                found["shortcut"] |= closure
            elif kind in ("action", "block_action", "view", "view_submission"):
                actions += 1
    paths = {route.path for route in build_http_app(bot).routes}
    bot.engine.dispose()
    return found, actions, paths


def _urls(tree: object, where: str = "") -> dict[str, str]:
    """Every ``*url`` value in the manifest, by where it is."""
    out: dict[str, str] = {}
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key.endswith("url") and isinstance(value, str):
                out[f"{where}.{key}"] = value
            out.update(_urls(value, f"{where}.{key}"))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            out.update(_urls(value, f"{where}[{i}]"))
    return out


def _without_mode(manifest: dict) -> dict:
    """The manifest with the settings of its mode taken out."""
    rest = copy.deepcopy(manifest)
    for path in MODE_FIELDS:
        node = rest
        for key in path[:-1]:
            node = node.get(key, {})
        node.pop(path[-1], None)
    for command in rest.get("features", {}).get("slash_commands", []):
        command.pop("url", None)
    return rest


@pytest.mark.parametrize("name", [HTTP, SOCKET])
def test_manifest_matches_registered_listeners(name, registered):
    manifest = _manifest(name)
    found, actions, _paths = registered
    declared_commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert found["command"] == declared_commands
    declared_events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    needed = set()
    for event in found["event"]:
        needed |= EVENT_SUBSCRIPTIONS.get(event, {event})
    assert needed == declared_events
    assert found["shortcut"] == {s["callback_id"] for s in manifest["features"].get("shortcuts", [])}
    assert actions > 0 and manifest["settings"]["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "usergroups:read", "files:write"} <= scopes


@pytest.mark.parametrize("name", [HTTP, SOCKET])
def test_each_manifest_names_its_mode_command_and_this_test(name):
    header = [line for line in (ROOT / name).read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    text = " ".join(header)
    command = "chatops serve" if name == HTTP else "chatops socket"
    mode = "mode: http" if name == HTTP else "mode: socket"
    other = SOCKET if name == HTTP else HTTP
    assert command in text and mode in text and other in text
    here = Path(__file__).resolve().relative_to(ROOT).as_posix()
    assert here in text


def test_the_http_manifest_sends_everything_to_the_route_the_bot_serves(registered):
    manifest = _manifest(HTTP)
    _found, _actions, paths = registered
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    urls = _urls(manifest)
    # events, interactivity and every slash command have their request URL
    assert set(urls) == {".settings.event_subscriptions.request_url", ".settings.interactivity.request_url"} | {
        f".features.slash_commands[{i}].url" for i in range(len(manifest["features"]["slash_commands"]))
    }
    for where, url in urls.items():
        parts = urlsplit(url)
        assert parts.scheme == "https" and parts.netloc, where
        assert parts.path in paths and parts.path == "/slack/events", where
    assert len(set(urls.values())) == 1  # one host, one path: whatever replaces the example replaces all


def test_the_socket_manifest_turns_socket_mode_on_and_names_no_url():
    manifest = _manifest(SOCKET)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert _urls(manifest) == {}


def test_the_two_manifests_differ_only_in_their_mode():
    http, socket = _manifest(HTTP), _manifest(SOCKET)
    assert _without_mode(http) == _without_mode(socket)
    # the same commands, events, scopes and shortcuts, said once more field by field for a clear failure
    for get in (
        lambda m: [c["command"] for c in m["features"]["slash_commands"]],
        lambda m: m["settings"]["event_subscriptions"]["bot_events"],
        lambda m: m["oauth_config"]["scopes"]["bot"],
        lambda m: m["features"].get("shortcuts", []),
    ):
        assert get(http) == get(socket)
    assert http["settings"]["socket_mode_enabled"] != socket["settings"]["socket_mode_enabled"]
