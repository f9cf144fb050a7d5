"""Sandbox worlds for scenario 4 (TCP keepalive sysctls): imitation kubelets and Pod Security admission.

Called by the ``chatops demo --scenario sysctl`` / ``sysctl-allowlisted`` scripts and by
``tests/sysctl``. Each ``seed_*`` creates the EKS cluster and node group in moto and the Kubernetes
objects in the stand-in, installs the API server's pod admission (Pod Security, then scheduler and
kubelet sysctl admission) and a reconciler (Deployment/ReplicaSet controller that honours Pod
Security admission), and returns the facts. They judge with the world's own tables
(``sandbox.worlds.sysctl_rules``), fed from live state: node objects' kubelet and kernel versions,
namespace labels, and each kubelet's configuration, which the stand-in also serves to the bot at
``/api/v1/nodes/NODE/proxy/configz`` (``sandbox.kube_node_proxy``).

Worlds: (a) ``seed_keepalive_on_128``: EKS 1.28, AL2 node group, an ``ubuntu`` pod rejected;
(b) ``seed_lagging_nodegroup``: 1.30 control plane, node group still on 1.28 kubelets;
(c) ``seed_psa_pinned``: 1.30 cluster whose namespace pins ``enforce-version: v1.28``;
(d) ``sandbox.worlds.sysctl_allowlisted``. ``roll_out_nodegroup`` plays the people who replace a
node group afterwards.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from typing import Any

from sandbox import kube_node_proxy
from sandbox.kube_api import KubeStandIn
from sandbox.kube_controllers import random_suffix, running_pod
from sandbox.kube_resources import ApiError
from sandbox.kube_store import timestamp
from sandbox.worlds import sysctl_rules as rules

CLUSTER, NAMESPACE, ACCOUNT = "prod", "default", "123456789012"
INTVL = "net.ipv4.tcp_keepalive_intvl"
FIRST_NODE = "ip-10-0-1-23.ap-northeast-1.compute.internal"
PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
PSA_ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version"
KERNEL = "5.10.219-208.866.amzn2.x86_64"  # AL2 EKS AMIs for 1.24+ ship 5.10 (amazon-eks-ami release notes)
KERNEL_AL2023 = "6.1.119-129.201.amzn2023.x86_64"  # AL2023 ships 6.1
SUBNET = "subnet-0a1b2c3d"
GIT = {"1.28": "v1.28.15-eks-7f9249a", "1.29": "v1.29.10-eks-7f9249a", "1.30": "v1.30.8-eks-2a3b4c5"}
_RELEASE = {"1.28": "1.28.15-20250101", "1.29": "1.29.10-20250101", "1.30": "1.30.8-20250101"}
Obj = dict[str, Any]


def ubuntu_pod_spec() -> Obj:
    """The pod spec from the team's notes."""
    return {
        "containers": [{"name": "ubuntu", "image": "ubuntu", "command": ["sleep"], "args": ["1d"]}],
        "securityContext": {"sysctls": [{"name": INTVL, "value": "60"}]},
    }


