"""Evidence for a sysctl request, read from Kubernetes and AWS. The only I/O of the sysctl diagnoser.

Called by ``handlers.sysctl.diagnoser``. Reads the pod (or, when Pod Security admission refused
it, the workload whose ReplicaSet reports ``FailedCreate``), its node(s) with kubelet version,
kernel and OS image, the namespace's Pod Security labels, ``/version``, the node groups through
eks:DescribeNodegroup, Karpenter NodePools when present, and the pod's events. Nothing is decided
here: ``analyse`` and ``advice`` do that from the returned ``Evidence``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from handlers.sysctl.facts import NodeFacts, NodegroupFacts, SysctlFacts, node_facts, nodegroup_facts, sysctls_of
from handlers.workloads import OWNER_KINDS, pod_selector, read_workload

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
MAX_CONFIGZ = 10


@dataclass(frozen=True)
class Workload:
    """The controller whose pod template carries the sysctls (what a fix would patch)."""

    kind: str
    name: str
    selector: Mapping[str, Any]  # the workload's LabelSelector
    template_spec: Mapping[str, Any]


@dataclass(frozen=True)
class Evidence:
    namespace: str
    pod_name: str
    pod: Mapping[str, Any] | None
    workload: Workload | None
    events: tuple[Mapping[str, Any], ...]
    facts: SysctlFacts


def _d(ctx: ClusterContext, obj: Any) -> Any:
    return ctx.kube.to_dict(obj)


def _read(ctx: ClusterContext, kind: str, ns: str, name: str) -> dict[str, Any] | None:
    if kind not in OWNER_KINDS:
        return None
    try:
        return read_workload(ctx, kind, ns, name)
    except errors.NotFound:
        return None


def _controller(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return next((r for r in refs if r.get("controller")), refs[0] if refs else None)


def _workload_of(ctx: ClusterContext, ns: str, obj: Mapping[str, Any] | None) -> Workload | None:
    """Walk ownerReferences (Pod -> ReplicaSet -> Deployment) to the workload with the template."""
    seen = 0
    while obj is not None and seen < 3:
        seen += 1
        ref = _controller(obj)
        if ref is None:
            return None
        owner = _read(ctx, ref.get("kind", ""), ns, ref.get("name", ""))
        if owner is None:
            return None
        if owner["kind"] in WORKLOAD_KINDS or _controller(owner) is None:
            spec = owner.get("spec") or {}
            return Workload(
                owner["kind"],
                owner["metadata"]["name"],
                pod_selector(owner),
                (spec.get("template") or {}).get("spec") or {},
            )
        obj = owner
    return None


def _events(ctx: ClusterContext, ns: str, involved: str) -> list[dict[str, Any]]:
    items = _d(ctx, ctx.kube.core.list_namespaced_event(ns, field_selector=f"involvedObject.name={involved}"))
    return items.get("items") or []


def _refused_workload(ctx: ClusterContext, ns: str, name: str) -> tuple[Workload | None, list[dict[str, Any]]]:
    """No such pod: find the ReplicaSet/workload whose FailedCreate events name it (or that is named so)."""
    failed = _d(ctx, ctx.kube.core.list_namespaced_event(ns, field_selector="reason=FailedCreate")).get("items") or []
    mine = [
        e
        for e in failed
        if (e.get("involvedObject") or {}).get("name", "").startswith(name)
        or f'pods "{name}' in (e.get("message") or "")
    ]
    for event in mine:
        ref = event.get("involvedObject") or {}
        owner = _read(ctx, ref.get("kind", ""), ns, ref.get("name", ""))
        if owner is not None:
            spec = owner.get("spec") or {}
            workload = _workload_of(ctx, ns, owner) or Workload(
                owner["kind"],
                owner["metadata"]["name"],
                pod_selector(owner),
                (spec.get("template") or {}).get("spec") or {},
            )
            return workload, mine
    for kind in WORKLOAD_KINDS:
        owner = _read(ctx, kind, ns, name)
        if owner is not None:
            spec = owner.get("spec") or {}
            return Workload(
                kind,
                name,
                pod_selector(owner),
                (spec.get("template") or {}).get("spec") or {},
            ), []
    return None, []


def _matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def read_kubelet_config(ctx: ClusterContext, node: str) -> tuple[dict[str, Any] | None, str]:
    """The running kubelet's configuration (``/api/v1/nodes/NODE/proxy/configz``) and, when it could
    not be read, why (for the person asking).

    The kubelet answers ``{"kubeletconfig": {...}}`` as ``application/json``. The official client
    declares this call's response type ``str``: by default it decodes the JSON and then ``str()``s the
    dict (a Python repr, not JSON), so the raw body is read instead (``_preload_content=False``,
    kubernetes python client ``ApiClient._call_with_legacy_options`` / ``__deserialize_primitive``).
    """
    try:
        doc = ctx.kube.core.json("connect_get_node_proxy_with_path", node, "configz")
    except errors.CloudError as exc:
        return None, f"{exc.code}: {exc.detail}"
    except (ValueError, TypeError) as exc:
        return None, f"the answer is not JSON ({exc})"
    config = doc.get("kubeletconfig") if isinstance(doc, dict) else None
    if not isinstance(config, dict):
        return None, "the answer has no kubeletconfig object"
    return config, ""


def kubelet_config(ctx: ClusterContext, node: str) -> dict[str, Any] | None:
    """``read_kubelet_config`` without the reason: None if unreadable."""
    return read_kubelet_config(ctx, node)[0]


def _with_kubelet_configs(ctx: ClusterContext, nodes: list[dict[str, Any]]) -> tuple[NodeFacts, ...]:
    """Node records with their kubelet allow-lists, asking at most one kubelet per node group or pool
    (nodes of one group share a launch template) and at most ``MAX_CONFIGZ`` in all."""
    records, asked = [], 0
    cache: dict[str, tuple[dict[str, Any] | None, str]] = {}
    for node in nodes:
        plain = node_facts(node)
        group = plain.nodegroup or plain.nodepool or plain.name
        if group not in cache and asked < MAX_CONFIGZ:
            asked += 1
            cache[group] = read_kubelet_config(ctx, plain.name)
        config, why = cache.get(group, (None, ""))
        records.append(replace(node_facts(node, config), configz_error=why))
    return tuple(records)


def _nodes_in_scope(ctx: ClusterContext, spec: Mapping[str, Any] | None, node_name: str) -> list[dict[str, Any]]:
    """The pod's node, else every node its nodeSelector allows."""
    nodes: list[dict[str, Any]] = []
    if node_name:  # the kubelet that rejected (or runs) the pod decides
        try:
            nodes = [_d(ctx, ctx.kube.core.read_node(node_name))]
        except errors.NotFound:
            nodes = []  # its node is gone (replaced): judge by the nodes a new pod could land on
    if not nodes:
        selector = dict((spec or {}).get("nodeSelector") or {})
        nodes = [
            n
            for n in _d(ctx, ctx.kube.core.list_node()).get("items") or []
            if _matches(selector, (n.get("metadata") or {}).get("labels") or {})
        ]
    return nodes


