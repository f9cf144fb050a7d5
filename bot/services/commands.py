"""Parsing ``/ops`` text into a command, and the help text built from the registry.

Pure: the slash-command listener calls ``parse_command`` on the ack path. Unknown or malformed
arguments raise ``UsageError`` naming what was wrong; free text after ``/ops`` falls back to the
same free-text parser the message listeners use.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain import Msg
from bot.errors import UsageError
from bot.korean import josa
from bot.parsing import language_of
from bot.parsing.suggest import did_you_mean
from bot.services.policy import BUTTON_HELP, Action, command_action, who_label
from bot.services.reading import parse
from handlers import registry

MAX_TEXT = 4000
BUILTINS: tuple[tuple[str, Msg], ...] = (
    ("help", Msg("Show this help.", "이 도움말을 보여줍니다.")),
    ("audit [N]", Msg("Show the latest N audit rows (default 20).", "최근 감사 로그 N건 (기본 20).")),
)


@dataclass(frozen=True)
class Command:
    kind: str  # "help" | "audit" | "request" | a builtin registered by a feature (e.g. "report")
    lang: str = "en"
    intent: str = ""
    entities: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    cluster: str = ""
    aws_error: dict[str, str] | None = None
    image_pull: dict[str, str] | None = None


_SHLEX_SPECIAL = frozenset("'\"\\")
_SHLEX_WHITESPACE = re.compile(r"[ \t\r\n]+")  # what shlex.split separates words on


def _split(text: str) -> list[str]:
    if _SHLEX_SPECIAL.isdisjoint(text):  # no quotes, no escapes: shlex would only split on whitespace
        return [word for word in _SHLEX_WHITESPACE.split(text) if word]
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise UsageError(
            f"could not read the arguments ({exc}); check the quotes.",
            f"인자를 읽을 수 없습니다 ({exc}). 따옴표를 확인하세요.",
        ) from exc


def _take_cluster(args: list[str]) -> tuple[list[str], str]:
    out, cluster, i = [], "", 0
    while i < len(args):
        a = args[i]
        if a == "--cluster":
            if i + 1 >= len(args):
                raise UsageError("--cluster needs a cluster name.", "--cluster 뒤에 클러스터 이름이 필요합니다.")
            cluster, i = args[i + 1], i + 2
            continue
        if a.startswith("cluster=") or a.startswith("--cluster="):
            cluster = a.split("=", 1)[1]
        else:
            out.append(a)
        i += 1
    return out, cluster


def parse_command(text: str, builtin_names: frozenset[str] = frozenset()) -> Command:
    text = (text or "").replace("\x00", "").strip()
    if len(text) > MAX_TEXT:
        raise UsageError(
            f"that is {len(text)} characters; keep a command under {MAX_TEXT}.",
            f"{len(text)}자입니다. 명령은 {MAX_TEXT}자 이내로 입력하세요.",
        )
    # The free-text parser runs only when the text is not a command: a command needs just the language,
    # and this runs in the ack, while Slack waits.
    lang = language_of(text) if text else "en"
    if not text or text.lower() in ("help", "도움말", "-h", "--help"):
        return Command("help", lang)
    args, cluster = _take_cluster(_split(text))
    if not args:
        raise UsageError("no command given; try `help`.", "명령이 없습니다. `help` 를 입력해 보세요.")
    head, rest = args[0].lower(), args[1:]
    if head == "audit":
        if len(rest) > 1 or (rest and not rest[0].isdigit()):
            raise UsageError("usage: audit [N] (N a number from 1 to 200).", "사용법: audit [N] (N은 1~200).")
        return Command("audit", lang, args=tuple(rest))
    if head in builtin_names:
        return Command(head, lang, args=tuple(rest), cluster=cluster)
    command = _diagnoser_command(text, args, cluster, lang)
    if command is not None:
        return command
    fallback = _free_text(text, args, cluster)
    if fallback is not None:
        return fallback
    raise _unknown_command(head, builtin_names)


def _diagnoser_command(text: str, args: list[str], cluster: str, lang: str) -> Command | None:
    """The request for the diagnoser command ``args`` starts with, or None when no diagnoser has that command."""
    head, rest = args[0].lower(), args[1:]
    for _diagnoser, spec in registry.commands():
        if spec.name == head:
            try:
                entities = spec.parse(rest)
            except UsageError:  # "rds portal 밤 9시에 꺼줘": a command word, then free text
                # Free text wins only when it names something the command's arguments could not
                # (a database and its times); "restart cloudon" gets the usage line, which says what
                # the command needs, rather than a request with nothing to act on.
                fallback = _free_text(text, args, cluster)
                if fallback is None or not fallback.entities:
                    raise
                return fallback
            intent = entities.pop("_intent", spec.intent)
            return Command("request", lang, intent, entities, tuple(rest), cluster)
    return None


def _unknown_command(head: str, builtin_names: frozenset[str]) -> UsageError:
    """The error for a command word nothing knows, with the nearest known command when one is close."""
    known = ("help", "audit", *builtin_names, *(spec.name for _d, spec in registry.commands()))
    meant = did_you_mean(head, known)
    hint_en, hint_ko = (
        (f" did you mean `{meant}`?", f" `{meant}` {josa(meant, '을')} 입력하려던 건가요?") if meant else ("", "")
    )
    return UsageError(
        f"unknown command `{head[:40]}`;{hint_en} try `help`.",
        f"알 수 없는 명령 `{head[:40]}`.{hint_ko} `help` 를 입력해 보세요.",
    )


def _free_text(text: str, args: list[str], cluster: str) -> Command | None:
    """The request the free-text parser reads in ``text`` (intent "other", which asks, when it is unsure),
    or None when it reads no request at all."""
    parsed = parse(text)
    if parsed.intent in ("other", "help"):
        return None
    ents = dict(parsed.entities)
    intent = parsed.intent if parsed.confident else "other"
    return Command(
        "request",
        parsed.language,
        intent,
        ents,
        tuple(args),
        cluster or ents.pop("cluster", ""),
        parsed.aws_error,
        parsed.image_pull,
    )


def help_lines(command: str = "/ops", extra: Sequence[tuple[str, Msg]] = ()) -> list[tuple[str, Msg]]:
    """(usage, description) for every built-in and every diagnoser command, from the code itself."""
    lines = [(f"{command} {usage}", desc) for usage, desc in (*BUILTINS, *extra)]
    for _diagnoser, spec in registry.commands():
        lines.append((f"{command} {spec.usage}", spec.help))
    return lines


def help_text(lang: str, command: str = "/ops", extra: Sequence[tuple[str, Msg]] = ()) -> str:
    """Every command with who may use it (from ``bot.services.policy.POLICY``), then the buttons."""
    head = Msg(
        "*What I can do* (or just describe the problem in English or Korean):",
        "*할 수 있는 일* (또는 문제를 한국어나 영어로 그냥 적어 주세요):",
    )(lang)
    who = Msg("who", "사용 가능")(lang)
    lines = []
    for usage, desc in help_lines(command, extra):
        may = who_label(command_action(usage.removeprefix(command).strip()))(lang)
        lines.append(f"• `{usage}` — {desc(lang)} _({who}: {may})_")
    lines.append(f"• `--cluster NAME` / `cluster=NAME` — _({who}: {who_label(Action.CLUSTER_OVERRIDE)(lang)})_")
    buttons = (
        Msg("*Buttons*", "*버튼*")(lang)
        + "\n"
        + "\n".join(f"• {name(lang)} — {who_label(action)(lang)}" for name, action in BUTTON_HELP)
    )
    return head + "\n" + "\n".join(lines) + "\n" + buttons
