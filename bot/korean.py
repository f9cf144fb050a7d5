"""Korean particles (조사) that agree with the word before them: ``portal은``, ``rds-1을``, ``api는``.

Seven particles change with the last sound of the word they follow; ``josa(word, "은")`` gives the
form for ``word`` and ``attach(word, "은")`` the word with it. Either form of a pair names it, and
what follows the pair is kept (``"으로는"``, ``"라는"``):

=========  ==================  ===============  ==========================================
pair       after a consonant   after a vowel    source (국립국어원 표준국어대사전, 조사)
=========  ==================  ===============  ==========================================
은/는      은                  는               '은', '는'
이/가      이                  가               '이', '가'
을/를      을                  를               '을', '를'
과/와      과                  와               '과', '와'
으로/로    으로                로 (also ㄹ)     '으로': "'ㄹ'을 제외한 받침 있는 체언 뒤에"
이나/나    이나                나               '이나', '나'
아/야      아                  야               '아', '야'
이라/라    이라                라               '이라', '라' (서술격 조사 '이다'의 활용형)
=========  ==================  ===============  ==========================================

So 으로/로 is the one pair where ㄹ counts as a vowel: ``portal로``, ``집으로``.

What "the last sound" is, for the text the bot interpolates (names of databases, clusters, pods):

- Hangul: the syllable's final consonant (Unicode Hangul syllables: (code - 0xAC00) % 28).
- Digits are read as Sino-Korean numbers: ``rds-1`` ends in 일 (ㄹ), ``#3`` in 삼 (ㅁ), ``10`` in
  십 (ㅂ), ``100`` in 백 (ㄱ), ``1000`` in 천 (ㄴ), ``20000`` in 만 (ㄴ); a number after a decimal
  point, or a digit string longer than 12 or with a leading zero, is read digit by digit.
- An upper-case run of two or more letters, a single letter, or a run without a vowel letter is
  spelled out with the letters' Korean names (에이, 비, 씨, ... 엘, 엠, 엔, 알, ...): ``EKS`` ends in
  에스, ``IAM`` in 엠 (ㅁ), ``zz81m`` in 엠.
- Other Latin words are read as the Korean loanword orthography (외래어 표기법, 문화체육관광부 고시
  제2017-14호, 제3장 제1절 영어의 표기) writes them: final [m], [n], [ŋ] become ㅁ, ㄴ, ㅇ (제5항),
  final [l] ㄹ (제6항); a final p, t, k after a short vowel becomes the final ㅂ, ㅅ, ㄱ (제1항:
  book 북, cat 캣); other final consonants take 으 and end in a vowel (제1항 3, 제2항, 제3항:
  cloud 클라우드, mask 마스크). So ``portal`` ends in ㄹ, ``staging`` in ㅇ, ``subnet`` in ㅅ,
  ``prod`` and ``controller`` in a vowel. In CamelCase the last word counts (``ReplicaSet``: 셋).
- Trailing punctuation, quotes, mrkdwn markers and a closing parenthetical are skipped
  (``portal (aurora-mysql)`` agrees with ``portal``); Slack links agree with their label.

Templates filled with ``str.format`` name the particle as the field's format: ``fill("{id:는} 멤버입니다",
id="portal-rds-1")`` gives ``portal-rds-1은 멤버입니다`` (``Msg.format`` and ``bot.mrkdwn.markup`` fill
their Korean side this way).

When nothing readable is left (``<@U123>``, an empty string) both forms are shown: ``은(는)``,
``(으)로``, as Korean software conventionally does.

``attach`` puts the particle straight after the word, except after a closing mrkdwn marker
(`` ` * _ ~``), where it leaves one space: Slack ends a code span or bold only before a space or
punctuation, so ```portal`은`` would show the backticks (seratch/ChatGPT-in-Slack pull 121 adds
that space for the same reason).
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Any

# (form after a consonant, form after a vowel); 으로/로 also takes 로 after ㄹ (see ``josa``)
_PAIRS: tuple[tuple[str, str], ...] = (
    ("이라", "라"),
    ("이나", "나"),
    ("으로", "로"),
    ("은", "는"),
    ("이", "가"),
    ("을", "를"),
    ("과", "와"),
    ("아", "야"),
)
# longest first, so "이나" is not read as "이" + "나"
_FORMS = sorted(((form, pair) for pair in _PAIRS for form in pair), key=lambda f: -len(f[0]))

# final consonants of Hangul syllables, by (code - 0xAC00) % 28
_CODAS = (
    "",
    "ㄱ",
    "ㄲ",
    "ㄳ",
    "ㄴ",
    "ㄵ",
    "ㄶ",
    "ㄷ",
    "ㄹ",
    "ㄺ",
    "ㄻ",
    "ㄼ",
    "ㄽ",
    "ㄾ",
    "ㄿ",
    "ㅀ",
    "ㅁ",
    "ㅂ",
    "ㅄ",
    "ㅅ",
    "ㅆ",
    "ㅇ",
    "ㅈ",
    "ㅊ",
    "ㅋ",
    "ㅌ",
    "ㅍ",
    "ㅎ",
)
# how Korean speakers name the Latin letters; only the final consonant matters here
_LETTER_CODA = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "ㄹ"}  # 엘 엠 엔 알; every other name ends in a vowel
# Sino-Korean digits: 영 일 이 삼 사 오 육 칠 팔 구
_DIGIT_CODA = ("ㅇ", "ㄹ", "", "ㅁ", "", "", "ㄱ", "ㄹ", "ㄹ", "")
# trailing zeros → the unit that ends the number: 십 백 천 만 (up to 천만) 억 (up to 천억)
_ZEROS_CODA = {1: "ㅂ", 2: "ㄱ", 3: "ㄴ", 4: "ㄴ", 5: "ㄴ", 6: "ㄴ", 7: "ㄴ", 8: "ㄱ", 9: "ㄱ", 10: "ㄱ", 11: "ㄱ"}
_VOWELS = set("aeiouy")
_MARKERS = "`*_~"
_SLACK_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>$")
_PAREN = re.compile(r"\s*\([^()]*\)$")
_TRAILING = re.compile(r"\d+(\.\d+)?$|[A-Za-z]+$")


def _strip(word: str) -> str:
    """The readable end of ``word``: no trailing punctuation, markers, parenthetical or link markup."""
    text = word.strip()
    while text:
        link = _SLACK_LINK.search(text)
        if link:
            label = link.group(2)
            if label is None:  # <@U123>, <!here>, <#C123>: no name to read
                return ""
            text = text[: link.start()] + label
            continue
        paren = _PAREN.search(text)
        if paren and paren.start() > 0:
            text = text[: paren.start()]
            continue
        last = text[-1]
        if (last.isascii() and last.isalnum()) or _hangul(last):
            return text
        if unicodedata.category(last)[0] not in "PSZ":  # another script: not ours to read
            return ""
        text = text[:-1].rstrip()
    return ""


def _hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def _number_coda(digits: str, *, fraction: bool) -> str:
    if fraction or len(digits) > 12 or (len(digits) > 1 and digits.startswith("0")):
        return _DIGIT_CODA[int(digits[-1])]
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == 0 or zeros == len(digits):
        return _DIGIT_CODA[int(digits[-1])]
    return _ZEROS_CODA[zeros]


def _spelled(letters: str) -> bool:
    return len(letters) == 1 or (letters.isupper() and len(letters) > 1) or not (set(letters.lower()) & _VOWELS)


def _word_coda(word: str) -> str:
    """The final consonant of a lower-case Latin word as the loanword orthography writes it."""
    w = word.lower()
    if w.endswith("ng"):
        return "ㅇ"
    last = w[-1]
    if last in "mnl":
        return {"m": "ㅁ", "n": "ㄴ", "l": "ㄹ"}[last]
    if last == "e" and len(w) >= 3 and w[-2] in "mnl" and w[-3] not in "mnl":
        return {"m": "ㅁ", "n": "ㄴ", "l": "ㄹ"}[w[-2]]  # name 네임, line 라인, table 테이블, role 롤
    stem = w.rstrip(last) if last in "ptk" else w[:-1]
    if last == "k" and stem.endswith("c"):
        stem = stem[:-1]  # stack 스택
    if last == "c":
        last = "k"
    if last in "ptk":
        before = re.search(r"[aeiouy]+$", stem)
        vowel = before.group(0) if before else ""
        # a short vowel; also book 북 (oo before k), group 그룹 and timeout 타임아웃 (ou before p, t)
        if len(vowel) == 1 or (vowel[-2:] == "oo" and last == "k") or (vowel[-2:] == "ou" and last in "pt"):
            return {"p": "ㅂ", "t": "ㅅ", "k": "ㄱ"}[last]
    return ""


def coda(word: str) -> str | None:
    """The final consonant of ``word`` as read aloud ('' after a vowel), or None if it cannot be read."""
    text = _strip(word)
    if not text:
        return None
    last = text[-1]
    if _hangul(last):
        return _CODAS[(ord(last) - 0xAC00) % 28]
    run = _TRAILING.search(text)
    if run is None:
        return None
    found = run.group(0)
    if found[0].isdigit():
        whole, _, fraction = found.partition(".")
        return _number_coda(fraction or whole, fraction=bool(fraction))
    letters = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", found)[-1] if not found.isupper() else found
    if _spelled(letters):
        return _LETTER_CODA.get(letters[-1].lower(), "")
    return _word_coda(letters)


def _pair(particle: str) -> tuple[tuple[str, str], str]:
    for form, pair in _FORMS:
        if particle.startswith(form):
            return pair, particle[len(form) :]
    raise ValueError(f"not a particle that agrees with its word: {particle!r}")


def josa(word: object, particle: str) -> str:
    """The form of ``particle`` (either form of its pair, maybe followed by more) that fits ``word``."""
    (consonant, vowel), rest = _pair(particle)
    final = coda(str(word))
    if final is None:
        # 은(는), 이(가), ...; where the consonant form is the vowel form after 으 or 이: (으)로, (이)나, (이)라
        both = f"({consonant[0]}){vowel}" if consonant[1:] == vowel else f"{consonant}({vowel})"
        return both + rest
    after_consonant = bool(final) and not (consonant == "으로" and final == "ㄹ")
    return (consonant if after_consonant else vowel) + rest


def attach(word: object, particle: str) -> str:
    """``word`` followed by the form of ``particle`` that fits it (a space after a closing mrkdwn marker)."""
    text = str(word)
    gap = " " if text.rstrip()[-1:] in _MARKERS and text.rstrip() else ""
    return f"{text.rstrip() if gap else text}{gap}{josa(text, particle)}"


def _particle(spec: str) -> bool:
    try:
        _pair(spec)
    except ValueError:
        return False
    return True


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec and _particle(format_spec):
            return attach(format(value, ""), format_spec)
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def fill(template: str, /, *args: Any, **values: Any) -> str:
    """``template.format(...)``, where a field may give a particle as its format: ``{id:는}``."""
    return _FORMATTER.format(template, *args, **values)
