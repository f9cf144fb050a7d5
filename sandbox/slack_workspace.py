"""The workspace the Slack stand-in answers for: people, user groups and channels.

A mixin of ``SlackStandIn`` (which owns ``_lock``, ``_users``, ``_usergroups``, ``_channels``,
``_gone_channels`` and ``strict_channels``). Channels carry the bot's membership and whether they are
archived, so posts can be refused as Slack refuses them (``channel_refusal``): ``not_in_channel``,
``is_archived``, ``channel_not_found`` (https://docs.slack.dev/reference/methods/chat.postMessage).
"""

from __future__ import annotations

import threading


class Workspace:
    _lock: threading.RLock
    _users: dict[str, dict]
    _usergroups: dict[str, list[str]]
    _channels: dict[str, dict]
    _gone_channels: set[str]
    strict_channels: bool
    team_id: str

    def add_user(
        self,
        user_id: str,
        name: str,
        locale: str = "en-US",
        tz: str = "Asia/Seoul",
        team_id: str | None = None,
        *,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        enterprise_id: str | None = None,
    ) -> None:
        """A person; ``team_id`` another workspace's (Slack Connect), ``is_restricted`` /
        ``is_ultra_restricted`` a multi- / single-channel guest, as ``users.info`` tells them."""
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "name": name,
                "locale": locale,
                "tz": tz,
                "team_id": team_id or self.team_id,
                "is_restricted": is_restricted,
                "is_ultra_restricted": is_ultra_restricted,
                "enterprise_id": enterprise_id,
            }

    def user_names(self) -> dict[str, str]:
        """User id -> name, for showing ``<@U…>`` mentions as people see them."""
        with self._lock:
            return {uid: user["name"] for uid, user in self._users.items()}

    def channel_names(self) -> dict[str, str]:
        """Channel id -> name, for showing ``<#C…>`` links as people see them."""
        with self._lock:
            return {cid: channel["name"] for cid, channel in self._channels.items()}

    def set_usergroup(self, usergroup_id: str, users: list[str]) -> None:
        with self._lock:
            self._usergroups[usergroup_id] = list(users)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        is_ext_shared: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
    ) -> None:
        """A channel; ``is_ext_shared`` one shared with another organisation (Slack Connect).

        The bot is a member unless ``is_member`` is False (then posting there is ``not_in_channel``);
        an ``is_archived`` channel refuses every post with ``is_archived``.
        """
        with self._lock:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "is_private": is_private,
                "is_ext_shared": is_ext_shared,
                "is_shared": is_ext_shared,
                "is_member": is_member,
                "is_archived": is_archived,
            }

    def remove_bot(self, channel_id: str) -> None:
        """The bot is removed from (or was never invited to) a known channel."""
        with self._lock:
            self._channels[channel_id]["is_member"] = False

    def invite_bot(self, channel_id: str) -> None:
        """Someone ran ``/invite @bot`` in the channel."""
        with self._lock:
            self._channels[channel_id]["is_member"] = True

    def mark_strict(self) -> None:
        """From now on a channel nobody added is ``channel_not_found`` (a world that lists its channels)."""
        with self._lock:
            self.strict_channels = True

    def forget_channel(self, channel_id: str) -> None:
        """The channel is deleted (or never existed): every call naming it is ``channel_not_found``."""
        with self._lock:
            self._channels.pop(channel_id, None)
            self._gone_channels.add(channel_id)

    def channel_refusal(self, channel_id: str) -> str | None:
        """The error Slack gives a bot posting into ``channel_id``, or None when it may post.

        A direct message (``D…``) or a user id (``U…``/``W…``, which opens the app's DM) always
        works. A channel removed with ``forget_channel`` is ``channel_not_found``; so is any channel
        never added when ``strict_channels`` is set. Without it, a channel nobody added is taken as
        one the bot is in, so tests about message shapes need not set up a workspace first.
        """
        with self._lock:
            channel = self._channels.get(channel_id)
            if channel is None:
                if channel_id in self._gone_channels:
                    return "channel_not_found"
                if channel_id[:1] in ("D", "U", "W") or not self.strict_channels:
                    return None
                return "channel_not_found"
            if channel.get("is_archived"):
                return "is_archived"
            if not channel.get("is_member", True):
                return "not_in_channel"
            return None
