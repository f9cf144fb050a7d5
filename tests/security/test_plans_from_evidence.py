"""Attacks on the IRSA fixes through signed HTTP: text a requester types never chooses what changes.

Each test seeds the seed scenario's cluster (the AWS Load Balancer Controller runs as
``cloudon/aws-load-balancer-controller`` with ``AmazonEKSLoadBalancerControllerRole``), adds a
developer's own namespace ``devns`` with a Deployment running as service account ``app``, then
tries to turn a pasted error or a command into a grant for ``devns``. Each asserts what the
attacker sees in the thread, the audit row of the diagnosis, and that AWS and Kubernetes are
unchanged (no plan step names anything live state did not supply).
"""

from __future__ import annotations

import json

import pytest

from bot.domain import Risk
from bot.store.records import RequestRecord
from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL, Sandbox
from sandbox.worlds import irsa as worlds
from tests.polling import wait
from tests.security.helpers import sandbox_on

ROLE = worlds.ROLE
ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"


@pytest.fixture(params=["sqlite", "postgresql"])
def sandbox(request, moto_sandbox):
    with sandbox_on(request.param, moto_sandbox) as sb:
        yield sb


def _seed(sandbox: Sandbox, *, annotate_dev_sa: bool = False) -> dict:
    sandbox.ctx.cluster_name = "prod"
    sandbox.ctx.lb_controller = worlds.CONTROLLER_LOCATION
    facts = worlds.seed_ingress_trust_world(sandbox.aws, sandbox.kube)
    kube = sandbox.kube
    kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "devns"}})
    annotations = {ROLE_ANNOTATION: facts["role_arn"]} if annotate_dev_sa else {}
    kube.put(
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "app", "namespace": "devns", "annotations": annotations},
        }
    )
    labels = {"app": "app"}
    template = {
        "metadata": {"labels": labels},
        "spec": {"serviceAccountName": "app", "containers": [{"name": "app", "image": "nginx"}]},
    }
    kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "app", "namespace": "devns"},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": template},
        }
    )
    kube.put(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "app-1", "namespace": "devns", "labels": labels},
            "spec": {"serviceAccountName": "app", "containers": [{"name": "app", "image": "nginx"}]},
            "status": {"phase": "Running"},
        }
    )
    return facts


def _iam_state(sandbox: Sandbox) -> dict:
    iam = sandbox.aws.client("iam")
    role = iam.get_role(RoleName=ROLE)["Role"]
    return {
        "trust": role["AssumeRolePolicyDocument"],
        "inline": iam.list_role_policies(RoleName=ROLE)["PolicyNames"],
        "attached": sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]),
    }


def _kube_state(sandbox: Sandbox) -> dict:
    sa = sandbox.kube.get("ServiceAccount", "devns", "app")
    dep = sandbox.kube.get("Deployment", "devns", "app")
    return {
        "annotations": dict(sa["metadata"].get("annotations") or {}),
        "template": json.dumps(dep["spec"]["template"], sort_keys=True),
    }


def _steps_text(sandbox: Sandbox, request_id: int) -> str:
    return json.dumps([p.steps for p in sandbox.repo.plans_for_request(request_id)])


def _thread_text(sandbox: Sandbox, req: RequestRecord) -> str:
    return json.dumps(
        [(m.text, m.blocks) for m in sandbox.slack.thread(req.channel, req.thread_ts)], ensure_ascii=False
    )


def _diagnosis_audit(sandbox: Sandbox, req: RequestRecord):
    rows = [r for r in sandbox.repo.audit_rows() if r.request_id == req.id and r.kind == "diagnosis_completed"]
    assert rows, "the diagnosis left no audit row"
    return rows[-1]


