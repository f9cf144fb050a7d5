"""What real Slack refuses, as pure functions: Block Kit limits, tokens, required arguments.

Called by ``sandbox.slack_api`` before it records a message or a view, so a payload that
real Slack would refuse never shows up as delivered in the sandbox. ``SlackError`` carries the
refusal; ``decode_args`` parses the JSON-in-a-form-field arguments slack_sdk sends. Each problem
is worded the way Slack words it in ``response_metadata.messages``:
``[ERROR] <what> [json-pointer:/blocks/3]``. Messages with bad blocks get ``invalid_blocks``; views
get ``invalid_arguments``, which is what Slack answers for a bad view (seen in
https://github.com/imryche/blockkit/issues/105: ``'error': 'invalid_arguments', 'response_metadata':
{'messages': ['[ERROR] failed to match all allowed schemas [json-pointer:/view]', ...]}``).

Each block is checked by slack_sdk's own Block Kit models (``slack_sdk.models.blocks.Block.parse``,
then ``to_dict()``, which runs every ``validate_json()`` of the tree: section text 3000, 10 fields,
header 150, markdown 12,000, 25 actions elements, 10 context elements, button text 75 / value 2000
/ url 3000, confirm text 300, block_id 255, action_id 255, unknown block types) and views by
``slack_sdk.models.views.View`` (title 24, 1 to 100 blocks). Only what those models leave out is
kept here, each from Slack's reference:
  https://docs.slack.dev/reference/block-kit/blocks  (50 blocks per message)
  https://docs.slack.dev/reference/block-kit/blocks/section-block  (text at least 1 character;
      each field at most 2000)
  https://docs.slack.dev/reference/block-kit/blocks/header-block  (text is a plain_text object)
  https://docs.slack.dev/reference/block-kit/block-elements/button-element  (text is plain_text)
  https://docs.slack.dev/reference/block-kit/composition-objects/text-object  (1 to 3000 characters)
  https://docs.slack.dev/reference/methods/chat.postMessage  (no_text; text over 40,000: msg_too_long)
  msg_blocks_too_long: not documented. Reported by users at about 13,200 characters of text across
      a message's blocks (https://github.com/slackapi/bolt-js/issues/2509: "the exact character
      limit is at 13297 characters" with markdown blocks; https://github.com/slackapi/bolt-js/issues/2867:
      refused at 11,341 counted characters of rich_text/section/header). The stand-in refuses above
      ``MAX_BLOCKS_TEXT``, summing every ``text`` string in the blocks.
Slack itself rejects a duplicate action_id only inside one block; the sandbox is stricter on
purpose and refuses duplicates anywhere in one message, so a renderer never relies on that detail.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_BLOCKS_TEXT = 13_000
SECTION_TEXT = 3000
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75

JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")
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


def decode_args(args: dict, *, strict: bool = True) -> dict:
    """Parse JSON sent as a string (form-encoded ``blocks``, ``view``...); bad JSON is refused if strict."""
    decoded = dict(args)
    for name in JSON_ARGS:
        value = decoded.get(name)
        if isinstance(value, str):
            try:
                decoded[name] = json.loads(value)
            except ValueError:
                if strict:
                    code = {"blocks": "invalid_blocks_format", "metadata": "invalid_metadata_format"}.get(
                        name, "invalid_arguments"
                    )
                    raise SlackError(code) from None
    return decoded


def required(args: dict, *names: str) -> None:
    missing = [name for name in names if not args.get(name)]
    if missing:
        raise SlackError("invalid_arguments", [f"[ERROR] missing required field: {name}" for name in missing])


def metadata_error(metadata: Any) -> str | None:
    """chat.postMessage's ``metadata``: an object with a string ``event_type`` and an object
    ``event_payload`` (https://docs.slack.dev/messaging/message-metadata), else Slack's
    ``invalid_metadata_schema``."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str):
        return "invalid_metadata_schema"
    if not metadata["event_type"] or not isinstance(metadata.get("event_payload"), dict):
        return "invalid_metadata_schema"
    return None


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
        if block_text_length(blocks) > MAX_BLOCKS_TEXT:
            return "msg_blocks_too_long", []
    return None


def block_text_length(value: Any) -> int:
    """Every ``text`` string in a block tree, added up (what the cumulative limit is reported to count)."""
    if isinstance(value, list):
        return sum(block_text_length(v) for v in value)
    if isinstance(value, dict):
        own = len(value["text"]) if isinstance(value.get("text"), str) else 0
        return own + sum(block_text_length(v) for k, v in value.items() if isinstance(v, (dict, list)))
    return 0


def view_problems(view: Any) -> list[str]:
    """Problems with a modal or Home tab view; Slack answers these with ``invalid_arguments``.

    The view's own limits (type, title 1..24, 1..100 blocks, private_metadata...) are slack_sdk's
    ``View`` validators; its blocks go through ``block_problems`` like a message's.
    """
    if not isinstance(view, dict):
        return ["[ERROR] must provide an object [json-pointer:/view]"]
    problems: list[str] = []
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return ["[ERROR] missing required field: blocks [json-pointer:/view]"]
    try:
        View(**{k: v for k, v in view.items() if k != "blocks"}, blocks=[]).validate_json()
    except SlackObjectFormationError as exc:
        if "blocks" not in str(exc):  # the blocks are checked below, each against its own model
            problems.append(f"[ERROR] {exc} [json-pointer:/view]")
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        problems.append(f"[ERROR] {exc} [json-pointer:/view]")
    if view.get("type") == "modal" and not _text_ok(view.get("title"), {"plain_text"}, 24):
        problems.append(_bad_text(24, "/view/title"))
    return problems + block_problems(blocks, max_blocks=MAX_VIEW_BLOCKS, pointer="/view/blocks")


def block_problems(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Every limit a list of blocks breaks; empty when Slack would accept it.

    Each block is parsed with slack_sdk's models (``Block.parse``) and validated with ``to_dict()``,
    which runs ``validate_json()`` on the block and on every element and text object inside it: an
    unknown type, a text over its length limit, too many elements or fields are refused there. What
    those models leave out is checked here (see the module docstring).
    """
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
        problems += _sdk_problems(block, where)
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_blocks:
                problems.append(f"[ERROR] duplicate block_id {block_id!r} [json-pointer:{where}/block_id]")
            seen_blocks.add(block_id)
        problems += _block(block, where, seen_actions)
    return problems


def _sdk_problems(block: dict, where: str) -> list[str]:
    """What slack_sdk's model of this block refuses (``Block.parse`` is None for a type it does not know)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = Block.parse(dict(block))
            if parsed is None:
                return [f"[ERROR] unknown block type {block['type']!r} [json-pointer:{where}/type]"]
            parsed.to_dict()
    except SlackObjectFormationError as exc:
        return [f"[ERROR] {exc} [json-pointer:{where}]"]
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a shape the model cannot even build
        return [f"[ERROR] {type(exc).__name__}: {exc} [json-pointer:{where}]"]
    return []


def _block(block: dict, where: str, seen_actions: set[str]) -> list[str]:
    """The rules slack_sdk's models do not check, each from Slack's block reference."""
    kind = block["type"]
    if kind == "section":
        return _section(block, where, seen_actions)
    if kind == "header":
        # header-block: "text: the text for the block, in the form of a plain_text text object"
        if not _text_ok(block.get("text"), {"plain_text"}):
            return [_bad_text(HEADER_TEXT, f"{where}/text")]
        return []
    if kind in ("actions", "context"):
        return _elements(block.get("elements"), f"{where}/elements", seen_actions)
    return []


def _section(block: dict, where: str, seen_actions: set[str]) -> list[str]:
    # section-block: text "minimum length ... is 1"; fields "maximum length for the text in each item
    # is 2000" (slack_sdk checks the 3000 of text and the 10 fields, neither of these)
    problems: list[str] = []
    text, fields = block.get("text"), block.get("fields")
    if text is not None and not _text_ok(text, TEXT_TYPES):
        problems.append(_bad_text(SECTION_TEXT, f"{where}/text"))
    if isinstance(fields, list):
        problems += [
            _bad_text(FIELD_TEXT, f"{where}/fields/{i}")
            for i, field in enumerate(fields)
            if not _text_ok(field, TEXT_TYPES, FIELD_TEXT)
        ]
    accessory = block.get("accessory")
    if accessory is not None:
        problems += _element(accessory, f"{where}/accessory", seen_actions)
    return problems


def _elements(elements: Any, where: str, seen_actions: set[str]) -> list[str]:
    # actions-block and context-block: "elements: an array of ..." (required; slack_sdk lets [] through)
    if not isinstance(elements, list) or not elements:
        return [f"[ERROR] must provide a non-empty array [json-pointer:{where}]"]
    problems: list[str] = []
    for index, element in enumerate(elements):
        problems += _element(element, f"{where}/{index}", seen_actions)
    return problems


def _element(element: Any, where: str, seen_actions: set[str]) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [f"[ERROR] missing required field: type [json-pointer:{where}]"]
    if element["type"] in TEXT_TYPES:
        # text-object: "text ... minimum length 1 and maximum 3000" (slack_sdk: neither in a context)
        return [] if _text_ok(element, TEXT_TYPES, SECTION_TEXT) else [_bad_text(SECTION_TEXT, where)]
    problems: list[str] = []
    action_id = element.get("action_id")
    if action_id is not None:
        if action_id in seen_actions:
            problems.append(f"[ERROR] duplicate action_id {action_id!r} [json-pointer:{where}/action_id]")
        seen_actions.add(action_id)
    if element["type"] == "button" and not _text_ok(element.get("text"), {"plain_text"}):
        # button-element: "text: a text object that defines the button's text. Can only be of type: plain_text"
        problems.append(_bad_text(BUTTON_TEXT, f"{where}/text"))
    return problems


def _text_ok(obj: Any, kinds: set[str] | frozenset[str], limit: int | None = None) -> bool:
    """A text object of one of ``kinds`` with 1 to ``limit`` characters (no upper bound checked when
    slack_sdk's model already checks it)."""
    return (
        isinstance(obj, dict)
        and obj.get("type") in kinds
        and isinstance(obj.get("text"), str)
        and 0 < len(obj["text"]) <= (limit or len(obj["text"]))
    )


def _bad_text(limit: int, where: str) -> str:
    return f"[ERROR] must be a text object (type and 1 to {limit} characters) [json-pointer:{where}]"


def _too_many(limit: int, where: str) -> str:
    return f"[ERROR] no more than {limit} items allowed [json-pointer:{where}]"
