"""Words of a request with Korean particles and verb endings taken off, for exact-word matching.

Called by ``bot.parsing.evidence`` only. Pure. Korean glues particles and endings onto the word
they belong to, with no space: ``재시작해줘``, ``재시작 부탁드립니다``, ``재시작이 안돼요`` and
``파드를 재시작하려면`` all carry the stem ``재시작``; ``rds를``, ``Pod가`` and ``pods를`` carry the
English word before the particle. ``words()`` returns the set of such stems (English words as
written, lowercased), so one family entry (``재시작``, ``restart``) matches every inflected form,
and a set intersection decides a family in one step instead of a loop over phrases.

The stripping is deliberately shallow: a few dozen particles and endings, taken from the end of a
Hangul run while at least two syllables remain (``로그`` and ``노드`` are never cut). Syllables that
fuse the stem with an ending (``가져올`` = ``가져오`` + ``ㄹ``) are listed as their own entries in
the families instead. Reference for the particle and ending inventory: the National Institute of
Korean Language's standard grammar (표준국어대사전, 조사 / 어미 entries).
"""

from __future__ import annotations

import re

from bot.parsing.text import has_hangul

# English words (with ' or -: can't, won't, aws-node; quotes and dashes around a word are taken
# off in ``words``) and Hangul runs. A Hangul run glued to an English word ("rds를") is its own
# token, so the English word comes out clean.
_TOKEN = re.compile(r"[a-z0-9'’-]+|[\uac00-\ud7a3]+")

# Endings and auxiliary verbs first (longest first within a last syllable), then case particles.
_ENDINGS = (
    # requests and politeness: 재시작해주세요, 재시작해줘, 확인 부탁드립니다
    "해주세요",
    "해주십시오",
    "해줄래",
    "해줘요",
    "해줘",
    "해주",
    "해봐",
    "해보",
    "하세요",
    "하십시오",
    "부탁드립니다",
    "부탁드려요",
    "부탁해요",
    "부탁합니다",
    "주세요",
    "줘요",
    "줘",
    # declaratives, questions, connectives of 하다 / 되다: 재시작합니다, 삭제하려면, 삭제되지
    "합니다",
    "했습니다",
    "했는데",
    "하면서",
    "되면서",
    "했어요",
    "했다",
    "하려면",
    "하려고",
    "하는데",
    "하는",
    "하고",
    "하기",
    "하면",
    "해요",
    "해서",
    "하여",
    "하다",
    "한다",
    "할",
    "함",
    "한",
    "해",
    "됩니다",
    "되었다",
    "됐다",
    "돼요",
    "되지",
    "되는",
    "되어",
    "된다",
    "된",
    "됨",
    "돼",
    "입니다",
    "이지만",
    "지만",
    "이에요",
    "예요",
    "이다",
    "인가요",
    "나요",
    "까요",
    "어요",
    "아요",
    "지요",
    "죠",
    # particles: 에서, 으로, 에게, 이/가, 은/는, 을/를, 에, 의, 와/과, 도, 만, 로
    "에서는",
    "에서",
    "으로",
    "에게",
    "까지",
    "부터",
    "이나",
    "이랑",
    "랑",
    "처럼",
    "이",
    "가",
    "은",
    "는",
    "을",
    "를",
    "에",
    "의",
    "와",
    "과",
    "도",
    "만",
    "로",
    "요",
)
# Endings by their last syllable, so a word costs a dict lookup, not a loop over every ending.
_BY_LAST: dict[str, tuple[str, ...]] = {}
for _e in sorted(_ENDINGS, key=len, reverse=True):
    _BY_LAST[_e[-1]] = (*_BY_LAST.get(_e[-1], ()), _e)
del _e


def stem(word: str) -> str:
    """``word`` (one Hangul run) without its particles and endings; at least two syllables are kept."""
    for _ in range(3):  # 재시작이라도 → 재시작 takes at most a few cuts
        for ending in _BY_LAST.get(word[-1], ()):
            if word.endswith(ending) and len(word) - len(ending) >= 2:
                word = word[: -len(ending)]
                break
        else:
            return word
    return word


def words(low: str) -> set[str]:
    """The words of lowercased ``low``: English words as written, Korean words as their stems.

    A Korean word that is all particle (``를`` after ``rds``) stays as it is; it matches no family.
    A hyphenated name also gives its parts (``cloudon-ingress`` gives ``ingress``). The loops run
    only over the words that need them, so a plain English message costs one ``findall``.
    """
    tokens = _TOKEN.findall(low)
    out = set(tokens)
    if "-" in low or "'" in low or "’" in low:
        for token in tokens:
            if "-" in token or "'" in token or "’" in token:
                bare = token.strip("'’-")  # 'quoted', --flag
                out.add(bare)
                if "-" in bare:  # a name made of words: cloudon-ingress, aws-node, ebs-csi-controller
                    out.update(bare.split("-"))
    if has_hangul(low):
        for token in _LONG_HANGUL.findall(low):
            out.add(stem(token))
    return out


_LONG_HANGUL = re.compile("[\uac00-\ud7a3]{3,}")
