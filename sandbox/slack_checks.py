"""What real Slack refuses, as pure functions: Block Kit limits, tokens, required arguments.

Called by ``sandbox.slack_api`` before it records a message or a view, so a payload that
real Slack would refuse never shows up as delivered in the sandbox. ``SlackError`` carries the
refusal; ``decode_args`` parses the JSON-in-a-form-field arguments slack_sdk sends. Each problem
is worded the way Slack words it in ``response_metadata.messages``:
``[ERROR] <what> [json-pointer:/blocks/3]``. Messages with bad blocks get ``invalid_blocks``; views
get ``invalid_arguments``, which is what Slack answers for a bad view (seen in
https://github.com/imryche/blockkit/issues/105: ``'error': 'invalid_arguments', 'response_metadata':
{'messages': ['[ERROR] failed to match all allowed schemas [json-pointer:/view]', ...]}``).

Limits, from Slack's Block Kit reference:
  https://docs.slack.dev/reference/block-kit/blocks  (50 blocks per message, 100 per modal/Home tab)
  https://docs.slack.dev/reference/block-kit/blocks/section-block  (text 3000, 10 fields of 2000)
  https://docs.slack.dev/reference/block-kit/blocks/header-block  (plain_text, 150)
  https://api.slack.com/reference/block-kit/blocks#actions  (25 elements per actions block)
  https://docs.slack.dev/reference/block-kit/block-elements/button-element  (text 75, value 2000,
      action_id 255, url 3000)
  https://docs.slack.dev/reference/methods/chat.postMessage  (text over 40,000 chars: msg_too_long)
Slack itself rejects a duplicate action_id only inside one block; the sandbox is stricter on
purpose and refuses duplicates anywhere in one message, so a renderer never relies on that detail.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
MARKDOWN_TEXT = 12_000
ACTIONS_ELEMENTS = 25
CONTEXT_ELEMENTS = 10
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ACTION_ID = 255
BLOCK_ID = 255

JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")
BLOCK_TYPES = frozenset({"section", "divider", "header", "actions", "context", "image", "input", "rich_text",
                         "markdown", "file", "video", "table", "context_actions"})
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})


class SlackError(Exception):
    """A refusal in Slack's words; the stand-in answers ``{"ok": false, "error": code}``."""

    def __init__(self, code: str, messages: list[str] | None = None) -> None:
        super().__init__(code)
        self.code, self.messages = code, messages or []


def check_token(method: str, token: str | None) -> None:
    """Slack's token rules: bot/user tokens for the Web API, an app-level token to open a socket."""
    if not token:
        raise SlackError("not_authed")
    if method == "apps.connections.open":
        if not token.startswith("xapp-"):
            raise SlackError("invalid_auth")
    elif token.startswith("xapp-"):
        raise SlackError("not_allowed_token_type")
    elif not token.startswith("xox"):
        raise SlackError("invalid_auth")


def decode_args(args: dict, strict: bool = True) -> dict:
    """Parse JSON sent as a string (form-encoded ``blocks``, ``view``...); bad JSON is refused if strict."""
    decoded = dict(args)
    for name in JSON_ARGS:
        value = decoded.get(name)
        if isinstance(value, str):
            try:
                decoded[name] = json.loads(value)
            except ValueError:
                if strict:
                    code = "invalid_blocks_format" if name == "blocks" else "invalid_arguments"
                    raise SlackError(code) from None
    return decoded


def required(args: dict, *names: str) -> None:
    missing = [name for name in names if not args.get(name)]
    if missing:
        raise SlackError("invalid_arguments", [f"[ERROR] missing required field: {name}" for name in missing])


def truthy(value: Any) -> bool:
    """Slack's booleans arrive as true/false, "true"/"false" or "1"/"0"."""
    return value is True or str(value).lower() in ("1", "true")


def message_error(text: Any, blocks: Any, attachments: Any = None) -> tuple[str, list[str]] | None:
    """The Slack error code (and detail lines) for a chat message, or None if Slack would take it."""
    if not text and not blocks and not attachments:
        return "no_text", []
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        return "msg_too_long", []
    if blocks:
        problems = block_problems(blocks, max_blocks=MAX_MESSAGE_BLOCKS, pointer="/blocks")
        if problems:
            return "invalid_blocks", problems
    return None


def view_problems(view: Any) -> list[str]:
    """Problems with a modal or Home tab view; Slack answers these with ``invalid_arguments``."""
    if not isinstance(view, dict):
        return ["[ERROR] must provide an object [json-pointer:/view]"]
    problems: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        problems.append("[ERROR] failed to match all allowed schemas [json-pointer:/view/type]")
    if kind == "modal" and not _text_ok(view.get("title"), {"plain_text"}, 24):
        problems.append(_bad_text(24, "/view/title"))
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        problems.append("[ERROR] missing required field: blocks [json-pointer:/view]")
    else:
        problems += block_problems(blocks, max_blocks=MAX_VIEW_BLOCKS, pointer="/view/blocks")
    return problems


