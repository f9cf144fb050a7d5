"""The authorization policy, row by row, without Slack: ``bot.services.authz`` with a directory of callables.

One case per row of ``POLICY`` says who may and who may not; a test fails when a row has no case,
so a new action cannot be added without saying who may do it. Then the checks every request passes
first (workspace, enterprise, guests, deleted users, shared channels, request channels, DMs, lookups
Slack does not answer) and the cluster rules.
"""

from __future__ import annotations

import pytest

from bot.domain import Risk
from bot.services.approvers import Approvers
from bot.services.authz import Actor, Authorizer
from bot.services.directory import Directory, LookupFailed, TtlCache
from bot.services.policy import POLICY, Action, Where, Who, command_action
from bot.settings import Settings

TEAM, OTHER = "T_HOME", "T_OTHER"
REQ, ELSEWHERE, SHARED, DM = "C_REQ", "C_ELSEWHERE", "C_SHARED", "D_DEV"
PEOPLE = {
    "U_DEV": {"team_id": TEAM},
    "U_OPS": {"team_id": TEAM},
    "U_OPS2": {"team_id": TEAM},
    "U_EXT": {"team_id": OTHER},
    "U_GUEST": {"team_id": TEAM, "is_restricted": True},
    "U_GUEST1": {"team_id": TEAM, "is_ultra_restricted": True},
    "U_GONE": {"team_id": TEAM, "deleted": True},
    "U_GRID": {"team_id": "T_SISTER", "enterprise_user": {"enterprise_id": "E_HOME"}},
    "U_KO": {"team_id": TEAM, "locale": "ko-KR"},
}
CHANNELS = {
    REQ: {"is_ext_shared": False},
    ELSEWHERE: {"is_ext_shared": False},
    SHARED: {"is_ext_shared": True},
    "C_PLATFORM": {},
}


def _lookup(table):
    def find(key):
        if key not in table:
            raise LookupFailed(key)
        return table[key]

    return find


def authorizer(enterprise: str = "", **settings) -> Authorizer:
    values = dict(request_channels=REQ, approver_user_ids="U_OPS,U_OPS2", cluster_name="prod")
    values.update(settings)
    s = Settings(**values)
    directory = Directory(
        auth_test=lambda: {"team_id": TEAM, "enterprise_id": enterprise},
        user_info=_lookup(PEOPLE),
        channel_info=_lookup(CHANNELS),
    )
    return Authorizer(s, Approvers(s.approver_ids, allow_self_approval=s.allow_self_approval), directory)


def at(user: str, channel: str = REQ, **kw) -> Actor:
    return Actor(user=user, teams=(TEAM,), channel=channel, is_dm=channel.startswith("D"), **kw)


# action, (user, requester) pairs that may, pairs that may not
ROWS = {
    Action.HELP: ([("U_DEV", ""), ("U_OPS", "")], [("U_GUEST", ""), ("U_EXT", "")]),
    Action.ASK: ([("U_DEV", ""), ("U_OPS", "")], [("U_GUEST", ""), ("U_EXT", ""), ("U_GONE", "")]),
    Action.CLUSTER_OVERRIDE: ([("U_OPS", "")], [("U_DEV", "")]),
    Action.AUDIT: ([("U_OPS", "")], [("U_DEV", "")]),
    Action.REPORT_LIST: ([("U_DEV", "")], [("U_GUEST", "")]),
    Action.REPORT_CHANGE: ([("U_OPS", "")], [("U_DEV", "")]),
    Action.REPORT_DIAGNOSE: ([("U_DEV", "")], [("U_GUEST1", "")]),
    Action.FORM: ([("U_DEV", "")], [("U_GUEST", "")]),
    Action.APPROVE: ([("U_OPS", "U_DEV")], [("U_DEV", "U_DEV"), ("U_OPS", "U_OPS"), ("U_KO", "U_DEV")]),
    Action.REJECT: ([("U_OPS", "U_DEV"), ("U_DEV", "U_DEV")], [("U_KO", "U_DEV")]),
    Action.REVERT: ([("U_OPS", "U_DEV"), ("U_DEV", "U_DEV")], [("U_KO", "U_DEV")]),
    Action.RERUN: ([("U_OPS", "U_DEV"), ("U_DEV", "U_DEV")], [("U_KO", "U_DEV")]),
    Action.CHOOSE_INTENT: ([("U_OPS", "U_DEV"), ("U_DEV", "U_DEV")], [("U_KO", "U_DEV")]),
    Action.HOME: ([("U_DEV", "")], [("U_EXT", ""), ("U_GUEST", "")]),
    Action.HOME_RECENT_CHANGES: ([("U_OPS", "")], [("U_DEV", "")]),
    Action.OTHER: ([("U_DEV", "")], [("U_GUEST", "")]),
}


