"""Scenario ingress: "cloudon-ingress won't delete" (the IRSA trust-policy case), end to end.

(a) the classic case: the controller role's trust policy admits only other namespaces' service accounts;
the developer asks in Korean; the bot names the trust policy as the broken link and proposes adding
exactly ``system:serviceaccount:cloudon:aws-load-balancer-controller``; the developer cannot approve
it; ops approve; the sandbox's load balancer controller (which evaluates the live IAM policies)
deletes the load balancer and removes the finalizer; the bot watches the ingress go.
(b) the load balancer lacks the ``elbv2.k8s.aws/cluster`` tag the official policy requires.
"""

from __future__ import annotations

from sandbox.runtime import DEV, Sandbox
from sandbox.scenarios.common import approve_and_wait, latest_plan
from sandbox.worlds import irsa as worlds


def _outcome(*, ok: bool, detail: str):
    from sandbox.demo import Outcome

    return Outcome(ok, detail)


def _finish(sandbox: Sandbox, req, label: str):
    plan = latest_plan(sandbox, req.id)
    sandbox.click("approve_plan", plan.id, user=DEV, message_ts=plan.message_ts)  # refused: the requester
    done = approve_and_wait(sandbox, plan.id)
    gone = sandbox.kube.get("Ingress", "cloudon", "cloudon-ingress") is None
    codes = (req.diagnosis or {}).get("codes", [])
    return done, gone, codes


def trust_policy(sandbox: Sandbox):
    sandbox.ctx.cluster_name = "prod"
    sandbox.ctx.lb_controller = worlds.CONTROLLER_LOCATION
    facts = worlds.seed_ingress_trust_world(sandbox.aws, sandbox.kube)
    sandbox.say("cloudon 네임스페이스 cloudon-ingress 삭제가 안돼요")
    req = sandbox.wait_request(lambda r: r.intent == "ingress_delete_denied")
    done, gone, codes = _finish(sandbox, req, "trust")
    trust = sandbox.aws.client("iam").get_role(RoleName=facts["role_name"])["Role"]["AssumeRolePolicyDocument"]
    admitted = "system:serviceaccount:cloudon:aws-load-balancer-controller" in str(trust)
    ok = done.status == "applied" and gone and admitted
    return _outcome(
        ok=ok,
        detail=f"trust: findings {codes[:3]}; plan #{done.id} {done.status}; subject admitted={admitted}; "
        f"ingress deleted={gone}",
    )


def untagged_load_balancer(sandbox: Sandbox):
    sandbox.ctx.cluster_name = "prod"
    sandbox.ctx.lb_controller = worlds.CONTROLLER_LOCATION
    facts = worlds.seed_ingress_untagged_lb_world(sandbox.aws, sandbox.kube)
    sandbox.slash("ingress cloudon/cloudon-ingress")
    req = sandbox.wait_request(lambda r: r.intent == "ingress_delete_denied")
    done, gone, codes = _finish(sandbox, req, "tag")
    ok = (
        done.status == "applied"
        and gone
        and facts["lb_arn"] not in str(sandbox.aws.client("elbv2").describe_load_balancers()["LoadBalancers"])
    )
    return _outcome(
        ok=ok, detail=f"untagged LB: findings {codes[:3]}; plan #{done.id} {done.status}; ingress deleted={gone}"
    )


PARTS = (trust_policy, untagged_load_balancer)