class SysctlWorld:
    """The imitated API server admission, scheduler, kubelets and controllers of one world."""

    def __init__(self, kube: KubeStandIn, control_plane: str, deployments: tuple[str, ...] = ()):
        self.kube = kube
        self.control_plane = control_plane  # what the stand-in serves at /version
        self.deployments = deployments
        self.nodes_made = 0
        self._reported: set[str] = set()
        kube.set_version(control_plane)

    def psa_refusal(self, namespace: str, pod_name: str, sysctls: list[str]) -> str | None:
        """Pod Security admission's words for a pod it refuses, None if it admits the pod.

        Wording as the API server reports it, e.g. ``pods "nfs-server" is forbidden: violates
        PodSecurity "baseline:latest": ...`` (kubernetes/kubernetes#109221), with the sysctls check's
        ``forbidden sysctls (a, b)`` (check_sysctls.go: ForbiddenReason, ForbiddenDetail).
        """
        labels = ((self.kube.get("Namespace", None, namespace) or {}).get("metadata") or {}).get("labels") or {}
        level = labels.get("pod-security.kubernetes.io/enforce", "privileged")
        version = labels.get("pod-security.kubernetes.io/enforce-version", "latest")
        server = rules.minor(self.control_plane) or (1, 0)
        forbidden = rules.psa_forbidden(sysctls, level, version, server)
        if not forbidden:
            return None
        return (
            f'pods "{pod_name}" is forbidden: violates PodSecurity "{level}:{version}": '
            f"forbidden sysctls ({', '.join(forbidden)})"
        )

    def api_admission(self, pod: Obj) -> Obj:
        """A pod created through the API: Pod Security admission (403), then scheduler and kubelet."""
        context = (pod.get("spec") or {}).get("securityContext") or {}
        sysctls = [s.get("name", "") for s in context.get("sysctls") or []]
        meta = pod.get("metadata") or {}
        refusal = self.psa_refusal(meta.get("namespace", ""), meta.get("name", ""), sysctls)
        if refusal is not None:
            raise ApiError(403, "Forbidden", refusal)
        return self.admit(pod)

    def admit(self, pod: Obj) -> Obj:
        """Scheduler, then the kubelet's sysctl admission handler (pkg/kubelet/sysctl/allowlist.go)."""
        spec = pod.setdefault("spec", {})
        bound = spec.get("nodeName")
        node = self.kube.get("Node", None, bound) if bound else self._schedule(spec)
        if node is None:
            pod["status"] = {"phase": "Pending"}
            return pod
        name = node["metadata"]["name"]
        spec["nodeName"] = name
        info = node["status"]["nodeInfo"]
        allowed = kube_node_proxy.kubelet_config(self.kube, name).get("allowedUnsafeSysctls") or []
        host_net, host_ipc = bool(spec.get("hostNetwork")), bool(spec.get("hostIPC"))
        for item in (spec.get("securityContext") or {}).get("sysctls") or []:
            message = rules.kubelet_refusal(
                item.get("name", ""),
                rules.minor(info["kubeletVersion"]) or (1, 0),
                rules.minor(info.get("kernelVersion")),
                allowed,
                host_net=host_net,
                host_ipc=host_ipc,
            )
            if message is not None:
                # kubelet.go rejectPod: phase Failed, reason SysctlForbidden, "Pod was rejected: " + message
                pod["status"] = {
                    "phase": "Failed",
                    "reason": "SysctlForbidden",
                    "message": f"Pod was rejected: {message}",
                    "startTime": timestamp(self.kube.clock()),
                }
                return pod
        return running_pod(pod, timestamp(self.kube.clock()))

    def _schedule(self, spec: Obj) -> Obj | None:
        wanted = spec.get("nodeSelector") or {}
        for candidate in self.kube.list("Node"):
            labels = candidate["metadata"].get("labels") or {}
            if all(labels.get(k) == v for k, v in wanted.items()):
                return candidate
        return None

    def reconcile(self, kube: KubeStandIn) -> None:
        """The kubelet's SysctlForbidden events, and the Deployment + ReplicaSet controllers."""
        for pod in kube.list("Pod"):
            status = pod.get("status") or {}
            if status.get("reason") == "SysctlForbidden" and pod["metadata"]["uid"] not in self._reported:
                self._reported.add(pod["metadata"]["uid"])
                kube.add_event(
                    pod["metadata"]["namespace"],
                    pod,
                    "SysctlForbidden",
                    status.get("message", "").removeprefix("Pod was rejected: "),
                )
        for ns, name in (d.split("/") for d in self.deployments):
            deployment = kube.get("Deployment", ns, name)
            if deployment is not None:
                self._deployment(kube, deployment)

    def _deployment(self, kube: KubeStandIn, dep: Obj) -> None:
        ns, name, uid = dep["metadata"]["namespace"], dep["metadata"]["name"], dep["metadata"]["uid"]
        template = dep["spec"]["template"]
        rs_name = f"{name}-{hashlib.sha1(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]}"
        for old in kube.list("ReplicaSet", ns):  # a new template replaces the old ReplicaSet and its pods
            if (old["metadata"].get("ownerReferences") or [{}])[0].get("uid") == uid and old["metadata"][
                "name"
            ] != rs_name:
                for pod in self._pods_of(kube, old):
                    kube.remove("Pod", ns, pod["metadata"]["name"])
                kube.remove("ReplicaSet", ns, old["metadata"]["name"])
        labels = dict(template["metadata"].get("labels") or {})
        rs = kube.get("ReplicaSet", ns, rs_name) or kube.put(
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": rs_name,
                    "namespace": ns,
                    "labels": labels,
                    "ownerReferences": [
                        {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": uid, "controller": True}
                    ],
                },
                "spec": {
                    "replicas": dep["spec"].get("replicas", 1),
                    "selector": dep["spec"]["selector"],
                    "template": copy.deepcopy(template),
                },
            }
        )
        if len(self._pods_of(kube, rs)) >= rs["spec"]["replicas"]:  # failed pods count too: no churn here
            return
        pod_name = f"{rs_name}-{random_suffix()}"
        sysctls = [s["name"] for s in (template["spec"].get("securityContext") or {}).get("sysctls") or []]
        refusal = self.psa_refusal(ns, pod_name, sysctls)
        if refusal is not None:  # Pod Security admission refuses; the ReplicaSet controller records FailedCreate
            key = f"{rs['metadata']['uid']}:{refusal.split(': violates ', 1)[1]}"
            if key not in self._reported:
                self._reported.add(key)
                kube.add_event(
                    ns, rs, "FailedCreate", f"Error creating: {refusal}", source_component="replicaset-controller"
                )
            return
        owner = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "name": rs_name,
            "uid": rs["metadata"]["uid"],
            "controller": True,
        }
        kube.put(
            self.admit(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "name": pod_name,
                        "namespace": ns,
                        "uid": str(uuid.uuid4()),
                        "labels": labels,
                        "ownerReferences": [owner],
                    },
                    "spec": copy.deepcopy(template["spec"]),
                }
            )
        )

    @staticmethod
    def _pods_of(kube: KubeStandIn, rs: Obj) -> list[Obj]:
        uid = rs["metadata"]["uid"]
        return [
            p
            for p in kube.list("Pod", rs["metadata"]["namespace"])
            if any(r.get("uid") == uid for r in p["metadata"].get("ownerReferences") or [])
        ]


