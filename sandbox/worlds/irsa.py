"""Sandbox worlds for the IRSA scenario: an ingress that will not delete.

``seed_ingress_trust_world`` is the classic case: EKS cluster ``prod`` with its OIDC issuer
and IAM provider, role ``AmazonEKSLoadBalancerControllerRole`` whose trust policy admits only
the ``kube-system`` and ``web`` controller service accounts while the controller runs in
``cloudon``, the controller policy attached, an ALB tagged for the cluster, and ingress
``cloudon/cloudon-ingress`` stuck with finalizer ``ingress.k8s.aws/resources`` plus the
controller's AccessDenied log line (no event: the controller records none on a deleting
ingress). ``seed_ingress_untagged_lb_world`` has a correct trust policy but an ALB without the
``elbv2.k8s.aws/cluster`` tag (left by the old controller).

Both install two imitations on the Kubernetes stand-in that decide from the live moto state:
a load balancer controller that deletes the ALB and drops the finalizer once the role's trust
policy admits its service account and its policies allow ``DeleteLoadBalancer`` on the ALB's
real tags (judged by the world's own IAM rules, ``sandbox.worlds.iam_rules``), and a deployment
controller plus IRSA
webhook that replaces a restarted deployment's pods, injecting the web identity env when the
service account is annotated. Called by the demo scenarios and the IRSA tests.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from sandbox.kube_api import KubeStandIn
from sandbox.worlds import iam_rules

# Anything with ``client(service)`` and ``region``: the sandbox's plain boto3 factory or a test's.
Aws = Any

CLUSTER, NAMESPACE, INGRESS = "prod", "cloudon", "cloudon-ingress"
CONTROLLER_SA = "aws-load-balancer-controller"
# In this world's cluster the controller runs in the application's namespace, not kube-system: the
# bot is told so (LB_CONTROLLER / the clusters file), as its operators would tell it.
CONTROLLER_LOCATION = f"{NAMESPACE}/aws-load-balancer-controller"
ROLE, POLICY = "AmazonEKSLoadBalancerControllerRole", "AWSLoadBalancerControllerIAMPolicy"
LB_NAME = "k8s-cloudon-cloudonin-0a1b2c3d4e"
FINALIZER = "ingress.k8s.aws/resources"
ROLE_ANNOTATION, RESTARTED_AT = "eks.amazonaws.com/role-arn", "kubectl.kubernetes.io/restartedAt"
IMAGE = "public.ecr.aws/eks/aws-load-balancer-controller:v2.8.2"
LABELS = {
    "app.kubernetes.io/name": "aws-load-balancer-controller",
    "app.kubernetes.io/instance": "aws-load-balancer-controller",
}
_TAGGED = {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}
_ELB = "elasticloadbalancing:"
# Abridged from the official controller policy (docs/install/iam_policy.json of
# kubernetes-sigs/aws-load-balancer-controller; the whole file is tests/fixtures/irsa/lbc_iam_policy.json):
# the describe statement and the tag-conditioned statements that govern what the controller may delete.
LBC_POLICY_ABRIDGED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Resource": "*",
            "Action": ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
            + [
                _ELB + a for a in ("DescribeLoadBalancers", "DescribeListeners", "DescribeTargetGroups", "DescribeTags")
            ],
        },
        {
            "Effect": "Allow",
            "Resource": "*",
            "Condition": _TAGGED,
            "Action": [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
        },
        {
            "Effect": "Allow",
            "Resource": "*",
            "Condition": {"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}},
            "Action": [_ELB + "CreateLoadBalancer", _ELB + "CreateTargetGroup"],
        },
        {
            "Effect": "Allow",
            "Resource": "*",
            "Condition": _TAGGED,
            "Action": [
                _ELB + a
                for a in (
                    "ModifyLoadBalancerAttributes",
                    "SetIpAddressType",
                    "SetSecurityGroups",
                    "SetSubnets",
                    "DeleteLoadBalancer",
                    "ModifyTargetGroup",
                    "ModifyTargetGroupAttributes",
                    "RegisterTargets",
                    "DeregisterTargets",
                    "DeleteTargetGroup",
                )
            ],
        },
    ],
}


def controller_deployment(namespace: str) -> dict[str, Any]:
    template = {
        "metadata": {"labels": dict(LABELS)},
        "spec": {"serviceAccountName": CONTROLLER_SA, "containers": [{"name": "controller", "image": IMAGE}]},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "aws-load-balancer-controller", "namespace": namespace, "labels": dict(LABELS)},
        "spec": {"replicas": 1, "selector": {"matchLabels": dict(LABELS)}, "template": template},
    }


def controller_replica_set(deployment: dict[str, Any]) -> dict[str, Any]:
    """The ReplicaSet a Deployment owns (what the deployment controller creates for its template)."""
    meta = deployment["metadata"]
    owner = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "controller": True,
        "name": meta["name"],
        "uid": meta.get("uid", ""),
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{meta['name']}-7c9d8f",
            "namespace": meta["namespace"],
            "labels": dict(LABELS),
            "ownerReferences": [owner],
        },
        "spec": {"replicas": 1, "selector": {"matchLabels": dict(LABELS)}, "template": deployment["spec"]["template"]},
    }


def controller_pod(replica_set: dict[str, Any], role_arn: str, suffix: str, restarted_at: str = "") -> dict[str, Any]:
    """A controller pod as the EKS pod identity webhook leaves it (web identity env only if annotated)."""
    env = (
        [
            {"name": "AWS_ROLE_ARN", "value": role_arn},
            {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"},
        ]
        if role_arn
        else []
    )
    meta = replica_set["metadata"]
    owner = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "controller": True,
        "name": meta["name"],
        "uid": meta.get("uid", ""),
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{meta['name']}-{suffix}",
            "namespace": meta["namespace"],
            "labels": dict(LABELS),
            "ownerReferences": [owner],
            "annotations": {"sandbox/restartedAt": restarted_at} if restarted_at else {},
        },
        "spec": {
            "serviceAccountName": CONTROLLER_SA,
            "nodeName": "ip-10-0-1-23.ap-northeast-1.compute.internal",
            "containers": [{"name": "controller", "image": IMAGE, "env": env}],
        },
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    }


def stuck_ingress(namespace: str, name: str, hostname: str, deleted_at: str) -> dict[str, Any]:
    backend = {"service": {"name": "cloudon-web", "port": {"number": 80}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "finalizers": [FINALIZER],
            "deletionTimestamp": deleted_at,
            "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"},
        },
        "spec": {
            "ingressClassName": "alb",
            "rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}],
        },
        "status": {"loadBalancer": {"ingress": [{"hostname": hostname}]}},
    }


def sa_subject(namespace: str, service_account: str) -> str:
    """The ``sub`` claim of a projected service account token (EKS User Guide, "IAM roles for
    service accounts": ``system:serviceaccount:NAMESPACE:NAME``)."""
    return f"system:serviceaccount:{namespace}:{service_account}"


def _trust(account: str, host: str, namespaces: list[str]) -> dict[str, Any]:
    subs = [sa_subject(ns, CONTROLLER_SA) for ns in namespaces]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{host}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{host}:sub": subs, f"{host}:aud": "sts.amazonaws.com"}},
            }
        ],
    }