def test_every_row_of_the_policy_has_a_case():
    assert set(ROWS) == set(POLICY) == set(Action)


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_policy_row(action):
    authz = authorizer()
    may, may_not = ROWS[action]
    for user, requester in may:
        assert authz.check(action, at(user), requester=requester) is None, (action, user, requester)
    for user, requester in may_not:
        refusal = authz.check(action, at(user), requester=requester)
        assert refusal is not None and refusal.message.en and refusal.message.ko, (action, user, requester)


@pytest.mark.parametrize("action", [a for a, rule in POLICY.items() if rule.where == Where.REQUEST_CHANNELS], ids=str)
def test_request_channel_rows_refuse_other_channels_and_dms(action):
    authz = authorizer(approver_user_ids="U_DEV,U_OPS")
    for channel, code in ((ELSEWHERE, "channel"), (DM, "direct_message")):
        refusal = authz.check(action, at("U_DEV", channel))
        assert refusal is not None and refusal.code == code
    assert authorizer(allow_direct_messages=True, approver_user_ids="U_DEV").check(action, at("U_DEV", DM)) is None


def test_the_help_column_reads_from_the_table():
    assert command_action("audit [N]") == Action.AUDIT and command_action("report add KIND") == Action.REPORT_CHANGE
    assert command_action("report list") == Action.REPORT_LIST and command_action("pods -A") == Action.ASK
    assert POLICY[Action.AUDIT].who == Who.APPROVER and POLICY[Action.ASK].label.en == "everyone in request channels"


# --- the checks before any rule ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "actor,code",
    [
        (Actor("U_DEV", teams=(OTHER,), channel=REQ), "other_workspace"),  # the payload names another team
        (Actor("U_DEV", teams=(TEAM, OTHER), channel=REQ), "other_workspace"),  # user_team / source_team differ
        (Actor("U_EXT", teams=(TEAM,), channel=REQ), "other_workspace"),  # users.info says another team
        (Actor("U_GRID", teams=("T_SISTER",), channel=REQ), "other_workspace"),  # another org's grid, not ours
        (Actor("U_GUEST", teams=(TEAM,), channel=REQ), "guest"),
        (Actor("U_GUEST1", teams=(TEAM,), channel=REQ), "guest"),
        (Actor("U_GONE", teams=(TEAM,), channel=REQ), "other_workspace"),  # deactivated
        (Actor("U_NOBODY", teams=(TEAM,), channel=REQ), "lookup_failed"),  # Slack cannot say: refused, not guessed
        (Actor("", teams=(TEAM,), channel=REQ), "other_workspace"),
        (Actor("U_DEV", teams=(TEAM,), channel=SHARED), "shared_channel"),
        (Actor("U_DEV", teams=(TEAM,), channel="C_UNKNOWN"), "lookup_failed"),
    ],
)
def test_member_checks(actor, code):
    refusal = authorizer(request_channels=f"{REQ},{SHARED},C_UNKNOWN").member_refusal(actor, Where.REQUEST_CHANNELS)
    assert refusal is not None and refusal.code == code


def test_the_payloads_word_on_a_shared_channel_is_enough_to_refuse_never_to_allow():
    authz = authorizer()
    assert authz.member_refusal(at("U_DEV", ext_shared=True)).code == "shared_channel"
    assert (
        authorizer(request_channels=SHARED).member_refusal(at("U_DEV", SHARED, ext_shared=False)).code
        == "shared_channel"
    )
    assert (
        authorizer(allow_shared_channels=True, request_channels=SHARED).check(Action.ASK, at("U_DEV", SHARED)) is None
    )


def test_an_enterprise_grid_installation_takes_its_other_workspaces():
    authz = authorizer(enterprise="E_HOME")
    assert authz.member_refusal(Actor("U_GRID", teams=("T_SISTER",), enterprise_id="E_HOME", channel=REQ)) is None
    assert (
        authz.member_refusal(Actor("U_EXT", teams=(OTHER,), enterprise_id="E_ELSE", channel=REQ)).code
        == "other_workspace"
    )


def test_the_installation_comes_from_the_setting_or_auth_test_once():
    calls = []
    directory = Directory(auth_test=lambda: calls.append(1) or {"team_id": TEAM}, user_info=_lookup(PEOPLE))
    assert directory.installation() == (TEAM, "") and directory.installation() == (TEAM, "") and calls == [1]
    assert Directory(team_id="T_SET").installation() == ("T_SET", "")
    failing = Directory(auth_test=lambda: (_ for _ in ()).throw(LookupFailed("down")))
    s = Settings(request_channels=REQ)
    refusal = Authorizer(s, Approvers(), failing).member_refusal(at("U_DEV"))
    assert refusal is not None and refusal.code == "lookup_failed"