def _error(facts: dict, action: str, resource: str, session: str = "devns-app") -> str:
    return (
        f"AccessDenied: User: arn:aws:sts::{facts['account']}:assumed-role/{ROLE}/{session} "
        f"is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )


@pytest.mark.parametrize(
    "action,resource",
    [
        ("secretsmanager:GetSecretValue", "*"),
        ("s3:*", "arn:aws:s3:::*"),
        ("iam:*", "*"),
    ],
)
def test_a_pasted_error_naming_the_controller_role_and_my_account_grants_nothing(sandbox, action, resource):
    facts = _seed(sandbox)
    iam_before, kube_before = _iam_state(sandbox), _kube_state(sandbox)
    sandbox.say("pods of serviceaccount app in namespace devns get: " + _error(facts, action, resource))
    req = sandbox.wait_request(lambda r: r.intent == "irsa_access_denied")
    assert req.state == "done", req.state
    assert sandbox.repo.plans_for_request(req.id) == []
    thread = _thread_text(sandbox, req)
    assert "will not annotate" in thread  # the role does not trust devns/app: no annotation with it
    assert "devns" not in _steps_text(sandbox, req.id)
    audit = _diagnosis_audit(sandbox, req)
    assert audit.after["plans"] == [] and "irsa.plan.manual" in audit.after["codes"]
    assert _iam_state(sandbox) == iam_before and _kube_state(sandbox) == kube_before


def test_irsa_on_my_account_annotated_with_the_controller_role_is_refused(sandbox):
    _seed(sandbox, annotate_dev_sa=True)
    iam_before, kube_before = _iam_state(sandbox), _kube_state(sandbox)
    sandbox.slash("irsa devns/app")
    req = sandbox.wait_request(lambda r: r.intent == "irsa_access_denied")
    assert sandbox.repo.plans_for_request(req.id) == []
    thread = _thread_text(sandbox, req)
    assert "AWS Load Balancer Controller's role" in thread and "not devns/app" in thread
    audit = _diagnosis_audit(sandbox, req)
    assert "irsa.plan.refused" in audit.after["codes"] and audit.after["plans"] == []
    assert _iam_state(sandbox) == iam_before and _kube_state(sandbox) == kube_before


def test_iam_on_the_controller_role_proposes_only_the_controller_account(sandbox):
    facts = _seed(sandbox, annotate_dev_sa=True)
    sandbox.slash(f"iam {ROLE}")
    req = sandbox.wait_request(lambda r: r.intent == "irsa_access_denied")
    plans = sandbox.repo.plans_for_request(req.id)
    (trust,) = plans  # the controller's own account: legitimate, and high risk on its own
    assert trust.risk == Risk.HIGH and trust.approvals_needed == 2 and "cloudon" in trust.title["en"]
    steps = _steps_text(sandbox, req.id)
    assert facts["subject"] in steps and "devns" not in steps
    assert "not devns/app" in _thread_text(sandbox, req)


def test_a_pod_labelled_like_the_controller_elsewhere_is_not_the_controller(sandbox):
    _seed(sandbox)
    kube = sandbox.kube
    kube.put({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "fake", "namespace": "devns"}})
    kube.put(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "aws-load-balancer-controller-fake",
                "namespace": "devns",
                "labels": dict(worlds.LABELS),
            },
            "spec": {"serviceAccountName": "fake", "containers": [{"name": "c", "image": worlds.IMAGE}]},
            "status": {"phase": "Running"},
        }
    )
    iam_before = _iam_state(sandbox)
    sandbox.slash("ingress cloudon/cloudon-ingress")
    req = sandbox.wait_request(lambda r: r.intent == "ingress_delete_denied")
    steps = _steps_text(sandbox, req.id)
    assert "devns" not in steps and "fake" not in steps
    (plan,) = sandbox.repo.plans_for_request(req.id)
    assert plan.risk == Risk.HIGH
    assert _iam_state(sandbox) == iam_before


def test_a_pasted_load_balancer_is_never_tagged(sandbox):
    facts = _seed(sandbox)
    elb = sandbox.aws.client("elbv2")
    subnets = [s["SubnetId"] for s in sandbox.aws.client("ec2").describe_subnets()["Subnets"]][:2]
    other = elb.create_load_balancer(Name="other-team", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    sandbox.say(_error(facts, "elasticloadbalancing:ModifyLoadBalancerAttributes", other, session="x"))
    req = sandbox.wait_request(lambda r: r.intent == "irsa_access_denied")
    steps = _steps_text(sandbox, req.id)
    assert other not in steps and "elbv2.tag_load_balancer" not in steps
    assert "Not tagging other-team" in _thread_text(sandbox, req)
    assert elb.describe_tags(ResourceArns=[other])["TagDescriptions"][0]["Tags"] == []


def test_a_pasted_role_that_is_not_the_one_in_use_is_said_plainly(sandbox):
    facts = _seed(sandbox)
    sandbox.say(
        "cloudon-ingress in cloudon won't delete. "
        + _error(facts, "elasticloadbalancing:DeleteLoadBalancer", facts["lb_arn"]).replace(
            f"assumed-role/{ROLE}/", "assumed-role/eks-admin/"
        )
    )
    req = sandbox.wait_request(lambda r: r.intent == "ingress_delete_denied")
    thread = _thread_text(sandbox, req)
    assert "The error you pasted names role eks-admin" in thread and f"the role in use is {ROLE}" in thread
    assert "eks-admin" not in _steps_text(sandbox, req.id)


def test_the_seed_trust_fix_is_high_risk_and_needs_two_approvers_neither_the_requester(sandbox):
    facts = _seed(sandbox)
    sandbox.say("cloudon 네임스페이스 cloudon-ingress 삭제가 안돼요")
    req = sandbox.wait_request(lambda r: r.intent == "ingress_delete_denied")
    (plan,) = sandbox.repo.plans_for_request(req.id)
    assert plan.risk == Risk.HIGH and plan.approvals_needed == 2
    assert plan.steps[0]["risk"] == "high"
    sandbox.click("approve_plan", plan.id, user=DEV, message_ts=plan.message_ts)
    sandbox.click("approve_plan", plan.id, user=OPS, message_ts=plan.message_ts)
    wait(lambda: sandbox.repo.approvers(plan.id) == [OPS], what="the first approval is recorded")
    assert sandbox.repo.get_plan(plan.id).status == "proposed"  # one approval is not enough
    sandbox.click("approve_plan", plan.id, user=OPS2, message_ts=plan.message_ts)
    done = sandbox.wait_plan_status(plan.id, ("applied", "failed"), timeout=60)
    assert done.status == "applied"
    trust = sandbox.aws.client("iam").get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    assert facts["subject"] in json.dumps(trust)
    refused = [r for r in sandbox.repo.audit_rows() if r.kind == "refused" and r.actor == DEV]
    assert refused, "the requester's own click is refused and audited"
    assert any(m.channel == REQUEST_CHANNEL for m in sandbox.slack.messages(REQUEST_CHANNEL))