def node(name: str, nodegroup: str, kubelet: str, os_image: str = "Amazon Linux 2") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "eks.amazonaws.com/nodegroup": nodegroup,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": "m5.large",
            },
        },
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "nodeInfo": {
                "kubeletVersion": kubelet,
                "kubeProxyVersion": kubelet,
                "kernelVersion": KERNEL_AL2023 if "2023" in os_image else KERNEL,
                "osImage": os_image,
                "containerRuntimeVersion": "containerd://1.7.22",
                "operatingSystem": "linux",
                "architecture": "amd64",
                "bootID": str(uuid.uuid4()),
                "machineID": uuid.uuid4().hex,
                "systemUUID": str(uuid.uuid4()).upper(),
            },
        },
    }


def give_kubelet(kube: KubeStandIn, node_name: str, allow: tuple[str, ...] = ()) -> None:
    """Start ``node_name``'s kubelet with ``allowedUnsafeSysctls: allow`` (what configz will serve).

    A kubelet whose allow-list names a sysctl not known to be namespaced does not start (NewAllowlist in
    pkg/kubelet/sysctl/allowlist.go returns an error), so such a world cannot be built.
    """
    rules.check_allowlist(allow)
    kube_node_proxy.set_kubelet_config(kube, node_name, {"allowedUnsafeSysctls": list(allow)})


def create_nodegroup(aws: Any, name: str, version: str, ami_type: str = "AL2_x86_64") -> None:
    """moto defaults a node group's version and releaseVersion to 1.19, so both are always given."""
    aws.client("eks").create_nodegroup(
        clusterName=CLUSTER,
        nodegroupName=name,
        nodeRole=f"arn:aws:iam::{ACCOUNT}:role/eks-node",
        subnets=[SUBNET],
        amiType=ami_type,
        version=version,
        releaseVersion=_RELEASE[version],
        instanceTypes=["m5.large"],
    )