def aws_world(aws: Aws, trusted_namespaces: list[str], lb_tags: dict[str, str]) -> dict[str, Any]:
    account = aws.client("sts").get_caller_identity()["Account"]
    iam, ec2 = aws.client("iam"), aws.client("ec2")
    eks_trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    cluster_role = iam.create_role(RoleName="eks-cluster-prod", AssumeRolePolicyDocument=json.dumps(eks_trust))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{aws.region}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "c"))
    ]
    cluster = aws.client("eks").create_cluster(
        name=CLUSTER, roleArn=cluster_role["Role"]["Arn"], resourcesVpcConfig={"subnetIds": subnets}
    )["cluster"]
    issuer = cluster["identity"]["oidc"]["issuer"]
    provider = iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["sts.amazonaws.com"])
    trust = _trust(account, issuer.removeprefix("https://"), trusted_namespaces)
    role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    policy = iam.create_policy(PolicyName=POLICY, PolicyDocument=json.dumps(LBC_POLICY_ABRIDGED))["Policy"]
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=policy["Arn"])
    lb = aws.client("elbv2").create_load_balancer(
        Name=LB_NAME,
        Subnets=subnets,
        Scheme="internet-facing",
        Tags=[{"Key": k, "Value": v} for k, v in lb_tags.items()],
    )
    lb = lb["LoadBalancers"][0]
    return {
        "account": account,
        "cluster": CLUSTER,
        "vpc": vpc,
        "issuer": issuer,
        "role_name": ROLE,
        "role_arn": role["Arn"],
        "provider_arn": provider["OpenIDConnectProviderArn"],
        "policy_arn": policy["Arn"],
        "lb_arn": lb["LoadBalancerArn"],
        "lb_dns": lb["DNSName"],
        "namespace": NAMESPACE,
        "ingress": INGRESS,
        "service_account": CONTROLLER_SA,
        "subject": sa_subject(NAMESPACE, CONTROLLER_SA),
    }


