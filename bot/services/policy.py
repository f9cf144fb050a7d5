"""The authorization policy as one table: each action, who may take it, and where.

``bot.services.authz`` checks a request against it (through ``bot.slack.guard`` before any
listener runs, and again at the moment of decision); ``/ops help`` prints its "who" column.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain import Msg


class Action(enum.StrEnum):
    HELP = "help"
    ASK = "ask"  # a request: /ops <command>, a message or mention in a request channel, a DM
    CLUSTER_OVERRIDE = "cluster_override"  # `--cluster NAME` / `cluster=NAME` naming another cluster
    AUDIT = "audit"
    REPORT_LIST = "report_list"
    REPORT_CHANGE = "report_change"  # report add / remove / run
    REPORT_DIAGNOSE = "report_diagnose"  # the "Diagnose" button on a report item
    FORM = "form"  # submitting a feature's modal, which files a request
    APPROVE = "approve"
    REJECT = "reject"
    REVERT = "revert"
    RERUN = "rerun"
    CHOOSE_INTENT = "choose_intent"
    HOME = "home"
    HOME_RECENT_CHANGES = "home_recent_changes"
    OTHER = "other"  # any other interaction (unknown buttons, closed modals): the basic checks only


class Who(enum.StrEnum):
    MEMBER = "member"  # anyone in the installing workspace who is not a guest
    APPROVER = "approver"
    REQUESTER_OR_APPROVER = "requester_or_approver"
    DECIDER = "decider"  # an approver who did not ask for it (unless self-approval is allowed, never for HIGH)
    DECIDER_OR_REQUESTER = "decider_or_requester"  # rejecting: deciders, and requesters withdrawing their own


class Where(enum.StrEnum):
    REQUEST_CHANNELS = "request_channels"  # REQUEST_CHANNELS, and DMs when ALLOW_DIRECT_MESSAGES
    ANYWHERE = "anywhere"  # wherever the bot's own messages and views are (threads, App Home, modals)


@dataclass(frozen=True)
class Rule:
    who: Who
    where: Where
    label: Msg  # who may, as /ops help says it


EVERYONE_HERE = Msg("everyone in request channels", "요청 채널의 모든 멤버")
POLICY: Mapping[Action, Rule] = {
    Action.HELP: Rule(Who.MEMBER, Where.ANYWHERE, Msg("everyone", "모든 멤버")),
    Action.ASK: Rule(Who.MEMBER, Where.REQUEST_CHANNELS, EVERYONE_HERE),
    Action.CLUSTER_OVERRIDE: Rule(
        Who.APPROVER,
        Where.REQUEST_CHANNELS,
        Msg(
            "approvers, or anyone where the channel allows that cluster", "승인자, 또는 채널에 허용된 클러스터는 누구나"
        ),
    ),
    Action.AUDIT: Rule(Who.APPROVER, Where.REQUEST_CHANNELS, Msg("approvers", "승인자")),
    Action.REPORT_LIST: Rule(Who.MEMBER, Where.REQUEST_CHANNELS, EVERYONE_HERE),
    Action.REPORT_CHANGE: Rule(Who.APPROVER, Where.REQUEST_CHANNELS, Msg("approvers", "승인자")),
    Action.REPORT_DIAGNOSE: Rule(Who.MEMBER, Where.ANYWHERE, Msg("everyone", "모든 멤버")),
    Action.FORM: Rule(Who.MEMBER, Where.REQUEST_CHANNELS, EVERYONE_HERE),
    Action.APPROVE: Rule(
        Who.DECIDER, Where.ANYWHERE, Msg("approvers other than the requester", "요청자가 아닌 승인자")
    ),
    Action.REJECT: Rule(
        Who.DECIDER_OR_REQUESTER,
        Where.ANYWHERE,
        Msg("approvers, or the requester (withdraw)", "승인자, 또는 요청자 본인(철회)"),
    ),
    Action.REVERT: Rule(
        Who.REQUESTER_OR_APPROVER, Where.ANYWHERE, Msg("the requester or an approver", "요청자 또는 승인자")
    ),
    Action.RERUN: Rule(
        Who.REQUESTER_OR_APPROVER, Where.ANYWHERE, Msg("the requester or an approver", "요청자 또는 승인자")
    ),
    Action.CHOOSE_INTENT: Rule(
        Who.REQUESTER_OR_APPROVER, Where.ANYWHERE, Msg("the requester or an approver", "요청자 또는 승인자")
    ),
    Action.HOME: Rule(Who.MEMBER, Where.ANYWHERE, Msg("everyone", "모든 멤버")),
    Action.HOME_RECENT_CHANGES: Rule(Who.APPROVER, Where.ANYWHERE, Msg("approvers", "승인자")),
    Action.OTHER: Rule(Who.MEMBER, Where.ANYWHERE, Msg("everyone", "모든 멤버")),
}

# /ops sub-commands (as /ops help lists them) and the action each one is.
COMMAND_ACTIONS: Mapping[str, Action] = {
    "help": Action.HELP,
    "audit": Action.AUDIT,
    "report list": Action.REPORT_LIST,
    "report add": Action.REPORT_CHANGE,
    "report remove": Action.REPORT_CHANGE,
    "report run": Action.REPORT_CHANGE,
}
BUTTON_HELP: tuple[tuple[Msg, Action], ...] = (
    (Msg("Approve", "승인"), Action.APPROVE),
    (Msg("Reject", "거절"), Action.REJECT),
    (Msg("Revert", "되돌리기"), Action.REVERT),
    (Msg("Re-run / choose what you meant", "다시 실행 / 의도 선택"), Action.RERUN),
)


def command_action(usage: str) -> Action:
    """The action an ``/ops`` usage line stands for (diagnoser commands are requests)."""
    words = usage.split()
    for n in (2, 1):
        found = COMMAND_ACTIONS.get(" ".join(words[:n]).lower())
        if found is not None:
            return found
    return Action.ASK


def who_label(action: Action) -> Msg:
    return POLICY[action].label
