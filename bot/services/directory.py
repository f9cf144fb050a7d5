"""Facts about people and channels the authorization checks need, from Slack, cached briefly.

``Directory`` is given plain callables (``auth.test``, ``users.info``, ``conversations.info``) by the
composition root, so it knows nothing of Slack's client. Used by ``bot.services.authz``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class LookupFailed(Exception):
    """Slack could not tell us about a user or channel (refused: we do not guess)."""


@dataclass(frozen=True)
class UserFacts:
    team_id: str
    enterprise_id: str
    guest: bool
    locale: str
    deleted: bool = False
    tz: str = ""  # users.info ``tz``: the person's IANA time zone, e.g. "Europe/London" (api.slack.com/types/user)


@dataclass(frozen=True)
class ChannelFacts:
    ext_shared: bool


def _in_background(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="lookup-refresh", daemon=True).start()


class TtlCache:
    """A small thread-safe cache: entries live ``seconds``; the oldest go first beyond ``size``.

    Refresh-ahead: a hit on an entry older than ``refresh_after`` seconds (half its life unless
    given) is answered from the cache and reloaded in the background (``refresh`` runs the reload;
    a thread of its own by default), once at a time per key. An entry is never used past ``seconds``,
    so what the cache can hide stays bounded by its lifetime; a reload that fails leaves the entry
    to expire. People who use the bot steadily thus never wait for a lookup on their way to an ack.
    """

    def __init__(
        self,
        seconds: float,
        size: int = 2048,
        clock: Callable[[], float] = time.monotonic,
        refresh_after: float | None = None,
        refresh: Callable[[Callable[[], None]], None] = _in_background,
    ):
        self.seconds, self.size, self.clock = seconds, size, clock
        self.refresh_after = seconds / 2 if refresh_after is None else refresh_after
        self._refresh = refresh
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._reloading: set[str] = set()
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], Any]) -> Any:
        now = self.clock()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and now - hit[0] < self.seconds:
                if now - hit[0] >= self.refresh_after and key not in self._reloading:
                    self._reloading.add(key)
                    reload = True
                else:
                    reload = False
            else:
                hit = reload = None
        if hit is not None:
            if reload:
                self._refresh(lambda: self._reload(key, load))
            return hit[1]
        value = load()
        self._put(key, now, value)
        return value

    def _reload(self, key: str, load: Callable[[], Any]) -> None:
        try:
            started = self.clock()
            self._put(key, started, load())
        except LookupFailed:  # the entry stays until it expires; the next miss asks again and sees why
            pass
        finally:
            with self._lock:
                self._reloading.discard(key)

    def _put(self, key: str, at: float, value: Any) -> None:
        with self._lock:
            self._items[key] = (at, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Directory:
    """The installation's team, people and channels, from Slack through plain callables.

    ``auth_test()`` → the ``auth.test`` body (``team_id``, ``enterprise_id``), asked once and kept;
    ``user_info(user)`` → the ``users.info`` ``user`` object (with ``locale``); ``channel_info(channel)``
    → the ``conversations.info`` ``channel`` object. Each raises ``LookupFailed`` when Slack cannot say.
    """

    def __init__(
        self,
        auth_test: Callable[[], Mapping[str, Any]] | None = None,
        user_info: Callable[[str], Mapping[str, Any]] | None = None,
        channel_info: Callable[[str], Mapping[str, Any]] | None = None,
        team_id: str = "",
        cache_seconds: float = 60.0,
    ):
        self._auth_test, self._user_info, self._channel_info = auth_test, user_info, channel_info
        self._installation: tuple[str, str] | None = (team_id, "") if team_id else None
        self._lock = threading.Lock()
        self.users = TtlCache(cache_seconds)
        self.channels = TtlCache(cache_seconds)

    def installation(self) -> tuple[str, str]:
        """(team_id, enterprise_id) of the workspace the bot is installed in."""
        with self._lock:
            if self._installation is not None:
                return self._installation
        if self._auth_test is None:
            raise LookupFailed("no auth.test")
        body = self._auth_test()
        found = (str(body.get("team_id") or ""), str(body.get("enterprise_id") or ""))
        if not found[0]:
            raise LookupFailed("auth.test named no team")
        with self._lock:
            self._installation = found
        return found

    def user(self, user: str) -> UserFacts:
        if self._user_info is None:
            raise LookupFailed("no users.info")

        def load() -> UserFacts:
            info = self._user_info(user)  # type: ignore[misc]
            enterprise = (info.get("enterprise_user") or {}).get("enterprise_id") or ""
            return UserFacts(
                team_id=str(info.get("team_id") or ""),
                enterprise_id=str(enterprise),
                guest=bool(info.get("is_restricted") or info.get("is_ultra_restricted")),
                locale=str(info.get("locale") or ""),
                deleted=bool(info.get("deleted")),
                tz=str(info.get("tz") or ""),
            )

        return self.users.get(user, load)

    def zone(self, user: str) -> str:
        """The person's own time zone from Slack, or '' when Slack cannot say (nothing is refused for it)."""
        try:
            return self.user(user).tz
        except LookupFailed:
            return ""

    def channel(self, channel: str) -> ChannelFacts:
        if self._channel_info is None:
            raise LookupFailed("no conversations.info")

        def load() -> ChannelFacts:
            info = self._channel_info(channel)  # type: ignore[misc]
            return ChannelFacts(ext_shared=bool(info.get("is_ext_shared")))

        return self.channels.get(channel, load)