def _error_line(facts: dict[str, Any]) -> str:
    """The controller's error, worded as AWS words an implicit deny."""
    return (
        f"AccessDenied: User: arn:aws:sts::{facts['account']}:assumed-role/{ROLE}/1732400000000000000 "
        "is not authorized to perform: elasticloadbalancing:DeleteLoadBalancer "
        f"on resource: {facts['lb_arn']} "
        "because no identity-based policy allows the elasticloadbalancing:DeleteLoadBalancer action"
        "\n\tstatus code: 403, request id: 6c2a5e0e-8d1f-4f7a-9a55-0d1c8b5f2e11"
    )


def controller_objects(kube: KubeStandIn, facts: dict[str, Any]) -> dict[str, Any]:
    """The namespace, the controller's annotated service account, Deployment, ReplicaSet; its pod."""
    kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    kube.put(
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": CONTROLLER_SA,
                "namespace": NAMESPACE,
                "labels": dict(LABELS),
                "annotations": {ROLE_ANNOTATION: facts["role_arn"]},
            },
        }
    )
    deployment = kube.put(controller_deployment(NAMESPACE))
    replica_set = kube.put(controller_replica_set(deployment))
    return kube.put(controller_pod(replica_set, facts["role_arn"], "sandbox0"))


def _kube_world(kube: KubeStandIn, facts: dict[str, Any]) -> None:
    pod = controller_objects(kube, facts)
    deleted = (kube.clock() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    kube.put(stuck_ingress(NAMESPACE, INGRESS, facts["lb_dns"], deleted))
    # No event: the controller records events only on a group's active members, and an ingress being
    # deleted is none (kubernetes-sigs/aws-load-balancer-controller v2.17.1,
    # controllers/ingress/group_controller.go recordIngressGroupEvent, pkg/ingress/group_loader.go).
    # Its implicit group's id is the ingress itself, which controller-runtime v0.21.0 logs as
    # object/namespace/name beside "Reconciler error" (pkg/controller/controller.go).
    log = {
        "level": "error",
        "ts": round(time.time(), 6),
        "msg": "Reconciler error",
        "controller": "ingress",
        "object": {"name": INGRESS, "namespace": NAMESPACE},
        "namespace": NAMESPACE,
        "name": INGRESS,
        "reconcileID": "4b1f7c2e-9d3a-4e8b-a6c5-2f0d1e9b8a7c",
        "error": _error_line(facts),
    }
    kube.set_pod_log(NAMESPACE, pod["metadata"]["name"], json.dumps(log) + "\n")


def role_documents(iam: Any, role: str = ROLE) -> list[dict[str, Any]]:
    """The identity-based policy documents of ``role``: attached (default version) and inline."""
    docs = []
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        arn = attached["PolicyArn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        docs.append(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        docs.append(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
    return docs


def _as_dict(doc: Any) -> dict[str, Any]:
    return json.loads(doc) if isinstance(doc, str) else doc


def sts_admits(aws: Aws, facts: dict[str, Any]) -> bool:
    """Would STS hand the controller's service account credentials for the role (iam_rules)?"""
    iam = aws.client("iam")
    host = facts["issuer"].removeprefix("https://")
    partition = facts["role_arn"].split(":")[1]
    provider = f"arn:{partition}:iam::{facts['account']}:oidc-provider/{host}"
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    trust = _as_dict(iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"])
    return provider in providers and iam_rules.web_identity_admitted(
        trust, provider, host, facts["subject"], "sts.amazonaws.com"
    )


def role_may(aws: Aws, action: str, resource: str, tags: dict[str, str]) -> bool:
    docs = [_as_dict(d) for d in role_documents(aws.client("iam"))]
    return iam_rules.decide(docs, action, resource, iam_rules.resource_tag_context(tags)) == iam_rules.ALLOW


def controller_may_delete(aws: Aws, facts: dict[str, Any]) -> bool:
    """Would the real controller succeed now? Trust admits its SA and DeleteLoadBalancer is allowed."""
    if not sts_admits(aws, facts):
        return False
    described = aws.client("elbv2").describe_tags(ResourceArns=[facts["lb_arn"]])["TagDescriptions"]
    tags = {t["Key"]: t["Value"] for t in (described[0]["Tags"] if described else [])}
    return role_may(aws, _ELB + "DeleteLoadBalancer", facts["lb_arn"], tags)


def install_deployment_controller(kube: KubeStandIn) -> None:
    """Replaces a restarted Deployment's pods, the IRSA webhook injecting the annotated role."""

    def deployment_controller(k: KubeStandIn) -> None:
        for dep in k.list("Deployment", NAMESPACE):
            template = dep["spec"]["template"]
            stamp = (template["metadata"].get("annotations") or {}).get(RESTARTED_AT, "")
            pods = [p for p in k.list("Pod", NAMESPACE) if (p["metadata"].get("labels") or {}) == LABELS]
            if not stamp or all(
                (p["metadata"].get("annotations") or {}).get("sandbox/restartedAt") == stamp for p in pods
            ):
                continue
            sa = k.get("ServiceAccount", NAMESPACE, template["spec"]["serviceAccountName"]) or {}
            role = ((sa.get("metadata") or {}).get("annotations") or {}).get(ROLE_ANNOTATION, "")
            for p in pods:
                k.remove("Pod", NAMESPACE, p["metadata"]["name"])
            replica_set = k.get("ReplicaSet", NAMESPACE, f"{dep['metadata']['name']}-7c9d8f")
            k.put(controller_pod(replica_set, role, "".join(c for c in stamp if c.isdigit())[-6:], stamp))

    kube.add_reconciler(deployment_controller)


def _install_controllers(aws: Aws, kube: KubeStandIn, facts: dict[str, Any]) -> None:
    last = [0.0]

    def lb_controller(k: KubeStandIn) -> None:
        ingress = k.get("Ingress", NAMESPACE, INGRESS)
        if ingress is None or FINALIZER not in (ingress["metadata"].get("finalizers") or []):
            return
        if time.monotonic() - last[0] < 0.2:  # the real controller backs off too; keeps moto calls few
            return
        last[0] = time.monotonic()
        if not controller_may_delete(aws, facts):
            return
        aws.client("elbv2").delete_load_balancer(LoadBalancerArn=facts["lb_arn"])
        ingress["metadata"]["finalizers"] = [f for f in ingress["metadata"]["finalizers"] if f != FINALIZER]
        k.put(ingress)  # no finalizers left on an object being deleted: the stand-in removes it

    kube.add_reconciler(lb_controller)
    install_deployment_controller(kube)


def seed_ingress_trust_world(aws: Aws, kube: KubeStandIn) -> dict[str, Any]:
    """The seed case: the trust policy lists only kube-system's and web's controller service accounts."""
    tags = {
        "elbv2.k8s.aws/cluster": CLUSTER,
        "ingress.k8s.aws/stack": f"{NAMESPACE}/{INGRESS}",
        "ingress.k8s.aws/resource": "LoadBalancer",
    }
    facts = aws_world(aws, ["kube-system", "web"], tags)
    _kube_world(kube, facts)
    _install_controllers(aws, kube, facts)
    return facts


def seed_ingress_untagged_lb_world(aws: Aws, kube: KubeStandIn) -> dict[str, Any]:
    """Trust is fine; the ALB (made by the old v1 controller) lacks the elbv2.k8s.aws/cluster tag."""
    tags = {
        "kubernetes.io/ingress-name": INGRESS,
        "kubernetes.io/namespace": NAMESPACE,
        f"kubernetes.io/cluster/{CLUSTER}": "owned",
    }
    facts = aws_world(aws, ["kube-system", "web", NAMESPACE], tags)
    _kube_world(kube, facts)
    _install_controllers(aws, kube, facts)
    return facts
