"""Property test: ``parse`` never raises and always returns the contract shape, whatever the text."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.entities import CORE_KEYS
from bot.services.reading import VOCABULARY, parse

INTENTS = VOCABULARY.intents
KEYS = (*CORE_KEYS, *VOCABULARY.entity_keys)


# Fragments that steer the parser into its interesting paths, mixed with arbitrary text.
_FRAGMENTS = st.sampled_from(
    [
        "ingress",
        "삭제",
        "네임스페이스",
        "pod",
        "파드",
        "-n",
        "-A",
        "in",
        "cluster=",
        "클러스터",
        "AccessDenied",
        "User: arn:aws:sts::1:assumed-role/r/s",
        "is not authorized to perform:",
        "on resource:",
        "because no",
        'Failed to pull image "',
        "i/o timeout",
        "rds",
        "stop",
        "밤에",
        "sysctl",
        "net.ipv4.",
        "help",
        "<@U1>",
        "<http://x|y>",
        "&lt;",
        "```",
        '"namespace":"',
        "Namespace:",
        "\n",
        " ",
        "/",
        ":",
        "\\n",
    ]
)
_TEXT = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=30)), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_parse_never_raises_and_keeps_the_contract(text):
    out = parse(text).to_json()
    assert out["language"] in ("en", "ko")
    assert out["intent"] in INTENTS
    assert set(out["entities"]) <= set(KEYS)
    assert all(isinstance(v, str) and v for v in out["entities"].values())
    assert (out["image_pull"] is not None) == (out["intent"] == "image_pull")
    if out["aws_error"] is not None:
        assert {"kind", "role", "action", "resource"} <= set(out["aws_error"])
    json.dumps(out, ensure_ascii=False).encode("utf-8")