def block_problems(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Every limit a list of blocks breaks; empty when Slack would accept it."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must provide an array [json-pointer:{pointer}]"]
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(_too_many(max_blocks, pointer))
    seen_blocks: set[str] = set()
    seen_actions: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] missing required field: type [json-pointer:{where}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > BLOCK_ID:
                problems.append(_too_long(BLOCK_ID, f"{where}/block_id"))
            if block_id in seen_blocks:
                problems.append(f"[ERROR] duplicate block_id {block_id!r} [json-pointer:{where}/block_id]")
            seen_blocks.add(block_id)
        problems += _block(block, where, seen_actions)
    return problems


def _block(block: dict, where: str, seen_actions: set[str]) -> list[str]:
    kind = block["type"]
    if kind not in BLOCK_TYPES:
        return [f"[ERROR] unknown block type {kind!r} [json-pointer:{where}/type]"]
    if kind == "section":
        return _section(block, where, seen_actions)
    if kind == "header":
        if not _text_ok(block.get("text"), {"plain_text"}, HEADER_TEXT):
            return [_bad_text(HEADER_TEXT, f"{where}/text")]
        return []
    if kind == "markdown":
        text = block.get("text")
        if not isinstance(text, str) or len(text) > MARKDOWN_TEXT:
            return [_too_long(MARKDOWN_TEXT, f"{where}/text")]
        return []
    if kind == "actions":
        return _elements(block.get("elements"), ACTIONS_ELEMENTS, f"{where}/elements", seen_actions)
    if kind == "context":
        return _elements(block.get("elements"), CONTEXT_ELEMENTS, f"{where}/elements", seen_actions)
    return []


def _section(block: dict, where: str, seen_actions: set[str]) -> list[str]:
    problems: list[str] = []
    text, fields = block.get("text"), block.get("fields")
    if text is None and not fields:
        problems.append(f"[ERROR] must provide text or fields [json-pointer:{where}]")
    if text is not None and not _text_ok(text, TEXT_TYPES, SECTION_TEXT):
        problems.append(_bad_text(SECTION_TEXT, f"{where}/text"))
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > SECTION_FIELDS:
            problems.append(_too_many(SECTION_FIELDS, f"{where}/fields"))
        else:
            problems += [_bad_text(FIELD_TEXT, f"{where}/fields/{i}") for i, field in enumerate(fields)
                         if not _text_ok(field, TEXT_TYPES, FIELD_TEXT)]
    accessory = block.get("accessory")
    if accessory is not None:
        problems += _element(accessory, f"{where}/accessory", seen_actions)
    return problems


def _elements(elements: Any, limit: int, where: str, seen_actions: set[str]) -> list[str]:
    if not isinstance(elements, list) or not elements:
        return [f"[ERROR] must provide a non-empty array [json-pointer:{where}]"]
    problems = [] if len(elements) <= limit else [_too_many(limit, where)]
    for index, element in enumerate(elements):
        problems += _element(element, f"{where}/{index}", seen_actions)
    return problems


def _element(element: Any, where: str, seen_actions: set[str]) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [f"[ERROR] missing required field: type [json-pointer:{where}]"]
    if element["type"] in TEXT_TYPES:
        return [] if _text_ok(element, TEXT_TYPES, SECTION_TEXT) else [_bad_text(SECTION_TEXT, where)]
    problems: list[str] = []
    action_id = element.get("action_id")
    if action_id is not None:
        if len(str(action_id)) > ACTION_ID:
            problems.append(_too_long(ACTION_ID, f"{where}/action_id"))
        if action_id in seen_actions:
            problems.append(f"[ERROR] duplicate action_id {action_id!r} [json-pointer:{where}/action_id]")
        seen_actions.add(action_id)
    if element["type"] == "button":
        if not _text_ok(element.get("text"), {"plain_text"}, BUTTON_TEXT):
            problems.append(_bad_text(BUTTON_TEXT, f"{where}/text"))
        if len(str(element.get("value", ""))) > BUTTON_VALUE:
            problems.append(_too_long(BUTTON_VALUE, f"{where}/value"))
        if len(str(element.get("url", ""))) > BUTTON_URL:
            problems.append(_too_long(BUTTON_URL, f"{where}/url"))
    return problems


def _text_ok(obj: Any, kinds: set[str] | frozenset[str], limit: int) -> bool:
    return (isinstance(obj, dict) and obj.get("type") in kinds and isinstance(obj.get("text"), str)
            and 0 < len(obj["text"]) <= limit)


def _bad_text(limit: int, where: str) -> str:
    return f"[ERROR] must be a text object (type and 1 to {limit} characters) [json-pointer:{where}]"


def _too_long(limit: int, where: str) -> str:
    return f"[ERROR] must be less than {limit + 1} characters [json-pointer:{where}]"


def _too_many(limit: int, where: str) -> str:
    return f"[ERROR] no more than {limit} items allowed [json-pointer:{where}]"