def test_lookups_are_cached_briefly():
    now = [0.0]
    cache = TtlCache(60, clock=lambda: now[0])
    loads = []
    assert cache.get("U", lambda: loads.append(1) or "a") == "a"
    assert cache.get("U", lambda: loads.append(1) or "b") == "a" and len(loads) == 1
    now[0] = 61
    assert cache.get("U", lambda: loads.append(1) or "c") == "c" and len(loads) == 2


def test_a_lookup_in_steady_use_is_reloaded_ahead_and_never_used_past_its_life():
    now, queued = [0.0], []
    cache = TtlCache(60, clock=lambda: now[0], refresh=queued.append)  # reloads run when the test says
    assert cache.get("U", lambda: "a") == "a"
    now[0] = 29
    assert cache.get("U", lambda: "never") == "a" and queued == []  # young: no reload
    now[0] = 31
    assert cache.get("U", lambda: "b") == "a" and len(queued) == 1  # answered at once, reloaded behind
    assert cache.get("U", lambda: "c") == "a" and len(queued) == 1  # one reload at a time per key
    queued.pop()()
    now[0] = 50  # 19 s after the reload: young again, though 50 s after the first load
    assert cache.get("U", lambda: "never") == "b" and queued == []

    def down() -> str:
        raise LookupFailed("Slack is down")

    now[0] = 70
    assert cache.get("U", down) == "b" and len(queued) == 1
    queued.pop()()  # the reload fails: the entry is kept until its life ends
    now[0] = 90
    assert cache.get("U", down) == "b"
    now[0] = 92  # 61 s after the last good answer: never used, asked again, and the failure shows
    with pytest.raises(LookupFailed):
        cache.get("U", down)


def test_language_is_the_requests_else_the_locale():
    authz = authorizer()
    assert authz.lang_of(at("U_KO")) == "ko" and authz.lang_of(at("U_KO", lang="en")) == "en"
    assert authz.lang_of(at("U_DEV")) == "en" and authz.lang_of(at("U_NOBODY")) == "en"


# --- deciding plans --------------------------------------------------------------------------------------
def test_high_risk_is_never_approved_by_its_requester():
    authz = authorizer(allow_self_approval=True, approver_user_ids="U_DEV,U_OPS")
    assert authz.who_refusal(Action.APPROVE, "U_DEV", "U_DEV", risk=Risk.LOW) is None
    refusal = authz.who_refusal(Action.APPROVE, "U_DEV", "U_DEV", risk=Risk.HIGH)
    assert refusal is not None and "two other approvers" in refusal.message.en
    assert authz.who_refusal(Action.REJECT, "U_DEV", "U_DEV", risk=Risk.HIGH) is None  # withdrawing is fine


def test_fresh_membership_bypasses_the_cache():
    members = [["U_OPS"]]
    approvers = Approvers(usergroup="S1", group_members=lambda g: members[0], cache_seconds=3600)
    assert approvers.is_approver("U_OPS")
    members[0] = []
    assert approvers.is_approver("U_OPS")  # cached
    assert not approvers.is_approver("U_OPS", fresh=True)
    members[0] = ["U_OPS"]
    assert not approvers.is_approver("U_OPS")  # the fresh read refreshed the cache
    assert approvers.invalidate("S1") and approvers.is_approver("U_OPS")
    assert not approvers.invalidate("S_OTHER")


# --- clusters --------------------------------------------------------------------------------------------
class Clusters:
    def default_cluster(self, channel=""):
        return "staging" if channel == "C_STG" else "prod"

    def cluster_names(self):
        return ("prod", "qa", "staging")

    def clusters_for(self, channel):
        return {"C_PLATFORM": ("staging", "prod")}.get(channel, (self.default_cluster(channel),))


def test_cluster_overrides():
    authz = authorizer(request_channels=f"{REQ},C_PLATFORM")
    authz.contexts = Clusters()
    assert authz.check(Action.ASK, at("U_DEV"), cluster="prod") is None  # the channel's own
    assert authz.check(Action.ASK, at("U_DEV"), cluster="qa").code == "cluster_override"
    assert authz.check(Action.ASK, at("U_DEV", "C_PLATFORM"), cluster="prod") is None  # the mapping allows it
    assert authz.check(Action.ASK, at("U_OPS"), cluster="qa") is None  # approvers may pick any known one
    unknown = authz.check(Action.ASK, at("U_DEV"), cluster="nope")
    assert unknown.code == "unknown_cluster" and "prod" not in unknown.message.en
    listed = authz.check(Action.ASK, at("U_OPS"), cluster="nope")
    assert "Known clusters: prod, qa, staging." in listed.message.en and "등록된 클러스터" in listed.message.ko
