"""The global middleware that hands every listener its dependencies as ``context["deps"]``.

Listeners are module-level functions (``def approve(body, client, context)``) that read
``deps = context["deps"]``, so each can be called with mocks. The middleware runs on every request,
before the guard and any listener, including lazy halves a job worker replays through ``app.dispatch``
(``bot.slack.jobs``): it sets ``deps`` again there, so nothing about it travels in the job row.

Bolt's own thread runner does not run middleware for a lazy listener: it hands it a copy of the
request made in ``ThreadListenerRunner._build_lazy_request``, which deep-copies every context key
that is not one of Bolt's standard properties (``BoltContext.to_copyable``) and then deep-copies the
whole request again. ``Deps`` cannot be deep-copied (its services hold modules, engines and locks;
Bolt would drop the key with a warning), and a copy, where one could be made, would be a second set
of services. So the context holds ``SharedDeps``: it reads through to the one ``Deps``, and every
copy of it is itself.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.slack.deps import Deps

KEY = "deps"


class SharedDeps:
    """``Deps`` as the request context holds it: attributes read through, copies are the same object."""

    __slots__ = ("_deps",)

    def __init__(self, deps: Deps):
        self._deps = deps

    def __getattr__(self, name: str) -> Any:
        if name == "_deps":  # not set yet (an instance made without __init__): no endless lookup
            raise AttributeError(name)
        return getattr(self._deps, name)

    def __copy__(self) -> SharedDeps:
        return self

    def __deepcopy__(self, _memo: dict[int, Any]) -> SharedDeps:
        return self

    def __repr__(self) -> str:
        return f"SharedDeps({self._deps!r})"


def install(app: App, deps: Deps) -> None:
    """Register the middleware that sets ``context["deps"]`` (before the guard and every listener)."""
    shared = SharedDeps(deps)

    def provide_deps(context: Any, next: Any) -> Any:  # noqa: A002
        context[KEY] = shared
        return next()

    app.use(provide_deps)
