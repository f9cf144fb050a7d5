"""Steps shared by scenarios: wait for the bot's plan in a thread, approve it, wait for the end."""

from __future__ import annotations

from sandbox.runtime import OPS, OPS2, Sandbox


def latest_plan(sandbox: Sandbox, request_id: int):
    plans = sandbox.repo.plans_for_request(request_id)
    if not plans:
        raise AssertionError(f"request #{request_id} proposed no plan")
    return plans[-1]


def approve_and_wait(sandbox: Sandbox, plan_id: int, user: str = OPS, timeout: float = 60.0,
                     second: str = OPS2):
    """Approve as ``user`` (and, for a high-risk plan, as ``second`` too) and wait for the outcome."""
    plan = sandbox.repo.get_plan(plan_id)
    sandbox.click("approve_plan", plan_id, user=user, message_ts=plan.message_ts)
    if plan.approvals_needed > 1:
        sandbox.wait_approvals(plan_id, 1)
        sandbox.click("approve_plan", plan_id, user=second, message_ts=plan.message_ts)
    return sandbox.wait_plan_status(plan_id, ("applied", "failed"), timeout=timeout)
