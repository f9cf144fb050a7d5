"""``parse_command``'s shortcuts on the ack path give what the full parsers give.

Commands skip the free-text parser (only its language is needed) and texts without quotes or
escapes skip ``shlex``; both shortcuts must be invisible in the result.
"""

from __future__ import annotations

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing import language_of
from bot.services.commands import _split, parse_command
from bot.services.reading import parse

WORDS = st.sampled_from(
    [
        "pods",
        "-A",
        "ingress",
        "web/api",
        "파드",
        "상태",
        "확인",
        "--cluster",
        "prod",
        "cluster=stg",
        "#",
        ";",
        "|",
        "*",
        "\u3000",
        "\x0b",
        "\t",
        "\n",
        "\r",
        " ",
        "",
        "가나",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=8).map("".join))
def test_split_without_quotes_is_shlex_split(text: str) -> None:
    assert _split(text) == shlex.split(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=8).map(" ".join))
def test_language_of_is_the_parsers_language(text: str) -> None:
    assert language_of(text) == parse(text).language


def test_command_language_and_free_text_fallback() -> None:
    assert parse_command("pods -A").lang == "en"
    assert parse_command("도움말").lang == "ko"
    korean = parse_command("kube-system 네임스페이스 파드 상태 확인해 주세요")
    assert (korean.kind, korean.lang) == ("request", "ko")
    assert korean.intent == parse("kube-system 네임스페이스 파드 상태 확인해 주세요").intent
    free = parse_command("why is ingress web/api stuck deleting")
    assert (free.kind, free.intent, free.lang) == ("request", "ingress_delete_denied", "en")
    assert free.entities == dict(parse("why is ingress web/api stuck deleting").entities)
    assert parse_command('pods "kube-system"').entities == {"namespace": "kube-system"}  # shlex reads quotes
