"""One test of "written in Korean" for short texts, shared by the parser and the Slack surfaces."""

from __future__ import annotations

import pytest

from bot.parsing.text import has_hangul, language


@pytest.mark.parametrize(
    "text",
    ["파드가 안 떠요", "ㅠㅠ", "ㅋㅋ pod down", "\u1100\u1161"],  # syllables, compatibility jamo, conjoining jamo
)
def test_any_hangul_counts(text: str) -> None:
    assert has_hangul(text)


@pytest.mark.parametrize("text", ["", "pod is down", "ImagePullBackOff", "日本語のテキスト", "Ünïcödé"])
def test_no_hangul(text: str) -> None:
    assert not has_hangul(text)


def test_language_agrees_on_a_korean_request() -> None:
    assert language("파드 재시작 해주세요") == "ko"
    assert language("restart the pod") == "en"
