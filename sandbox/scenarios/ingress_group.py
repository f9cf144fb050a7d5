"""Scenario ingress-group: a member of the IngressGroup ``shop`` will not finish deleting.

The controller records its events on the group's other member and logs the group, not the
ingress; the bot reads both, names the group and the trust policy as the broken link, and proposes
admitting ``system:serviceaccount:cloudon:aws-load-balancer-controller``. The developer cannot
approve; two operators approve the high-risk IAM plan; the world's controller (deciding with its
own IAM rules) then removes the member's target group and finalizer, and the ingress is gone while
the group's other member keeps the load balancer.
"""

from __future__ import annotations

from sandbox.runtime import DEV, Sandbox
from sandbox.scenarios.common import approve_and_wait, latest_plan
from sandbox.worlds import irsa, irsa_group


def _outcome(*, ok: bool, detail: str):
    from sandbox.demo import Outcome

    return Outcome(ok, detail)


def run(sandbox: Sandbox):
    sandbox.ctx.cluster_name = irsa.CLUSTER
    sandbox.ctx.lb_controller = irsa.CONTROLLER_LOCATION
    facts = irsa_group.seed_ingress_group_world(sandbox.aws, sandbox.kube)
    sandbox.say("cloudon 네임스페이스 cloudon-ingress 삭제가 안돼요")
    req = sandbox.wait_request(lambda r: r.intent == "ingress_delete_denied")
    codes = (req.diagnosis or {}).get("codes", [])
    plan = latest_plan(sandbox, req.id)
    sandbox.click("approve_plan", plan.id, user=DEV, message_ts=plan.message_ts)  # refused: the requester
    done = approve_and_wait(sandbox, plan.id)
    gone = sandbox.kube.get("Ingress", irsa.NAMESPACE, irsa.INGRESS) is None
    kept = sandbox.kube.get("Ingress", irsa.NAMESPACE, facts["active_member"]) is not None
    lbs = str(sandbox.aws.client("elbv2").describe_load_balancers()["LoadBalancers"])
    # Read from the group's log line and its other member: without them the bot sees no AWS error.
    read = "irsa.controller.aws_error" in codes and "irsa.controller.no_error_seen" not in codes
    ok = read and done.status == "applied" and gone and kept and facts["lb_arn"] in lbs
    return _outcome(
        ok=ok,
        detail=f"group {facts['group']}: findings {codes[:3]}; plan #{done.id} {done.status}; "
        f"member deleted={gone}; other member kept={kept}",
    )


PARTS = (run,)
