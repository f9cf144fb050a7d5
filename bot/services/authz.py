"""Who may do what: one table (action → who may, and where), and the checks behind it.

``bot.services.policy.POLICY`` is the whole authorization policy. ``bot.slack.guard`` (one global Bolt middleware)
enforces it on every request before any listener runs; the services check it again at the moment
of decision (``PlanService`` on approve / reject / revert, the re-run and intent-choice buttons in
their lazy half). ``/ops help`` prints the "who" column from here too.

Every request must first come from the installing workspace (its team id / enterprise id), from a
person who is not a guest, and not from an externally shared channel unless that is allowed; then
the action's own rule applies. Facts about people and channels come through ``Directory``, which is
given plain callables (``users.info``, ``conversations.info``, ``auth.test``) by the composition
root, so this module knows nothing of Slack's client, and caches them briefly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import Msg, Risk
from bot.korean import josa
from bot.mrkdwn import escape
from bot.services.approvers import Approvers
from bot.services.directory import Directory, LookupFailed
from bot.services.policy import POLICY, Action, Where, Who
from bot.settings import Settings


# --- who is asking ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """Who sent a request and from where, as the payload says (checked against the directory)."""

    user: str
    teams: tuple[str, ...] = ()  # every workspace id the payload names for the request and its sender
    enterprise_id: str = ""
    channel: str = ""
    is_dm: bool = False
    ext_shared: bool | None = None  # what the payload says, when it says it
    lang: str = ""  # the request's language when known ('' = ask users.info for the locale)


@dataclass(frozen=True)
class Refusal:
    code: str  # short reason for the audit row: other_workspace, guest, shared_channel, channel, who, ...
    message: Msg


# --- the checks -----------------------------------------------------------------------------------
def _mentions(channels: Sequence[str]) -> str:
    return ", ".join(f"<#{c}>" for c in channels) or "—"


class Authorizer:
    """Decides ``POLICY`` for one actor and action (``check``), and the plan-specific rules."""

    def __init__(
        self, settings: Settings, approvers: Approvers, directory: Directory | None = None, contexts: Any = None
    ):
        self.settings = settings
        self.approvers = approvers
        self.directory = directory or Directory()
        self.contexts = contexts

    # language -------------------------------------------------------------------------------
    def lang_of(self, actor: Actor) -> str:
        if actor.lang:
            return actor.lang
        try:
            return "ko" if self.directory.user(actor.user).locale.startswith("ko") else "en"
        except LookupFailed:
            return "en"

    # who is who -------------------------------------------------------------------------------
    def is_approver(self, user: str, *, fresh: bool = False) -> bool:
        return self.approvers.is_approver(user, fresh=fresh)

    def member_refusal(self, actor: Actor, where: Where = Where.ANYWHERE) -> Refusal | None:
        """The checks every request passes: our workspace, not a guest, not an external channel, the place."""
        refusal = self._workspace_refusal(actor)
        if refusal is None:
            refusal = self._place_refusal(actor, where)
        if refusal is None:
            refusal = self._shared_channel_refusal(actor)
        return refusal

    def _workspace_refusal(self, actor: Actor) -> Refusal | None:
        """Whether ``actor`` is a full member of the workspace the bot is installed in."""
        try:
            team, enterprise = self.directory.installation()
        except LookupFailed:
            return Refusal(
                "lookup_failed",
                Msg(
                    "I could not check which workspace I am installed in; try again.",
                    "설치된 워크스페이스를 확인하지 못했습니다. 다시 시도해 주세요.",
                ),
            )
        ours = Refusal(
            "other_workspace",
            Msg(
                "I only take requests from people in the workspace I am installed in.",
                "이 봇은 설치된 워크스페이스의 멤버 요청만 받습니다.",
            ),
        )

        def same_org(team_id: str, enterprise_id: str = "") -> bool:
            return not team_id or team_id == team or bool(enterprise and enterprise_id == enterprise)

        if not all(same_org(t, actor.enterprise_id) for t in actor.teams):
            return ours
        if not actor.user:
            return ours
        try:
            facts = self.directory.user(actor.user)
        except LookupFailed:
            return Refusal(
                "lookup_failed",
                Msg(
                    "I could not look you up in this workspace; try again.",
                    "이 워크스페이스에서 사용자 정보를 확인하지 못했습니다. 다시 시도해 주세요.",
                ),
            )
        if facts.deleted or not facts.team_id or not same_org(facts.team_id, facts.enterprise_id):
            return ours
        if facts.guest:
            return Refusal(
                "guest",
                Msg(
                    "Guest accounts cannot use this bot; ask a full member of the workspace.",
                    "게스트 계정은 이 봇을 사용할 수 없습니다. 워크스페이스 정식 멤버에게 요청하세요.",
                ),
            )
        return None

    def _place_refusal(self, actor: Actor, where: Where) -> Refusal | None:
        """Whether ``actor`` asks where ``where`` allows: a request channel, or a DM when DMs are allowed."""
        s = self.settings
        if where == Where.REQUEST_CHANNELS:
            if actor.is_dm:
                if not s.allow_direct_messages:
                    return Refusal(
                        "direct_message",
                        Msg(
                            f"I do not take requests in direct messages; ask in {_mentions(s.request_channel_ids)}.",
                            f"DM 으로는 요청을 받지 않습니다. {_mentions(s.request_channel_ids)}에서 요청하세요.",
                        ),
                    )
            elif actor.channel not in s.request_channel_ids:
                return Refusal(
                    "channel",
                    Msg(
                        f"I only take requests in {_mentions(s.request_channel_ids)}.",
                        f"요청은 {_mentions(s.request_channel_ids)} 에서만 받습니다.",
                    ),
                )
        return None

    def _shared_channel_refusal(self, actor: Actor) -> Refusal | None:
        """Whether ``actor``'s channel is shared with another organisation while shared channels are refused."""
        if actor.channel and not actor.is_dm and not self.settings.allow_shared_channels:
            shared = actor.ext_shared
            if not shared:  # the payload's word is enough to refuse, never to allow
                try:
                    shared = self.directory.channel(actor.channel).ext_shared
                except LookupFailed:
                    return Refusal(
                        "lookup_failed",
                        Msg(
                            "I could not check this channel; try again.",
                            "이 채널을 확인하지 못했습니다. 다시 시도해 주세요.",
                        ),
                    )
            if shared:
                return Refusal(
                    "shared_channel",
                    Msg(
                        "This channel is shared with another organisation; I do not take requests here.",
                        "다른 조직과 공유된 채널에서는 요청을 받지 않습니다.",
                    ),
                )
        return None

    def check(
        self,
        action: Action,
        actor: Actor,
        requester: str = "",
        cluster: str = "",
        *,
        fresh: bool = False,
        risk: str = "",
    ) -> Refusal | None:
        """Why ``actor`` may not do ``action`` (None if they may). ``requester`` is the person the thing
        belongs to (the request's or plan's), ``cluster`` a cluster named in the request, ``fresh`` asks
        for approver membership from Slack rather than the cache."""
        rule = POLICY[action]
        refusal = self.member_refusal(actor, rule.where)
        if refusal is not None:
            return refusal
        refusal = self.who_refusal(action, actor.user, requester, fresh=fresh, risk=risk)
        if refusal is None and action == Action.ASK and cluster:
            refusal = self.cluster_refusal(actor, cluster, fresh=fresh)
        return refusal

    def who_refusal(
        self, action: Action, user: str, requester: str = "", *, fresh: bool = False, risk: str = ""
    ) -> Refusal | None:
        """The "who" column of ``POLICY`` alone (the member checks already passed)."""
        who = POLICY[action].who
        mention = self.approvers.mention()
        if who == Who.MEMBER:
            return None
        if who == Who.APPROVER:
            if self.is_approver(user, fresh=fresh):
                return None
            return Refusal(
                "approvers_only",
                Msg(f"Only approvers can do that ({mention}).", f"승인자만 할 수 있습니다 ({mention})."),
            )
        if who == Who.REQUESTER_OR_APPROVER:
            if (requester and user == requester) or self.is_approver(user, fresh=fresh):
                return None
            return Refusal(
                "requester_or_approver",
                Msg(
                    f"Only the person who asked (<@{requester}>) or an approver can do that.",
                    f"요청한 사람(<@{requester}>) 또는 승인자만 할 수 있습니다.",
                ),
            )
        if who == Who.DECIDER_OR_REQUESTER and requester and user == requester:
            return None
        high = risk == Risk.HIGH
        if user == requester and (high or not self.approvers.allow_self_approval):
            if high:
                return Refusal(
                    "self_approval",
                    Msg(
                        "You asked for this high-risk change, so two other approvers have to approve it.",
                        "위험도 높은 변경의 요청자는 승인할 수 없습니다. 다른 승인자 두 명이 필요합니다.",
                    ),
                )
            return Refusal(
                "self_approval",
                Msg(
                    "You asked for this change, so someone else has to approve it.",
                    "요청자는 자신의 변경을 승인할 수 없습니다. 다른 승인자가 필요합니다.",
                ),
            )
        if not self.is_approver(user, fresh=fresh):
            return Refusal(
                "approvers_only",
                Msg(f"Only approvers can decide plans ({mention}).", f"승인자만 결정할 수 있습니다 ({mention})."),
            )
        return None

    # clusters ----------------------------------------------------------------------------------
    def known_clusters(self) -> tuple[str, ...]:
        listed = getattr(self.contexts, "cluster_names", None)
        if callable(listed):
            return tuple(listed())
        return (self.settings.cluster_name,) if self.settings.cluster_name else ()

    def channel_clusters(self, channel: str) -> tuple[str, ...]:
        """The clusters a channel's mapping allows, its default first."""
        allowed = getattr(self.contexts, "clusters_for", None)
        if callable(allowed):
            return tuple(allowed(channel))
        default = self.contexts.default_cluster(channel) if self.contexts is not None else self.settings.cluster_name
        return (default,) if default else ()

    def cluster_refusal(self, actor: Actor, cluster: str, *, fresh: bool = False) -> Refusal | None:
        """``cluster=NAME`` / ``--cluster NAME``: a cluster the channel allows, or any known one for approvers."""
        known = self.known_clusters()
        approver = self.is_approver(actor.user, fresh=fresh)
        if cluster not in known:
            listing = (
                Msg(f" Known clusters: {', '.join(known)}.", f" 등록된 클러스터: {', '.join(known)}.")
                if approver
                else Msg("", "")
            )
            typed = escape(cluster[:60])  # what the person typed: shown as typed, never as markup
            return Refusal(
                "unknown_cluster",
                Msg(f"Unknown cluster `{typed}`.{listing.en}", f"알 수 없는 클러스터 `{typed}` 입니다.{listing.ko}"),
            )
        allowed = self.channel_clusters(actor.channel)
        if cluster in allowed or approver:
            return None
        here = escape(", ".join(allowed) or "—")
        typed = escape(cluster[:60])
        return Refusal(
            "cluster_override",
            Msg(
                f"This channel works on {here}; only approvers can point a request at `{typed}`.",
                f"이 채널의 클러스터는 {here}입니다. `{typed}` {josa(typed, '를')} 지정하는 것은 승인자만 할 수 "
                "있습니다.",
            ),
        )
