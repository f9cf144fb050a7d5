"""Steps shared by scenarios: wait for the bot's plan in a thread, approve it, wait for the end."""

from __future__ import annotations

from sandbox.runtime import OPS, OPS2, Sandbox


def latest_plan(sandbox: Sandbox, request_id: int):
    return sandbox.latest_plan(request_id)


def approve_and_wait(sandbox: Sandbox, plan_id: int, user: str = OPS, timeout: float = 60.0, second: str = OPS2):
    """Approve as ``user`` (and, for a high-risk plan, as ``second`` too) and wait for the outcome."""
    return sandbox.approve(plan_id, user=user, second=second, timeout=timeout)
