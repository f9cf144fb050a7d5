"""Sandbox world: a member of an IngressGroup that will not finish deleting.

Ingresses ``cloudon/cloudon-ingress`` (being deleted) and ``cloudon/cloudon-api`` (active) share
the ALB of the explicit IngressGroup ``shop`` (annotation ``alb.ingress.kubernetes.io/group.name``).
The controller's role trusts only the ``kube-system`` and ``web`` controller service accounts, so
STS refuses its web identity token and every AWS call fails.

How the AWS Load Balancer Controller reports that, from kubernetes-sigs/aws-load-balancer-controller
@ v2.17.1 (3b9bdb1e3fb2ccd7190f32c665062ff2b5792543) and controller-runtime @ v0.21.0 (71f7db55):

* ``pkg/ingress/group_loader.go``: an ingress with a ``deletionTimestamp`` belongs to no group; if
  it still holds the group finalizer it is one of the group's ``InactiveMembers``.
* ``controllers/ingress/group_controller.go`` ``recordIngressGroupEvent``: events (``Failed deploy
  model due to ...``) go to the group's active ``Members`` only, so the stuck ingress has none.
* ``pkg/ingress/finalizer.go`` ``buildGroupFinalizer``: ``group.ingress.k8s.aws/<group>`` for an
  explicit group.
* The reconcile request is the group id (``pkg/ingress/group.go``: an explicit group has an empty
  namespace), and controller-runtime's ``pkg/controller/controller.go`` logs it as
  ``"controller":"ingress","object":{"name":"shop"},"namespace":"","name":"shop"`` with the
  ``"Reconciler error"`` message (``pkg/internal/controller/controller.go``).

The imitation controller lets go of the stuck member once STS would admit its service account and
the role may ``DeleteTargetGroup`` the member's target group on its real tags (``iam_rules``):
the group's other member keeps the ALB. Called by the ``ingress-group`` scenario and the IRSA tests.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from typing import Any

from sandbox.kube_api import KubeStandIn
from sandbox.worlds import irsa

GROUP, ACTIVE = "shop", "cloudon-api"
GROUP_ANNOTATION = "alb.ingress.kubernetes.io/group.name"
GROUP_FINALIZER = f"group.ingress.k8s.aws/{GROUP}"
TARGET_GROUP = "k8s-cloudon-cloudonw-5e6f7a8b9c"
DELETE_TG = "elasticloadbalancing:DeleteTargetGroup"


def _member(name: str, hostname: str, deleted_at: str = "") -> dict[str, Any]:
    obj = irsa.stuck_ingress(irsa.NAMESPACE, name, hostname, deleted_at)
    meta = obj["metadata"]
    meta["finalizers"] = [GROUP_FINALIZER]
    meta["annotations"][GROUP_ANNOTATION] = GROUP
    if not deleted_at:
        del meta["deletionTimestamp"]
    return obj


def _error(facts: dict[str, Any]) -> str:
    """What the controller's AWS SDK for Go v2 says when STS refuses the web identity token."""
    return (
        "operation error Elastic Load Balancing v2: DeleteTargetGroup, get identity: get credentials: "
        "failed to refresh cached credentials, failed to retrieve credentials, operation error STS: "
        "AssumeRoleWithWebIdentity, https response error StatusCode: 403, RequestID: "
        "1f6c3b1e-2a9d-4e55-8c0b-7d2f4a9e6b10, api error AccessDenied: Not authorized to perform "
        "sts:AssumeRoleWithWebIdentity"
    )


def _kube(kube: KubeStandIn, facts: dict[str, Any]) -> None:
    pod = irsa.controller_objects(kube, facts)
    deleted = (kube.clock() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    kube.put(_member(irsa.INGRESS, facts["lb_dns"], deleted))
    active = kube.put(_member(ACTIVE, facts["lb_dns"]))
    error = _error(facts)
    kube.add_event(
        irsa.NAMESPACE,
        active,
        "FailedDeployModel",
        f"Failed deploy model due to {error}",
        source_component="ingress",
        count=230,
        first_seconds_ago=2 * 86400,
        last_seconds_ago=30,
    )
    log = {
        "level": "error",
        "ts": round(time.time(), 6),
        "msg": "Reconciler error",
        "controller": "ingress",
        "object": {"name": GROUP},
        "namespace": "",
        "name": GROUP,
        "reconcileID": str(uuid.uuid4()),
        "error": error,
    }
    kube.set_pod_log(irsa.NAMESPACE, pod["metadata"]["name"], json.dumps(log) + "\n")


def controller_may_release(aws: Any, facts: dict[str, Any]) -> bool:
    """Would the real controller finish removing the member: STS admits, DeleteTargetGroup allowed?"""
    if not irsa.sts_admits(aws, facts):
        return False
    described = aws.client("elbv2").describe_tags(ResourceArns=[facts["tg_arn"]])["TagDescriptions"]
    tags = {t["Key"]: t["Value"] for t in (described[0]["Tags"] if described else [])}
    return irsa.role_may(aws, DELETE_TG, facts["tg_arn"], tags)


def _install(aws: Any, kube: KubeStandIn, facts: dict[str, Any]) -> None:
    last = [0.0]

    def group_controller(k: KubeStandIn) -> None:
        ingress = k.get("Ingress", irsa.NAMESPACE, irsa.INGRESS)
        if ingress is None or GROUP_FINALIZER not in (ingress["metadata"].get("finalizers") or []):
            return
        if time.monotonic() - last[0] < 0.2:  # the real controller backs off too; keeps moto calls few
            return
        last[0] = time.monotonic()
        if not controller_may_release(aws, facts):
            return
        aws.client("elbv2").delete_target_group(TargetGroupArn=facts["tg_arn"])
        ingress["metadata"]["finalizers"] = [f for f in ingress["metadata"]["finalizers"] if f != GROUP_FINALIZER]
        k.put(ingress)  # no finalizers left on an object being deleted: the stand-in removes it

    kube.add_reconciler(group_controller)
    irsa.install_deployment_controller(kube)


def seed_ingress_group_world(aws: Any, kube: KubeStandIn) -> dict[str, Any]:
    tags = {
        "elbv2.k8s.aws/cluster": irsa.CLUSTER,
        "ingress.k8s.aws/stack": GROUP,
        "ingress.k8s.aws/resource": "LoadBalancer",
    }
    facts = irsa.aws_world(aws, ["kube-system", "web"], tags)
    tg_tags = {
        "elbv2.k8s.aws/cluster": irsa.CLUSTER,
        "ingress.k8s.aws/stack": GROUP,
        "ingress.k8s.aws/resource": f"{irsa.NAMESPACE}/{irsa.INGRESS}-cloudon-web:80",
    }
    tg = aws.client("elbv2").create_target_group(
        Name=TARGET_GROUP,
        Protocol="HTTP",
        Port=80,
        VpcId=facts["vpc"],
        TargetType="ip",
        Tags=[{"Key": k, "Value": v} for k, v in tg_tags.items()],
    )["TargetGroups"][0]
    facts.update(group=GROUP, active_member=ACTIVE, tg_arn=tg["TargetGroupArn"])
    _kube(kube, facts)
    _install(aws, kube, facts)
    return facts
