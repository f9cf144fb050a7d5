"""SIGTERM to a ``chatops worker`` with work in hand loses nothing.

Five slash commands are queued. The worker (two threads) answers two; the next two are held inside
their diagnoses (the pods listing, at the Kubernetes stand-in) and the fifth is still queued when it
gets SIGTERM. With ``SHUTDOWN_GRACE_SECONDS=1`` it stops claiming, gives the held jobs their grace,
releases them and exits 0: every job is then done or queued again (the attempt not counted), none is
left ``running``. A second worker finishes the rest, and every request is answered once.
"""

from __future__ import annotations

from tests.polling import wait

PODS = "/api/v1/namespaces/cloudon/pods"


def test_sigterm_releases_running_jobs_and_the_next_worker_answers_every_request(world):
    triggers = [world.slash("pods cloudon") for _ in range(5)]
    assert [(j.kind, j.state) for j in world.jobs()] == [("run_ops", "queued")] * 5

    gate = world.kube.gate("GET", PODS, hold=2, skip=2)
    # a long lease: nothing here waits for one to lapse, and a slow heartbeat must not hand a job over
    first = world.worker("a", threads=2, job_lease_seconds=30)
    gate.wait_held(2)
    wait(lambda: [j.state for j in world.jobs()].count("done") == 2, 60, "the first two jobs to be done")
    assert [j.state for j in world.jobs()] == ["done", "done", "running", "running", "queued"]

    assert first.sigterm() == 0, first.tail()
    # released (jobs 3 and 4) or never claimed (5): queued, with all three attempts still to use
    assert [(j.state, j.lease_owner, j.max_attempts - j.attempts) for j in world.jobs()] == [
        ("done", None, 2),
        ("done", None, 2),
        ("queued", None, 3),
        ("queued", None, 3),
        ("queued", None, 3),
    ]
    gate.drop()  # the listings the stopped worker was making are never answered

    world.worker("b", threads=2, job_lease_seconds=30)
    wait(lambda: all(j.state == "done" for j in world.jobs()), 90, "every job to be done")
    requests = [world.request_for(t) for t in triggers]
    assert all(r is not None for r in requests)  # each delivery made its request, once
    assert len(world.repo.latest_requests()) == 5
    answered = [r.state != "diagnosing" for r in requests]
    diagnoses = [
        len([m for m in world.thread(r) if m.thread_ts and "pods in cloudon" in (m.text or "")]) for r in requests
    ]
    assert all(answered) and diagnoses == [1] * 5, (answered, diagnoses)
