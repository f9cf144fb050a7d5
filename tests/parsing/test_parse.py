"""``parse()`` against the message table (English, Korean, pasted logs) and the contract shape."""

from __future__ import annotations

import json

import pytest

from bot.domain import Lang
from bot.parsing import ParseResult
from bot.parsing.entities import CORE_KEYS
from bot.services.reading import VOCABULARY, parse
from tests.parsing._fixtures import ids, load

INTENTS = VOCABULARY.intents
KEYS = (*CORE_KEYS, *VOCABULARY.entity_keys)

MESSAGES = load("messages.jsonl")


@pytest.mark.parametrize("row", MESSAGES, ids=ids(MESSAGES, "text"))
def test_message_table(row):
    result = parse(row["text"])
    assert (result.language, result.intent) == (row["language"], row["intent"])
    schedule = ("stop_cron", "start_cron", "schedule_note", "schedule_note_ko")  # test_schedule_times.py
    assert {k: v for k, v in result.entities.items() if k not in schedule} == row["entities"]
    if "aws_kind" in row:
        assert result.aws_error is not None and result.aws_error["kind"] == row["aws_kind"]
    if "pull_cause" in row:
        assert result.image_pull is not None and result.image_pull["cause"] == row["pull_cause"]


def test_table_covers_every_intent_in_both_languages():
    seen = {(r["intent"], r["language"]) for r in MESSAGES}
    for intent in INTENTS:
        for lang in ("en", "ko"):
            if intent != "other" or lang == "en":
                assert (intent, lang) in seen, (intent, lang)


def test_pasted_controller_log_gives_the_full_aws_error():
    row = next(r for r in MESSAGES if r.get("note") == "pasted controller log line")
    out = parse(row["text"]).to_json()
    assert out["aws_error"]["kind"] == "permission_missing"
    assert out["aws_error"]["role"] == "AmazonEKSLoadBalancerControllerRole"
    assert out["aws_error"]["action"] == "elasticloadbalancing:DeleteLoadBalancer"
    assert out["aws_error"]["resource"] == (
        "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/k8s-cloudon-cloudonin-abc/def"
    )


def test_describe_output_gives_registry_and_image():
    row = next(r for r in MESSAGES if r.get("note") == "kubectl describe pod output")
    pull = parse(row["text"]).image_pull
    assert pull["registry"] == "602401143452.dkr.ecr.ap-northeast-1.amazonaws.com"
    assert pull["registry_kind"] == "ecr_private"
    assert pull["image"].endswith("/cloudwatch-agent:1.3")


def _check_contract(out: dict) -> None:
    assert set(out) == {"language", "intent", "entities", "aws_error", "image_pull", "confidence"}
    assert 0.0 <= out["confidence"] <= 1.0
    assert out["language"] in ("en", "ko")
    assert out["intent"] in INTENTS
    assert set(out["entities"]) <= set(KEYS)
    assert all(isinstance(v, str) and v for v in out["entities"].values())
    if out["aws_error"] is not None:
        assert {"kind", "role", "action", "resource"} <= set(out["aws_error"])
        assert out["aws_error"]["kind"] in (
            "permission_missing",
            "explicit_deny",
            "trust_policy",
            "oidc_provider_missing",
            "token_audience",
            "other",
            "unclear",
        )
    if out["image_pull"] is not None:
        assert {"cause", "registry", "image"} <= set(out["image_pull"])
        assert out["intent"] == "image_pull"
    json.dumps(out, ensure_ascii=False)


@pytest.mark.parametrize("row", MESSAGES, ids=ids(MESSAGES, "text"))
def test_contract_shape(row):
    _check_contract(parse(row["text"]).to_json())


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "<@U123ABC|kim> <!here> show pods in cloudon (asked in <#C0ABC|ops-requests>)",
            {"namespace": "cloudon"},
        ),
        ("show pods in <http://cloudon|cloudon>", {"namespace": "cloudon"}),
        ("```kubectl get pods -n web```", {"namespace": "web"}),
        ("show pods in `cloudon`", {"namespace": "cloudon"}),
    ],
)
def test_slack_markup_is_removed_before_parsing(text, expected):
    result = parse(text)
    assert result.intent == "pods"
    assert dict(result.entities) == expected


def test_slack_escapes_are_unescaped():
    text = "&lt;@U1&gt; ingress cloudon-ingress can't delete &amp;&amp; it is stuck in cloudon"
    assert parse(text).entities["name"] == "cloudon-ingress"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "\x00\x01\x02\xff\ufffd",
        "🙂" * 500,
        "ก" * 2000,
        "a" * 50_000,
        "\ud800 lone surrogate",
        "ImagePullBackOff " * 2000,
        '{"namespace": ' * 3000,
        "<" * 5000 + ">" * 5000,
    ],
)
def test_junk_and_huge_inputs_never_raise(text):
    result = parse(text)
    assert result.intent in ("other", "help", "image_pull")
    _check_contract(result.to_json())


def test_only_the_first_20kb_is_read():
    tail = "\n" + "kubectl get pods -n late"
    assert parse("x" * 30_000 + tail).intent == "other"
    assert parse("x" * 100 + tail).intent == "pods"


def test_language_is_korean_when_the_person_wrote_korean_before_an_english_log():
    log = 'Failed to pull image "nginx:1.25": rpc error: toomanyrequests ' * 20
    assert parse("이거 왜 이래요 도와주세요\n" + log).language == "ko"
    assert parse("fyi 이거\n" + log).language == "en"


def test_result_is_frozen_and_becomes_a_request():
    result = parse("can't delete ingress cloudon-ingress in cloudon")
    assert isinstance(result, ParseResult)
    with pytest.raises(AttributeError):
        result.intent = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.entities["namespace"] = "x"  # type: ignore[index]
    request = parse("cloudon 네임스페이스 ingress 삭제가 안돼요").to_request(text="t", user="U1")
    assert request.lang == Lang.KO and request.intent == "ingress_delete_denied"
    assert dict(request.entities) == {"namespace": "cloudon"}
