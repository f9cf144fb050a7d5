"""A worker SIGKILLed in the middle of a diagnosis: another worker answers the request, once.

The acking side queues the slash command; worker A claims the job and is held inside the diagnosis
(its read of the pod, at the Kubernetes stand-in), with the request recorded and its thread opened.
A is SIGKILLed there. Its lease lapses and worker B claims the job again (attempt 2): the request is
resumed, not started again and not dropped as a delivery seen before. The thread ends with one
status message, one diagnosis and one plan with buttons; the job is done after two attempts.

The second test kills A after the findings and the plan were posted and recorded, while the
thread's status message is being updated. The third kills A between the findings and the plan's
message: B reads the thread (``conversations.replies``), sees the findings, and posts only the plan.
The fourth kills A after Slack posted the thread's status message and before A heard its ts: B finds
that message by its metadata (``conversations.history``) and answers in it, opening no second thread.
"""

from __future__ import annotations

from tests.durability.harness import has_buttons
from tests.polling import wait

POD = "/api/v1/namespaces/cloudon/pods/api-7d9f8-zz81m"


def test_sigkill_mid_diagnosis_is_answered_once_by_the_next_worker(world):
    trigger = world.slash("restart cloudon/api-7d9f8-zz81m")
    assert [(j.kind, j.state, j.attempts) for j in world.jobs()] == [("run_ops", "queued", 0)]

    gate = world.kube.gate("GET", POD)
    first = world.worker("a")
    gate.wait_held(1)
    # A is inside the diagnosis: the job is its, the request recorded and its thread opened
    job = world.job("run_ops")
    assert (job.state, job.attempts) == ("running", 1)
    req = world.request_for(trigger)
    assert req is not None and req.state == "diagnosing" and req.status_ts, first.tail()
    first.sigkill()
    gate.drop()  # the read A was making is never answered

    second = world.worker("b")
    wait(lambda: world.job("run_ops").state == "done", 90, "the job to be finished by the second worker", 0.1)
    job = world.job("run_ops")
    assert (job.state, job.attempts) == ("done", 2), second.tail()

    (req,) = world.repo.latest_requests()
    assert req.state == "open"  # answered: it left 'diagnosing' with a plan awaiting approval
    thread = world.thread(req)
    roots = [m for m in thread if m.thread_ts is None]
    diagnoses = [m for m in thread if m.thread_ts and "is owned by ReplicaSet/api-7d9f8" in (m.text or "")]
    plans = [m for m in thread if has_buttons(m)]
    assert (len(roots), len(diagnoses), len(plans)) == (1, 1, 1), [m.text for m in thread]
    (plan,) = world.repo.plans_for_request(req.id)
    assert (plan.status, plan.message_ts) == ("proposed", plans[0].ts)
    assert gate.seen == 2  # the pod was read once by each attempt


def test_sigkill_after_the_diagnosis_was_posted_leaves_one_diagnosis_and_one_live_plan(world):
    trigger = world.slash("restart cloudon/api-7d9f8-zz81m")
    # the status update that follows the posted findings and plan: the diagnosis's last Slack call
    gate = world.slack.gate(lambda method, args: method == "chat.update" and "Waiting for approval" in str(args))
    first = world.worker("a")
    gate.wait_held(1)
    req = world.request_for(trigger)
    # the plans' messages and the request's state were recorded as soon as they were posted
    assert req.state == "open" and len([m for m in world.thread(req) if has_buttons(m)]) == 1, first.tail()
    first.sigkill()
    gate.drop()

    world.worker("b")
    wait(lambda: world.job("run_ops").state == "done", 90, "the job to be finished by the second worker", 0.1)
    assert world.job("run_ops").attempts == 2
    req = world.request_for(trigger)
    assert req.state == "open"
    thread = world.thread(req)
    diagnoses = [m for m in thread if m.thread_ts and "is owned by ReplicaSet/api-7d9f8" in (m.text or "")]
    buttons = [m.ts for m in thread if has_buttons(m)]
    live = [p.message_ts for p in world.repo.plans_for_request(req.id) if p.status == "proposed"]
    assert len(live) == 1 and all(live)
    # every Approve button the thread shows is for a plan that can still be approved, and the findings once
    assert buttons == live and len(diagnoses) == 1, (buttons, live, len(diagnoses))
    # the retry brought the status line the first attempt never updated up to date
    status = next(m for m in world.slack.messages(req.channel) if m.ts == req.status_ts)
    assert "Waiting for approval" in status.text


def test_sigkill_between_the_findings_and_the_plan_message_posts_only_the_plan(world):
    trigger = world.slash("restart cloudon/api-7d9f8-zz81m")
    # the plan's message, the one after the findings: A posts the findings, then is held here
    gate = world.slack.gate(lambda method, args: method == "chat.postMessage" and "approve_plan" in str(args))
    first = world.worker("a")
    gate.wait_held(1)
    req = world.request_for(trigger)
    findings = [m for m in world.thread(req) if "is owned by ReplicaSet/api-7d9f8" in (m.text or "")]
    assert req.state == "diagnosing" and len(findings) == 1 and req.diagnosis, first.tail()
    first.sigkill()
    gate.drop()

    world.worker("b")
    wait(lambda: world.job("run_ops").state == "done", 90, "the job to be finished by the second worker", 0.1)
    req = world.request_for(trigger)
    assert req.state == "open"
    thread = world.thread(req)
    diagnoses = [m for m in thread if m.thread_ts and "is owned by ReplicaSet/api-7d9f8" in (m.text or "")]
    buttons = [m.ts for m in thread if has_buttons(m)]
    (plan,) = world.repo.plans_for_request(req.id)  # the plan the first attempt recorded, not a new one
    assert (len(diagnoses), buttons, plan.status) == (1, [plan.message_ts], "proposed"), [m.text for m in thread]
    assert world.slack.calls_to("conversations.replies")  # it read the thread to know what was posted


def test_sigkill_after_the_thread_was_posted_but_not_recorded_answers_in_that_thread(world):
    trigger = world.slash("restart cloudon/api-7d9f8-zz81m")
    # the status message that opens the thread: Slack has posted it, A never hears its ts
    gate = world.slack.gate(lambda method, args: method == "chat.postMessage" and "metadata" in args, served=True)
    first = world.worker("a")
    gate.wait_held(1)
    req = world.request_for(trigger)
    assert req.state == "diagnosing" and not req.status_ts, first.tail()
    (opened,) = [m for m in world.slack.messages(req.channel) if m.bot_id and m.thread_ts is None]
    first.sigkill()
    gate.drop()

    world.worker("b")
    wait(lambda: world.job("run_ops").state == "done", 90, "the job to be finished by the second worker", 0.1)
    req = world.request_for(trigger)
    roots = [m for m in world.slack.messages(req.channel) if m.bot_id and m.thread_ts is None]
    assert ([m.ts for m in roots], req.thread_ts, req.status_ts) == ([opened.ts], opened.ts, opened.ts)
    thread = world.thread(req)
    diagnoses = [m for m in thread if m.thread_ts and "is owned by ReplicaSet/api-7d9f8" in (m.text or "")]
    assert (req.state, len(diagnoses), len([m for m in thread if has_buttons(m)])) == ("open", 1, 1)
    status = next(m for m in thread if m.ts == opened.ts)
    assert "Waiting for approval" in status.text  # the status line A posted is the one kept up to date
    assert world.slack.calls_to("conversations.history")
