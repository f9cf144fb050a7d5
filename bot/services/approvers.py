"""Who may approve plans: configured Slack user ids and/or members of a Slack user group.

Group membership comes from ``usergroups.users.list`` (through a callable, so this module
does not know Slack) and is cached briefly; it is checked again at every click, and fetched afresh
(``fresh=True``) at the click that would decide a plan. ``invalidate`` drops the cache (Slack's
``subteam_members_changed`` / ``subteam_updated`` events call it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable


class Approvers:
    def __init__(
        self,
        user_ids: Iterable[str] = (),
        usergroup: str = "",
        group_members: Callable[[str], list[str]] | None = None,
        cache_seconds: float = 60.0,
        *,
        allow_self_approval: bool = False,
    ):
        self.user_ids = frozenset(user_ids)
        self.usergroup = usergroup
        self._group_members = group_members
        self._cache_seconds = cache_seconds
        self._cached: tuple[float, frozenset[str]] | None = None
        self._lock = threading.Lock()
        self.allow_self_approval = allow_self_approval

    def _members(self, *, fresh: bool = False) -> frozenset[str]:
        if not self.usergroup or self._group_members is None:
            return frozenset()
        with self._lock:
            now = time.monotonic()
            if not fresh and self._cached and now - self._cached[0] < self._cache_seconds:
                return self._cached[1]
            members = frozenset(self._group_members(self.usergroup))
            self._cached = (now, members)
            return members

    def is_approver(self, user_id: str, *, fresh: bool = False) -> bool:
        """Whether ``user_id`` may approve; ``fresh`` reads the group from Slack instead of the cache."""
        return user_id in self.user_ids or user_id in self._members(fresh=fresh)

    def invalidate(self, usergroup: str = "") -> bool:
        """Forget the cached membership (of ``usergroup``, or whichever is configured); True if it applied."""
        if usergroup and usergroup != self.usergroup:
            return False
        with self._lock:
            self._cached = None
        return True

    def mention(self) -> str:
        if self.usergroup:
            return f"<!subteam^{self.usergroup}>"
        return " ".join(f"<@{u}>" for u in sorted(self.user_ids)) or "ops"
