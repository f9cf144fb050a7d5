"""Text clean-up before parsing: Slack markup, escapes, code fences, junk; and language detection.

Called by ``bot.parsing.parse`` only. Pure and fast: every regular expression is compiled once
at import, and the input is capped at ``MAX_CHARS`` so a 10 MB paste costs the same as 20 KB.
"""

from __future__ import annotations

import re

MAX_CHARS = 20_000

# Slack control sequences: <@U123>, <@U123|name>, <!here>, <#C123|chan>, <http://x|label>, <http://x>.
_SLACK_TOKEN = re.compile(r"<([@#!])([^<>|\s]*)(?:\|([^<>]*))?>|<((?:https?|mailto):[^<>|\s]*)(?:\|([^<>]*))?>")
# C0 controls except tab/newline, DEL and C1 controls, zero-width characters.
_JUNK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_FENCE = re.compile(r"```|`")
# Hangul as people type it: syllables, conjoining jamo, and the compatibility jamo of "ㅋㅋ" or "ㅠㅠ".
HANGUL_CHARS = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
_HANGUL = re.compile(f"[{HANGUL_CHARS}]+")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _slack_token(m: re.Match[str]) -> str:
    sigil, target, label, url, url_label = m.groups()
    if url is not None:
        return url_label if url_label else url
    if sigil == "#":
        return f"#{label or target}"
    return " "  # mentions (<@U..>) and broadcasts (<!here>) carry no meaning for the parser


def clean(text: str) -> str:
    """Slack message text as a human would read it, capped at ``MAX_CHARS``.

    Mentions are dropped, links become their label, ``&lt; &gt; &amp;`` are unescaped, code
    fences and backticks are removed, JSON-escaped quotes and newlines inside pasted log lines
    (``\\"``, ``\\n``, ``\\t``) become real ones, and control characters vanish.
    """
    if not isinstance(text, str):
        text = str(text)
    text = text[:MAX_CHARS]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a bad decode: make the text printable
        text = text.encode("utf-8", "replace").decode("utf-8")
    if "<" in text:
        text = _SLACK_TOKEN.sub(_slack_token, text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if "`" in text:
        text = _FENCE.sub(" ", text)
    if "\\" in text:
        text = text.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t")
    return _JUNK.sub(" ", text)


def has_hangul(text: str) -> bool:
    """True when ``text`` contains any Hangul: the one test of "written in Korean" for short texts."""
    return _HANGUL.search(text) is not None


def language(text: str) -> str:
    """``"ko"`` when Hangul is a meaningful share of the words, else ``"en"``.

    Words, not characters, are counted: one Hangul syllable carries as much as several Latin
    letters. Three Hangul words make a message Korean even with a long English log pasted
    after them (the person wrote in Korean); otherwise a fifth of the words must be Hangul.
    """
    sample = text[:4000]
    ko = len(_HANGUL.findall(sample))
    if ko == 0:
        return "en"
    if ko >= 3:
        return "ko"
    en = len(_LATIN_WORD.findall(sample))
    return "ko" if ko * 5 >= ko + en else "en"
