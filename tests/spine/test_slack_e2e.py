"""End to end through the real Bolt app over HTTP: signed requests in, Slack Web API stand-in out,
Kubernetes through the official client against the stand-in, the database on SQLite."""

from __future__ import annotations

import json
import time

import pytest

from sandbox.runtime import DEV, OPS, REQUEST_CHANNEL, STRANGER, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import wait


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        yield sb


def _texts(sandbox, channel=REQUEST_CHANNEL):
    return [m.text for m in sandbox.slack.messages(channel)]


def test_slash_command_acks_then_replies_lazily_in_a_thread(sandbox):
    seed_pod_restart_world(sandbox.kube)
    resp = sandbox.slash("pods cloudon")
    assert resp.status_code == 200
    req = sandbox.wait_request(lambda r: r.intent == "pods")
    assert req.state == "done"
    thread = sandbox.slack.thread(REQUEST_CHANNEL, req.thread_ts)
    assert thread[0].text.startswith("✅ Done: cloudon")
    table = json.dumps(thread[1].blocks)
    assert "api-7d9f8-zz81m" in table and "CrashLoopBackOff" in table
    # not-ready pods first
    assert table.index("api-7d9f8-zz81m") < table.index("api-7d9f8-k2x9q")


def test_free_text_english_and_korean_answer_in_kind(sandbox):
    seed_pod_restart_world(sandbox.kube)
    sandbox.say("show pods in cloudon")
    en = sandbox.wait_request(lambda r: r.lang == "en")
    assert en.intent == "pods" and en.entities.get("namespace") == "cloudon"
    sandbox.say("cloudon 네임스페이스 파드 목록 보여줘")
    ko = sandbox.wait_request(lambda r: r.lang == "ko")
    assert ko.intent == "pods"
    thread = sandbox.slack.thread(REQUEST_CHANNEL, ko.thread_ts)
    assert any("파드" in (m.text or "") for m in thread[1:])


def test_restart_flow_refuses_requester_and_stranger_then_applies_once(sandbox):
    facts = seed_pod_restart_world(sandbox.kube)
    sandbox.slash(f"restart cloudon/{facts['stuck']}")
    req = sandbox.wait_request(lambda r: r.intent == "pod_restart")
    plan = sandbox.repo.plans_for_request(req.id)[0]
    assert plan.status == "proposed" and plan.message_ts
    message = [m for m in sandbox.slack.messages(REQUEST_CHANNEL) if m.ts == plan.message_ts][0]
    buttons = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert {b["action_id"] for b in buttons} == {"approve_plan", "reject_plan"}
    assert all(b["value"] == str(plan.id) for b in buttons)
    assert "confirm" in [b for b in buttons if b["action_id"] == "approve_plan"][0]

    sandbox.click("approve_plan", plan.id, user=DEV, message_ts=plan.message_ts)
    sandbox.click("approve_plan", plan.id, user=STRANGER, message_ts=plan.message_ts)
    wait(lambda: len(sandbox.slack.ephemerals()) >= 2, what="two ephemeral refusals")
    refusals = [e.text if hasattr(e, "text") else e["text"] for e in sandbox.slack.ephemerals()]
    assert any("someone else" in t for t in refusals) and any("Only approvers" in t for t in refusals)
    assert sandbox.repo.get_plan(plan.id).status == "proposed"

    for _ in range(3):  # double (triple) click
        sandbox.click("approve_plan", plan.id, user=OPS, message_ts=plan.message_ts)
    done = sandbox.wait_plan_status(plan.id, ("applied", "failed"))
    assert done.status == "applied"
    # the deleted pod is Terminating until the stand-in's kubelet has stopped it
    wait(lambda: sandbox.kube.get("Pod", "cloudon", facts["stuck"]) is None, what="the old pod to be gone")
    kinds = [r.kind for r in sandbox.repo.audit_rows(plan_id=plan.id)]
    assert kinds.count("applied") == 1 and kinds.count("refused") == 2 and "verified" in kinds
    deletes = [r for r in sandbox.kube.requests if r[0] == "DELETE"]
    assert len(deletes) == 1
    updated = [m for m in sandbox.slack.messages(REQUEST_CHANNEL) if m.ts == plan.message_ts][0]
    assert "Running and ready" in json.dumps(updated.blocks)


def test_stale_plan_is_refused(sandbox):
    facts = seed_pod_restart_world(sandbox.kube)
    sandbox.slash(f"restart cloudon/{facts['stuck']}")
    req = sandbox.wait_request(lambda r: r.intent == "pod_restart")
    plan = sandbox.repo.plans_for_request(req.id)[0]
    pod = sandbox.kube.get("Pod", "cloudon", facts["stuck"])
    sandbox.kube.remove("Pod", "cloudon", facts["stuck"])
    pod["metadata"].pop("uid", None)
    pod["metadata"].pop("resourceVersion", None)
    sandbox.kube.put(pod)  # same name, new uid: not the pod the plan was made for
    sandbox.click("approve_plan", plan.id, user=OPS, message_ts=plan.message_ts)
    done = sandbox.wait_plan_status(plan.id, ("applied", "failed"))
    assert done.status == "failed" and done.result["reason"] == "stale"
    assert sandbox.kube.get("Pod", "cloudon", facts["stuck"]) is not None
    wait(
        lambda: any("Re-run" in json.dumps(m.blocks or []) for m in sandbox.slack.messages(REQUEST_CHANNEL)),
        what="re-run button",
    )