def _nodegroups(ctx: ClusterContext, node_records: tuple[NodeFacts, ...]) -> list[NodegroupFacts]:
    """The managed node groups of the nodes in scope; every group of the cluster when no node is."""
    groups = sorted({n.nodegroup for n in node_records if n.nodegroup})
    if not node_records and ctx.cluster_name:
        groups = sorted(ctx.aws.client("eks").list_nodegroups(clusterName=ctx.cluster_name).get("nodegroups") or [])
    nodegroups = []
    for group in groups:
        try:
            desc = ctx.aws.client("eks").describe_nodegroup(clusterName=ctx.cluster_name, nodegroupName=group)
        except errors.NotFound:
            continue  # a label left by a self-managed group that only looks managed
        nodegroups.append(nodegroup_facts(desc["nodegroup"]))
    return nodegroups


def _nodeclasses(ctx: ClusterContext, pools: list[str]) -> dict[str, str]:
    """Each Karpenter node pool's node class."""
    nodeclasses = {}
    for pool in pools:
        try:
            obj = ctx.kube.custom.get_cluster_custom_object("karpenter.sh", "v1", "nodepools", pool)
            ref = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("nodeClassRef") or {}
            nodeclasses[pool] = ref.get("name", pool)
        except errors.CloudError:
            nodeclasses[pool] = pool  # CRD not readable: the class is often named like the pool
    return nodeclasses


def cluster_facts(
    ctx: ClusterContext,
    spec: Mapping[str, Any] | None,
    namespace: str = "",
    node_name: str = "",
    sysctls: tuple[tuple[str, str], ...] | None = None,
) -> SysctlFacts:
    """Versions, nodes in scope (the pod's node, else every node its nodeSelector allows), node groups."""
    version = _d(ctx, ctx.kube.version.get_code()).get("gitVersion", "")
    node_records = _with_kubelet_configs(ctx, _nodes_in_scope(ctx, spec, node_name))
    nodegroups = _nodegroups(ctx, node_records)
    pools = sorted({n.nodepool for n in node_records if n.nodepool})
    nodeclasses = _nodeclasses(ctx, pools)
    labels: dict[str, str] = {}
    if namespace:
        try:
            labels = dict((_d(ctx, ctx.kube.core.read_namespace(namespace)).get("metadata") or {}).get("labels") or {})
        except errors.NotFound:
            labels = {}
    return SysctlFacts(
        sysctls=sysctls if sysctls is not None else sysctls_of(spec),
        control_plane=version,
        nodes=node_records,
        nodegroups=tuple(nodegroups),
        karpenter=bool(pools),
        nodeclasses=nodeclasses,
        namespace=namespace,
        namespace_labels=labels,
        host_network=bool((spec or {}).get("hostNetwork")),
        host_ipc=bool((spec or {}).get("hostIPC")),
        cluster=ctx.cluster_name,
        region=ctx.region,
    )


def collect_pod(ctx: ClusterContext, namespace: str, name: str) -> Evidence:
    """Evidence for ``/ops sysctl NAMESPACE/POD`` (a pod, or a workload whose pods are refused)."""
    try:
        pod = _d(ctx, ctx.kube.core.read_namespaced_pod(name, namespace))
    except errors.NotFound:
        pod = None
    if pod is not None:
        workload = _workload_of(ctx, namespace, pod)
        events = _events(ctx, namespace, name)
        spec = pod.get("spec") or {}
        facts = cluster_facts(ctx, spec, namespace, spec.get("nodeName", ""))
        return Evidence(namespace, name, pod, workload, tuple(events), facts)
    workload, events = _refused_workload(ctx, namespace, name)
    if workload is None:
        raise errors.NotFound(
            "k8s:read_namespaced_pod",
            "NotFound",
            f'pods "{name}" not found, and no workload in {namespace} failed to create it',
        )
    facts = cluster_facts(ctx, workload.template_spec, namespace)
    return Evidence(namespace, name, None, workload, tuple(events), facts)


def collect_question(ctx: ClusterContext, sysctls: tuple[tuple[str, str], ...], namespace: str = "") -> Evidence:
    """Evidence for ``/ops sysctl NAME=VALUE``: every node and node group, the namespace if given."""
    facts = cluster_facts(ctx, None, namespace, sysctls=sysctls)
    return Evidence(namespace, "", None, None, (), facts)
