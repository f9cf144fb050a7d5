"""The particle chosen for each kind of word the bot interpolates, and messages built with it."""

from __future__ import annotations

import pytest

from bot import korean
from bot.domain import Msg
from bot.mrkdwn import markup
from handlers.rds.api import member_explanation
from handlers.rds.model import Database

# (word, final consonant as read aloud); '' is a vowel
READINGS = [
    ("집", "ㅂ"),
    ("말", "ㄹ"),
    ("클러스터", ""),
    ("portal", "ㄹ"),
    ("portal-rds-1", "ㄹ"),
    ("rds-2", ""),
    ("plan-3", "ㅁ"),
    ("#10", "ㅂ"),
    ("100", "ㄱ"),
    ("1000", "ㄴ"),
    ("20000", "ㄴ"),
    ("1.28", "ㄹ"),
    ("0", "ㅇ"),
    ("api", ""),
    ("prod", ""),
    ("orders-db", ""),
    ("staging", "ㅇ"),
    ("cloudon", "ㄴ"),
    ("kube-system", "ㅁ"),
    ("subnet", "ㅅ"),
    ("my-app", "ㅂ"),
    ("webhook", "ㄱ"),
    ("timeout", "ㅅ"),
    ("default", ""),
    ("eks-node-role", "ㄹ"),
    ("aws-load-balancer-controller", ""),
    ("ReplicaSet", "ㅅ"),
    ("StopDBInstance", ""),
    ("EKS", ""),
    ("IAM", "ㅁ"),
    ("ECR", "ㄹ"),
    ("api-7d9f8-zz81m", "ㅁ"),
    ("x8k2p", ""),
    ("`portal`", "ㄹ"),
    ("*orders-db*", ""),
    ("portal (aurora-mysql)", "ㄹ"),
    ("<#C1|ops-reports>", ""),
]


@pytest.mark.parametrize(("word", "final"), READINGS)
def test_final_consonant_as_korean_speakers_read_it(word, final):
    assert korean.coda(word) == final


@pytest.mark.parametrize("word", ["", "<@U0123>", "!!!", "データ"])
def test_nothing_readable_shows_both_forms(word):
    assert korean.coda(word) is None
    assert korean.josa(word, "은") == "은(는)"
    assert korean.josa(word, "로") == "(으)로"
    assert korean.josa(word, "나") == "(이)나"


PAIRS = [
    ("은", "는"),
    ("이", "가"),
    ("을", "를"),
    ("과", "와"),
    ("으로", "로"),
    ("이나", "나"),
    ("아", "야"),
    ("이라", "라"),
]


@pytest.mark.parametrize(("consonant", "vowel"), PAIRS)
def test_each_pair_after_a_consonant_and_after_a_vowel(consonant, vowel):
    for named in (consonant, vowel):
        assert korean.attach("cloudon", named) == f"cloudon{consonant}"
        assert korean.attach("orders-db", named) == f"orders-db{vowel}"


def test_ro_after_rieul_is_ro():
    assert korean.attach("portal", "으로") == "portal로"
    assert korean.attach("rds-1", "으로") == "rds-1로"
    assert korean.attach("staging", "로") == "staging으로"
    assert korean.attach("portal", "은") == "portal은"  # ㄹ is a consonant for every other pair


def test_the_rest_of_the_particle_is_kept():
    assert korean.attach("portal", "으로는") == "portal로는"
    assert korean.attach("subnet", "라는") == "subnet이라는"
    assert korean.attach("api", "이라는") == "api라는"


def test_a_space_after_a_closing_mrkdwn_marker():
    assert korean.attach("`portal`", "은") == "`portal` 은"
    assert korean.attach("*orders-db*", "를") == "*orders-db* 를"


def test_not_a_particle_is_refused():
    with pytest.raises(ValueError):
        korean.josa("portal", "의")


def test_templates_name_the_particle_as_the_field_format():
    assert korean.fill("{id:는} 멤버입니다 ({n:>3})", id="portal-rds-1", n=7) == "portal-rds-1은 멤버입니다 (  7)"
    msg = Msg("{db} is stopped", "{db:는} 중지되었습니다")
    assert msg.format(db="api")("ko") == "api는 중지되었습니다"
    assert msg.format(db="portal")("ko") == "portal은 중지되었습니다"
    assert (
        markup("{who} approved #{id}", "{who} 님이 계획 #{id:를} 승인했습니다", who="<ops>", id=3).ko
        == "&lt;ops&gt; 님이 계획 #3을 승인했습니다"
    )


def _member(ident: str, cluster: str) -> Database:
    return Database("instance", ident, engine="aurora-mysql", cluster_id=cluster)


@pytest.mark.parametrize(
    ("member", "cluster", "member_said", "cluster_said"),
    [
        ("portal-rds-1", "portal", "portal-rds-1은", "클러스터 portal을"),
        ("orders-db-a", "orders", "orders-db-a는", "클러스터 orders를"),
        ("billing-2", "billing-db", "billing-2는", "클러스터 billing-db를"),
    ],
)
def test_a_korean_message_agrees_with_names_ending_in_a_vowel_or_a_consonant(
    member, cluster, member_said, cluster_said
):
    text = member_explanation(_member(member, cluster), cluster)("ko")
    assert member_said in text
    assert cluster_said in text