def test_forged_and_stale_signatures_are_refused_without_side_effects(sandbox):
    body = b"command=%2Fops&text=pods+-A&user_id=U_DEV&channel_id=C_REQ"
    forged = sandbox.driver.signed_headers(body, secret="not-the-secret")
    assert sandbox.driver.post_raw(body, forged).status_code == 401
    old = sandbox.driver.signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    assert sandbox.driver.post_raw(body, old).status_code == 401
    assert sandbox.driver.post_raw(body, {"Content-Type": "application/x-www-form-urlencoded"}).status_code == 401
    time.sleep(0.3)
    assert sandbox.repo.audit_count() == 0
    assert sandbox.slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    "text,needle",
    [
        ("", "What I can do"),
        ("restart cloudon", "NAMESPACE/POD"),
        ("pods Bad_NS", "not a valid namespace"),
        ("frobnicate now", "unknown command"),
        ("x" * 10_000, "keep a command under"),
        ("\x00\x01\x02 \udcff", "unknown command"),
        ("audit abc", "audit [N]"),
        ('pods "unclosed', "quotes"),
    ],
)
def test_bad_slash_input_gets_a_clear_ephemeral_usage_message(sandbox, text, needle):
    resp = sandbox.slash(text.encode("utf-8", "replace").decode("utf-8") if text else text)
    assert resp.status_code == 200
    payload = resp.json()
    assert payload.get("response_type") == "ephemeral"
    assert needle in payload["text"]
    time.sleep(0.2)
    assert sandbox.repo.audit_count() == 0


def test_retried_event_delivery_runs_once(sandbox):
    seed_pod_restart_world(sandbox.kube)
    ts = "1732400000.000100"
    event = {"type": "message", "text": "show pods in cloudon", "user": DEV, "channel": REQUEST_CHANNEL, "ts": ts}
    sandbox.driver.event(event, event_id="Ev1")
    sandbox.driver.event(event, event_id="Ev1", retry_num=1)
    sandbox.driver.event({**event, "type": "app_mention", "text": "<@UBOT> show pods in cloudon"}, event_id="Ev2")
    sandbox.wait_request(lambda r: r.intent == "pods")
    time.sleep(0.5)
    received = [r for r in sandbox.repo.audit_rows() if r.kind == "request_received"]
    assert len(received) == 1


def test_kubernetes_denying_the_bot_is_named_in_the_thread(sandbox):
    seed_pod_restart_world(sandbox.kube)
    sandbox.kube.deny("list", "pods", "cloudon")
    sandbox.slash("pods cloudon")
    req = sandbox.wait_request(lambda r: r.intent == "pods")
    assert req.state == "failed"
    thread = sandbox.slack.thread(REQUEST_CHANNEL, req.thread_ts)
    text = " ".join(m.text for m in thread)
    assert "k8s:list_namespaced_pod" in text and "RBAC" in text and "ref " in text
    failed = [r for r in sandbox.repo.audit_rows() if r.kind == "diagnosis_failed"]
    assert len(failed) == 1 and failed[0].ref


@pytest.mark.parametrize(
    "pod,needles",
    [
        (
            "api-7d9f8-gone1",
            (
                "There is no pod cloudon/api-7d9f8-gone1",
                "api-7d9f8-k2x9q (Running)",
                "api-7d9f8-zz81m (CrashLoopBackOff)",
            ),
        ),
        ("nothing-here", ("There is no pod cloudon/nothing-here", "`pods cloudon` lists the 3 pods")),
    ],
)
def test_a_pod_that_is_gone_is_told_with_what_is_there_now(sandbox, pod, needles):
    seed_pod_restart_world(sandbox.kube)
    sandbox.slash(f"events cloudon/{pod}")
    req = sandbox.wait_request(lambda r: r.intent == "pod_events")
    assert req.state == "failed"
    text = " ".join(m.text for m in sandbox.slack.thread(REQUEST_CHANNEL, req.thread_ts))
    assert all(n in text for n in needles), text
    assert "NotFound" not in text  # the user's words, not the API's


def test_unclear_free_text_asks_with_buttons(sandbox):
    sandbox.say("hello, something is weird with our stuff")
    req = sandbox.wait_request()
    assert req.state == "asked"
    thread = sandbox.slack.thread(REQUEST_CHANNEL, req.thread_ts)
    actions = [b for m in thread for b in (m.blocks or []) if b["type"] == "actions"]
    assert actions and all(e["action_id"].startswith("choose_intent_") for e in actions[0]["elements"])


def test_audit_command_shows_latest_rows_ephemerally(sandbox):
    seed_pod_restart_world(sandbox.kube)
    sandbox.slash("pods cloudon")
    sandbox.wait_request(lambda r: r.intent == "pods")
    sandbox.slash("audit 5", user=OPS)
    sandbox.slack.wait_for(lambda r: "request_received" in json.dumps(r.body), source="responses")
    body = [r.body for r in sandbox.slack.responses if "request_received" in json.dumps(r.body)][0]
    assert body["response_type"] == "ephemeral" and "diagnosis_completed" in body["text"]
