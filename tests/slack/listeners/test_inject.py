"""``context["deps"]`` reaches every listener: in the ack, in a lazy listener on Bolt's own threads
(which get a deep copy of the request's context), and in a job a worker replays."""

from __future__ import annotations

import copy
import json
import threading
from concurrent.futures import Executor, Future
from datetime import UTC, datetime
from typing import Any
from unittest.mock import Mock

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.authorization import AuthorizeResult

from bot.slack import inject
from bot.slack.deps import Deps
from bot.slack.jobs import JobLazyRunner, replay
from bot.store.jobs import Job


class InlineExecutor(Executor):
    """Runs what Bolt hands its listener executor at once, so a lazy listener has run when dispatch returns."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


@pytest.fixture
def locked_deps() -> Deps:
    """A ``Deps`` that, like the real one, cannot be deep-copied (a lock among its services)."""
    services = Mock(name="services")
    services.lock = threading.Lock()
    return Deps(services=services, requests=Mock(), plans=Mock(), applier=Mock(), reports=Mock())


def _app(deps: Deps, seen: list[Any]) -> App:
    app = App(
        signing_secret="unused",
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-1", bot_user_id="UB"),
        process_before_response=True,
        request_verification_enabled=False,
        listener_executor=InlineExecutor(),
    )
    inject.install(app, deps)

    def acknowledge(ack, context):
        seen.append(("ack", context["deps"]))
        ack()

    def probe(context):
        seen.append(("lazy", context["deps"]))

    app.action("probe")(ack=acknowledge, lazy=[probe])
    return app


def _click() -> BoltRequest:
    body = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "actions": [{"type": "button", "action_id": "probe", "value": "1"}],
    }
    return BoltRequest(body=body, mode="socket_mode")


def test_the_middleware_sets_deps_and_lets_the_request_go_on(deps):
    app = Mock(name="app")
    inject.install(app, deps)
    (middleware,) = app.use.call_args.args
    context: dict[str, Any] = {}
    next_ = Mock(name="next")
    middleware(context=context, next=next_)
    next_.assert_called_once_with()
    assert context[inject.KEY].plans is deps.plans and context[inject.KEY].builtins is deps.builtins


def test_every_copy_of_the_shared_deps_is_itself(locked_deps):
    with pytest.raises(TypeError):
        copy.deepcopy(locked_deps)  # what Bolt would do to a Deps put in the context as it is
    shared = inject.SharedDeps(locked_deps)
    assert copy.deepcopy(shared) is shared and copy.copy(shared) is shared
    assert shared.services is locked_deps.services and shared.authorizer is locked_deps.authorizer


def test_the_ack_and_a_lazy_listener_on_bolts_threads_see_the_same_deps(locked_deps):
    seen: list[Any] = []
    response = _app(locked_deps, seen).dispatch(_click())
    assert response.status == 200
    assert [where for where, _ in seen] == ["ack", "lazy"]
    (_, acked), (_, lazy) = seen
    assert lazy is acked and lazy.plans is locked_deps.plans


class RecordingStore:
    """Keeps what the runner queues, as the jobs table would (JSON: nothing but data)."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, str, dict[str, Any]]] = []

    def enqueue(self, kind: str, dedupe_key: str, payload: dict[str, Any], max_attempts: int) -> int:
        self.queued.append((kind, dedupe_key, json.loads(json.dumps(payload))))
        return len(self.queued)


def test_a_job_a_worker_replays_gets_deps_from_the_middleware_not_the_job_row(locked_deps):
    store = RecordingStore()
    queued_by: list[Any] = []
    app = _app(locked_deps, queued_by)
    app.listener_runner.lazy_listener_runner = JobLazyRunner(store, max_attempts=3)  # type: ignore[arg-type]
    app.dispatch(_click())
    assert [where for where, _ in queued_by] == ["ack"]  # the lazy half was queued, not run
    ((kind, _key, payload),) = store.queued
    assert kind == "probe" and "deps" not in json.dumps(payload)
    seen: list[Any] = []
    replay(_app(locked_deps, seen), Job(1, kind, payload, 1, 3, datetime.now(UTC)))
    ((where, lazy),) = seen
    assert where == "lazy" and lazy.requests is locked_deps.requests