def build_world(
    aws: Any,
    kube: KubeStandIn,
    control_plane: str,
    nodegroup: str,
    ng_version: str,
    ami_type: str,
    ns_labels: dict[str, str] | None = None,
    deployments: tuple[str, ...] = (),
    allow: tuple[str, ...] = (),
) -> SysctlWorld:
    aws.client("eks").create_cluster(
        name=CLUSTER,
        version=control_plane,
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
        resourcesVpcConfig={"subnetIds": [SUBNET]},
    )
    create_nodegroup(aws, nodegroup, ng_version, ami_type)
    image = "Amazon Linux 2023.6.20250107" if ami_type.startswith("AL2023") else "Amazon Linux 2"
    kube.put(node(FIRST_NODE, nodegroup, GIT[ng_version], image))
    give_kubelet(kube, FIRST_NODE, allow)
    kube.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": ns_labels or {}}})
    world = SysctlWorld(kube, GIT[control_plane], deployments)
    kube.pod_admission = world.api_admission
    kube.add_reconciler(world.reconcile)
    return world


def _bare_ubuntu(kube: KubeStandIn, world: SysctlWorld) -> None:
    kube.put(
        world.admit(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "spec": ubuntu_pod_spec(),
                "metadata": {"name": "ubuntu", "namespace": NAMESPACE, "uid": str(uuid.uuid4())},
            }
        )
    )
    kube.reconcile()


def seed_keepalive_on_128(aws: Any, kube: KubeStandIn) -> dict[str, Any]:
    """(a) EKS 1.28, AL2 node group ng-al2 (kubelet 1.28): the pod is rejected (SysctlForbidden)."""
    world = build_world(aws, kube, "1.28", "ng-al2", "1.28", "AL2_x86_64")
    _bare_ubuntu(kube, world)
    return {"cluster": CLUSTER, "namespace": NAMESPACE, "pod": "ubuntu", "nodegroup": "ng-al2", "world": world}


def seed_lagging_nodegroup(aws: Any, kube: KubeStandIn) -> dict[str, Any]:
    """(b) 1.30 control plane, node group ng-al2 still on 1.28 kubelets: the kubelet's list decides."""
    world = build_world(aws, kube, "1.30", "ng-al2", "1.28", "AL2_x86_64")
    _bare_ubuntu(kube, world)
    return {"cluster": CLUSTER, "namespace": NAMESPACE, "pod": "ubuntu", "nodegroup": "ng-al2", "world": world}


def add_deployment(kube: KubeStandIn, name: str, spec: Obj) -> None:
    kube.put(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
            },
        }
    )
    kube.reconcile()


def seed_psa_pinned(aws: Any, kube: KubeStandIn) -> dict[str, Any]:
    """(c) 1.30 everywhere, but namespace default enforces Pod Security baseline pinned to v1.28."""
    labels = {PSA_ENFORCE: "baseline", PSA_ENFORCE_VERSION: "v1.28"}
    world = build_world(
        aws, kube, "1.30", "ng-al2023", "1.30", "AL2023_x86_64_STANDARD", labels, (f"{NAMESPACE}/ubuntu",)
    )
    add_deployment(kube, "ubuntu", ubuntu_pod_spec())
    return {
        "cluster": CLUSTER,
        "namespace": NAMESPACE,
        "pod": "ubuntu",
        "deployment": "ubuntu",
        "nodegroup": "ng-al2023",
        "world": world,
    }


def roll_out_nodegroup(
    aws: Any, kube: KubeStandIn, world: SysctlWorld, old: str, new: str, version: str, allow: tuple[str, ...] = ()
) -> str:
    """What people do with the bot's advice: node group ``new`` at ``version`` (kubelet allow-list
    ``allow``) replaces ``old``, whose nodes are drained away. Returns the new node's name."""
    # moto has no UpdateNodegroupVersion: the upgrade is played as delete + create
    aws.client("eks").delete_nodegroup(clusterName=CLUSTER, nodegroupName=old)
    create_nodegroup(aws, new, version)
    for item in kube.list("Node"):
        if (item["metadata"].get("labels") or {}).get("eks.amazonaws.com/nodegroup") == old:
            kube.remove("Node", None, item["metadata"]["name"])
    world.nodes_made += 1
    name = f"ip-10-0-3-{world.nodes_made + 10}.ap-northeast-1.compute.internal"
    kube.put(node(name, new, GIT[version]))
    give_kubelet(kube, name, allow)
    return name
