"""The Kubernetes stand-in (``sandbox.kube_api``) as the official client sees it.

Every test talks HTTP to a fresh ``KubeStandIn`` (fixture ``kube_stand_in`` from
``tests/conftest.py``) through ``kubernetes.client`` or through ``bot.cloud.kube.Kube``;
the pure pieces (selectors, patches) are also checked directly.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from bot import errors
from bot.cloud.kube import Kube
from sandbox import kube_patch, kube_query
from sandbox.kube_api import KubeStandIn
from sandbox.kube_resources import ApiError

NS = "amazon-cloudwatch"
NODE = "ip-10-0-1-23.ap-northeast-1.compute.internal"


@pytest.fixture
def api(kube_stand_in: KubeStandIn) -> client.ApiClient:
    cfg = client.Configuration()
    cfg.host = kube_stand_in.url
    return client.ApiClient(cfg)


@pytest.fixture
def core(api: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api)


def pod(
    name: str,
    namespace: str = NS,
    labels: dict | None = None,
    node: str = NODE,
    phase: str = "Running",
    owner: dict | None = None,
    containers: tuple[str, ...] = ("agent",),
) -> dict:
    meta: dict = {"name": name, "namespace": namespace, "labels": labels or {}}
    if owner:
        meta["ownerReferences"] = [owner]
    image = "public.ecr.aws/cloudwatch-agent:1.3"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"nodeName": node, "containers": [{"name": c, "image": image} for c in containers]},
        "status": {"phase": phase},
    }


def pulling_pod(name: str, **kwargs) -> dict:
    """A pod whose image pull failed, as the kubelet reports it."""
    obj = pod(name, phase="Pending", **kwargs)
    obj["status"]["containerStatuses"] = [
        {
            "name": "agent",
            "image": "public.ecr.aws/cloudwatch-agent:1.3",
            "imageID": "",
            "ready": False,
            "restartCount": 0,
            "started": False,
            "state": {
                "waiting": {
                    "reason": "ImagePullBackOff",
                    "message": 'Back-off pulling image "public.ecr.aws/cloudwatch-agent:1.3"',
                }
            },
        }
    ]
    return obj


def status_of(exc_info: pytest.ExceptionInfo[ApiException]) -> tuple[int, str]:
    return exc_info.value.status, json.loads(exc_info.value.body)["reason"]


def message_of(exc_info: pytest.ExceptionInfo[ApiException]) -> str:
    return json.loads(exc_info.value.body)["message"]


# ---- create / get / list ----------------------------------------------------------------------------


def test_put_pods_deserialise_with_container_state(kube_stand_in, core):
    kube_stand_in.put(pulling_pod("cloudwatch-agent-x7k2p"))

    pods = core.list_namespaced_pod(NS).items
    assert [p.metadata.name for p in pods] == ["cloudwatch-agent-x7k2p"]
    assert isinstance(pods[0], client.V1Pod)
    assert pods[0].status.container_statuses[0].state.waiting.reason == "ImagePullBackOff"
    assert pods[0].metadata.uid and pods[0].metadata.resource_version
    assert pods[0].metadata.creation_timestamp is not None


def test_create_fills_metadata_and_default_running_status(kube_stand_in, core):
    created = core.create_namespaced_pod(
        NS, {"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}
    )
    assert created.metadata.namespace == NS and created.metadata.generation == 1
    assert created.status.phase == "Running"
    assert created.status.container_statuses[0].ready is True
    assert core.read_namespaced_pod("web", NS).metadata.uid == created.metadata.uid
    assert kube_stand_in.get("Pod", NS, "web")["status"]["phase"] == "Running"


def test_create_existing_is_409_and_generate_name_picks_a_free_name(core):
    body = {"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    core.create_namespaced_pod(NS, body)
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_pod(NS, body)
    assert status_of(exc) == (409, "AlreadyExists")

    generated = core.create_namespaced_pod(
        NS, {"metadata": {"generateName": "job-"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    )
    assert re.fullmatch(r"job-[a-z0-9]{5}", generated.metadata.name)


def test_all_namespaces_list_and_cluster_scoped_kinds(kube_stand_in, core):
    kube_stand_in.put(pod("a", namespace="one"))
    kube_stand_in.put(pod("b", namespace="two"))
    kube_stand_in.put({"apiVersion": "v1", "kind": "Node", "metadata": {"name": NODE}})
    kube_stand_in.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "one"}})

    everywhere = core.list_pod_for_all_namespaces().items
    assert sorted((p.metadata.namespace, p.metadata.name) for p in everywhere) == [("one", "a"), ("two", "b")]
    assert [p.metadata.name for p in core.list_namespaced_pod("two").items] == ["b"]
    assert core.read_node(NODE).metadata.name == NODE
    assert core.read_namespace("one").metadata.namespace is None


def test_reading_a_missing_object_is_a_404_status(core, api):
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_pod("ghost", NS)
    assert status_of(exc) == (404, "NotFound")
    assert 'pods "ghost" not found' in message_of(exc)
    with pytest.raises(ApiException) as exc:
        client.AppsV1Api(api).read_namespaced_deployment("ghost", NS)
    assert 'deployments.apps "ghost" not found' in message_of(exc)


# ---- selectors and pagination ---------------------------------------------------------------------


@pytest.fixture
def labelled(kube_stand_in):
    kube_stand_in.put(pod("web-1", labels={"app": "web", "tier": "front"}))
    kube_stand_in.put(pod("web-2", labels={"app": "web", "tier": "back"}, node="ip-10-0-2-9", phase="Pending"))
    kube_stand_in.put(pod("db-1", labels={"app": "db", "legacy": "yes"}))
    return kube_stand_in


@pytest.mark.parametrize(
    "selector, expected",
    [
        ("app=web", ["web-1", "web-2"]),
        ("app==db", ["db-1"]),
        ("app!=web", ["db-1"]),
        ("tier in (front, side)", ["web-1"]),
        ("tier notin (front)", ["db-1", "web-2"]),
        ("legacy", ["db-1"]),
        ("!legacy", ["web-1", "web-2"]),
        ("app=web,tier=back", ["web-2"]),
    ],
)
def test_label_selectors(labelled, core, selector, expected):
    found = core.list_namespaced_pod(NS, label_selector=selector).items
    assert [p.metadata.name for p in found] == expected


@pytest.mark.parametrize(
    "selector, expected",
    [
        (f"spec.nodeName={NODE}", ["db-1", "web-1"]),
        ("status.phase=Pending", ["web-2"]),
        ("status.phase!=Running", ["web-2"]),
        ("metadata.name=web-1", ["web-1"]),
        (f"metadata.namespace={NS},metadata.name!=db-1", ["web-1", "web-2"]),
    ],
)
def test_field_selectors(labelled, core, selector, expected):
    assert [p.metadata.name for p in core.list_namespaced_pod(NS, field_selector=selector).items] == expected


def test_bad_selectors_are_400(labelled, core):
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod(NS, field_selector="spec.image=nginx")
    assert status_of(exc) == (400, "BadRequest")
    assert "field label not supported: spec.image" in message_of(exc)
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod(NS, label_selector="app in web")
    assert exc.value.status == 400


def test_limit_and_continue_walk_every_item_once(kube_stand_in, core):
    for i in range(7):
        kube_stand_in.put(pod(f"p{i}"))
    names, token, pages = [], None, 0
    while True:
        page = core.list_namespaced_pod(NS, limit=3, _continue=token)
        pages += 1
        names += [p.metadata.name for p in page.items]
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count == 7 - len(names)
    assert pages == 3 and names == [f"p{i}" for i in range(7)]
    assert len(core.list_namespaced_pod(NS, limit=500).items) == 7


# ---- writes -----------------------------------------------------------------------------------------


def test_merge_patch_and_json_patch(kube_stand_in, core):
    kube_stand_in.put(pod("web", labels={"app": "web", "old": "1"}))

    merged = core.patch_namespaced_pod("web", NS, {"metadata": {"labels": {"new": "2", "old": None}}})
    assert merged.metadata.labels == {"app": "web", "new": "2"}

    patched = core.patch_namespaced_pod(
        "web",
        NS,
        [
            {"op": "test", "path": "/metadata/labels/app", "value": "web"},
            {"op": "replace", "path": "/metadata/labels/app", "value": "api"},
            {"op": "add", "path": "/metadata/annotations", "value": {"a/b": "c"}},
            {"op": "remove", "path": "/metadata/labels/new"},
        ],
    )
    assert patched.metadata.labels == {"app": "api"}
    assert patched.metadata.annotations == {"a/b": "c"}
    assert int(patched.metadata.resource_version) > int(merged.metadata.resource_version)


def test_dry_run_answers_without_storing(kube_stand_in, core):
    body = {"metadata": {"name": "trial"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    assert core.create_namespaced_pod(NS, body, dry_run="All").metadata.name == "trial"
    assert kube_stand_in.get("Pod", NS, "trial") is None
    kube_stand_in.put(pod("web"))
    core.delete_namespaced_pod("web", NS, dry_run="All")
    assert kube_stand_in.get("Pod", NS, "web") is not None


def test_failed_json_patch_test_changes_nothing(kube_stand_in, core):
    kube_stand_in.put(pod("web", labels={"app": "web"}))
    with pytest.raises(ApiException) as exc:
        core.patch_namespaced_pod(
            "web",
            NS,
            [
                {"op": "replace", "path": "/metadata/labels/app", "value": "x"},
                {"op": "test", "path": "/metadata/labels/app", "value": "web"},
            ],
        )
    assert exc.value.status == 422
    assert kube_stand_in.get("Pod", NS, "web")["metadata"]["labels"] == {"app": "web"}


def test_put_with_stale_resource_version_is_409_conflict(kube_stand_in, api):
    apps = client.AppsV1Api(api)
    kube_stand_in.put(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": NS},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx"}]},
                },
            },
        }
    )
    current = apps.read_namespaced_deployment("web", NS)
    stale = current.metadata.resource_version
    current.spec.replicas = 3
    updated = apps.replace_namespaced_deployment("web", NS, current)
    assert updated.spec.replicas == 3 and updated.metadata.generation == 2

    current.spec.replicas = 5
    current.metadata.resource_version = stale
    with pytest.raises(ApiException) as exc:
        apps.replace_namespaced_deployment("web", NS, current)
    assert status_of(exc) == (409, "Conflict")
    assert "the object has been modified" in message_of(exc)
    assert kube_stand_in.get("Deployment", NS, "web")["spec"]["replicas"] == 3


def test_status_is_written_only_through_the_status_subresource(kube_stand_in, core):
    kube_stand_in.put(pod("web"))
    core.patch_namespaced_pod("web", NS, {"status": {"phase": "Failed"}, "metadata": {"labels": {"x": "1"}}})
    assert kube_stand_in.get("Pod", NS, "web")["status"]["phase"] == "Running"
    core.patch_namespaced_pod_status("web", NS, {"status": {"phase": "Failed"}})
    assert core.read_namespaced_pod("web", NS).status.phase == "Failed"


def test_delete_with_finalizer_waits_until_finalizers_are_patched_away(kube_stand_in, api):
    net = client.NetworkingV1Api(api)
    kube_stand_in.put(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": "cloudon-ingress",
                "namespace": "cloudon",
                "finalizers": ["ingress.k8s.aws/resources"],
            },
            "spec": {},
        }
    )
    net.delete_namespaced_ingress("cloudon-ingress", "cloudon")
    stuck = net.read_namespaced_ingress("cloudon-ingress", "cloudon")
    assert stuck.metadata.deletion_timestamp is not None
    assert stuck.metadata.finalizers == ["ingress.k8s.aws/resources"]

    net.patch_namespaced_ingress("cloudon-ingress", "cloudon", {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as exc:
        net.read_namespaced_ingress("cloudon-ingress", "cloudon")
    assert exc.value.status == 404
    assert kube_stand_in.get("Ingress", "cloudon", "cloudon-ingress") is None


def test_reconciler_runs_before_a_mutating_request_returns(kube_stand_in, api):
    """Imitates the AWS LB controller: once IAM allows it, it drops the ingress finalizer."""
    world = {"iam_allows": False}

    def lb_controller(stand_in: KubeStandIn) -> None:
        for ing in stand_in.list("Ingress"):
            if world["iam_allows"] and ing["metadata"].get("deletionTimestamp"):
                ing["metadata"]["finalizers"] = []
                stand_in.put(ing)

    kube_stand_in.add_reconciler(lb_controller)
    kube_stand_in.put(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "ing", "namespace": "cloudon", "finalizers": ["ingress.k8s.aws/resources"]},
        }
    )
    net = client.NetworkingV1Api(api)
    net.delete_namespaced_ingress("ing", "cloudon")
    assert kube_stand_in.get("Ingress", "cloudon", "ing") is not None
    world["iam_allows"] = True
    net.patch_namespaced_ingress("ing", "cloudon", {"metadata": {"labels": {"retry": "1"}}})
    assert kube_stand_in.get("Ingress", "cloudon", "ing") is None


# ---- controller behaviour ---------------------------------------------------------------------------


def test_deleting_an_owned_pod_creates_an_admitted_replacement(kube_stand_in, core):
    owner = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "name": "cloudwatch-agent",
        "uid": "ds-1",
        "controller": True,
    }
    old = kube_stand_in.put(pulling_pod("cloudwatch-agent-abcde", labels={"app": "cw"}, owner=owner))
    seen = []

    def still_failing(new_pod: dict) -> dict:
        seen.append(new_pod["metadata"]["name"])
        return pulling_pod(new_pod["metadata"]["name"], labels=new_pod["metadata"]["labels"], owner=owner)

    kube_stand_in.pod_admission = still_failing
    core.delete_namespaced_pod("cloudwatch-agent-abcde", NS, grace_period_seconds=0)

    pods = core.list_namespaced_pod(NS, label_selector="app=cw").items
    assert len(pods) == 1 and pods[0].metadata.name == seen[0]
    assert re.fullmatch(r"cloudwatch-agent-[a-z0-9]{5}", pods[0].metadata.name)
    assert pods[0].metadata.name != "cloudwatch-agent-abcde"
    assert pods[0].metadata.uid != old["metadata"]["uid"]
    assert pods[0].metadata.owner_references[0].name == "cloudwatch-agent"
    assert pods[0].status.container_statuses[0].state.waiting.reason == "ImagePullBackOff"


def test_default_admission_and_statefulset_and_unowned_pods(kube_stand_in, core):
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "s-1", "controller": True}
    old = kube_stand_in.put(pod("db-0", owner=sts, phase="Failed"))
    kube_stand_in.put(pod("loner"))

    core.delete_namespaced_pod("db-0", NS)
    core.create_namespaced_pod_eviction(
        "loner",
        NS,
        {
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": "loner", "namespace": NS},
            "deleteOptions": {"gracePeriodSeconds": 0},
        },
    )

    again = core.read_namespaced_pod("db-0", NS)
    assert again.metadata.uid != old["metadata"]["uid"]
    assert again.status.phase == "Running"
    assert again.status.container_statuses[0].state.running.started_at is not None
    assert again.status.container_statuses[0].restart_count == 0
    assert [p.metadata.name for p in core.list_namespaced_pod(NS).items] == ["db-0"]


# ---- events, logs, version, discovery ---------------------------------------------------------------


def test_events_by_involved_object_and_across_namespaces(kube_stand_in, core):
    failing = kube_stand_in.put(pulling_pod("cloudwatch-agent-x7k2p"))
    kube_stand_in.add_event(
        NS,
        failing,
        "Failed",
        "Failed to pull image: dial tcp 52.0.0.1:443: i/o timeout",
        count=4,
        first_seconds_ago=300,
        last_seconds_ago=10,
    )
    kube_stand_in.add_event(NS, failing, "BackOff", 'Back-off pulling image "public.ecr.aws/x"', type_="Normal")
    kube_stand_in.add_event("web", {"kind": "Pod", "name": "other"}, "Scheduled", "ok", type_="Normal")

    events = core.list_namespaced_event(
        NS, field_selector="involvedObject.name=cloudwatch-agent-x7k2p,type=Warning"
    ).items
    assert [e.reason for e in events] == ["Failed"]
    assert events[0].count == 4 and events[0].source.host == NODE
    assert events[0].involved_object.uid == failing["metadata"]["uid"]
    assert (events[0].last_timestamp - events[0].first_timestamp).total_seconds() == pytest.approx(290, abs=2)
    assert len(core.list_event_for_all_namespaces().items) == 3
    assert len(core.list_event_for_all_namespaces(field_selector="reason=Scheduled").items) == 1


def test_pod_logs(kube_stand_in, core):
    kube_stand_in.put(pod("ctl"))
    kube_stand_in.put(pod("two", containers=("a", "b")))
    kube_stand_in.set_pod_log(NS, "ctl", "line 1\nReconciler error AccessDenied\n")
    assert core.read_namespaced_pod_log("ctl", NS) == "line 1\nReconciler error AccessDenied\n"
    assert core.read_namespaced_pod_log("ctl", NS, tail_lines=1) == "Reconciler error AccessDenied\n"
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_pod_log("two", NS)
    assert "a container name must be specified" in message_of(exc)
    assert core.read_namespaced_pod_log("two", NS, container="b") == ""
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_pod_log("ghost", NS)
    assert exc.value.status == 404


def test_version_and_discovery(kube_stand_in, api):
    info = client.VersionApi(api).get_code()
    assert (info.git_version, info.major, info.minor) == ("v1.30.4-eks-a737599", "1", "30+")
    kube_stand_in.set_version("v1.29.8-eks-a737599")
    assert client.VersionApi(api).get_code().minor == "29+"
    groups = {g.name for g in client.ApisApi(api).get_api_versions().groups}
    assert {"apps", "networking.k8s.io", "coordination.k8s.io"} <= groups
    names = {r.name for r in client.CoreV1Api(api).get_api_resources().resources}
    assert {"pods", "pods/log", "events", "nodes", "serviceaccounts"} <= names


def test_leases_support_create_and_replace(api):
    coord = client.CoordinationV1Api(api)
    body = {"metadata": {"name": "chatops-scheduler"}, "spec": {"holderIdentity": "pod-a"}}
    lease = coord.create_namespaced_lease("chatops", body)
    lease.spec.holder_identity = "pod-b"
    replaced = coord.replace_namespaced_lease("chatops-scheduler", "chatops", lease)
    assert replaced.spec.holder_identity == "pod-b"
    with pytest.raises(ApiException) as exc:
        coord.replace_namespaced_lease("chatops-scheduler", "chatops", lease)
    assert exc.value.status == 409


# ---- access switches and the bot's error translation -------------------------------------------------


def test_token_switch_gives_401_without_the_bearer_token(kube_stand_in, core):
    kube_stand_in.require_token("s3cret")
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod(NS)
    assert status_of(exc) == (401, "Unauthorized")
    authed = Kube.from_host(kube_stand_in.url, token="s3cret")
    assert authed.core.list_namespaced_pod(NS).items == []
    with pytest.raises(errors.AccessDenied) as denied:
        Kube.from_host(kube_stand_in.url, token="wrong").core.list_namespaced_pod(NS)
    assert denied.value.code == "Unauthorized"


def test_deny_switch_gives_a_realistic_403(kube_stand_in, core):
    kube_stand_in.put(pod("web", namespace="default"))
    kube_stand_in.deny("delete", "pods", "default")
    with pytest.raises(ApiException) as exc:
        core.delete_namespaced_pod("web", "default")
    assert status_of(exc) == (403, "Forbidden")
    assert message_of(exc) == (
        'pods "web" is forbidden: User "system:serviceaccount:chatops:chatops-bot" '
        'cannot delete resource "pods" in API group "" in the namespace "default"'
    )
    assert core.read_namespaced_pod("web", "default").metadata.name == "web"
    kube_stand_in.put(pod("web", namespace="other"))
    core.delete_namespaced_pod("web", "other", grace_period_seconds=0)

    kube_stand_in.deny("list", "pods")
    with pytest.raises(ApiException) as exc:
        core.list_pod_for_all_namespaces()
    assert "at the cluster scope" in message_of(exc)
    kube_stand_in.allow_all()
    assert len(core.list_pod_for_all_namespaces().items) == 1


def test_kube_wrapper_translates_403_and_404(kube_stand_in, kube):
    kube_stand_in.deny("get", "pods/log", NS)
    kube_stand_in.put(pod("ctl"))
    with pytest.raises(errors.AccessDenied) as denied:
        kube.core.read_namespaced_pod_log("ctl", NS)
    assert denied.value.code == "Forbidden" and "pods/log" in denied.value.detail
    with pytest.raises(errors.NotFound) as missing:
        kube.networking.read_namespaced_ingress("nope", "cloudon")
    assert missing.value.call == "k8s:read_namespaced_ingress"
    assert kube.counter.total("k8s:") == 2


def test_request_log_counts_calls(kube_stand_in, kube):
    kube.core.list_namespaced_pod(NS, label_selector="app=web")
    kube.core.list_node()
    assert kube_stand_in.requests == [
        ("GET", f"/api/v1/namespaces/{NS}/pods?labelSelector=app%3Dweb"),
        ("GET", "/api/v1/nodes"),
    ]
    assert kube_stand_in.count_requests("GET", "/api/v1/nodes") == 1
    kube_stand_in.reset_requests()
    assert kube_stand_in.requests == []


def test_watch_is_refused_rather_than_hanging(core):
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod(NS, watch=True, _request_timeout=5)
    assert exc.value.status == 405


# ---- pure pieces --------------------------------------------------------------------------------------


def test_merge_patch_follows_rfc_7386():
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "l": [1, 2]}
    patch = {"a": "z", "c": {"f": None}, "l": [3]}
    assert kube_patch.merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}, "l": [3]}
    assert target["c"] == {"d": "e", "f": "g"}


def test_json_patch_follows_rfc_6902():
    doc = {"foo": ["bar", "baz"], "a~b": 1}
    ops = [
        {"op": "add", "path": "/foo/1", "value": "qux"},
        {"op": "add", "path": "/foo/-", "value": "end"},
        {"op": "remove", "path": "/a~0b"},
        {"op": "copy", "from": "/foo/0", "path": "/first"},
        {"op": "move", "from": "/first", "path": "/moved"},
    ]
    assert kube_patch.json_patch(doc, ops) == {"foo": ["bar", "qux", "baz", "end"], "moved": "bar"}
    with pytest.raises(kube_patch.PatchError):
        kube_patch.json_patch(doc, [{"op": "remove", "path": "/missing"}])
    with pytest.raises(kube_patch.PatchError):
        kube_patch.json_patch(doc, [{"op": "test", "path": "/foo/0", "value": "nope"}])


def test_field_selector_treats_missing_fields_as_empty():
    unscheduled = {"metadata": {"name": "p"}, "spec": {}}
    assert kube_query.field_selector("spec.nodeName=", "Pod")(unscheduled)
    assert not kube_query.field_selector("spec.nodeName!=", "Pod")(unscheduled)
    with pytest.raises(ApiError):
        kube_query.field_selector("spec.nodeName=x", "ConfigMap")


def test_paused_controllers_do_not_act_and_a_running_pass_finishes_first(kube_stand_in):
    import threading

    entered, release, seen = threading.Event(), threading.Event(), []

    def slow_controller(k):
        seen.append("pass")
        entered.set()
        release.wait(5)  # a pass that has read the cluster and is still deciding

    kube_stand_in.add_reconciler(slow_controller)
    running = threading.Thread(target=kube_stand_in.reconcile)
    running.start()
    assert entered.wait(5)
    paused = threading.Event()

    def pause_then_mutate():
        with kube_stand_in.controllers_paused():
            paused.set()
            seen.append("paused")
            kube_stand_in.reconcile()  # what a mutating request triggers: skipped while paused
            time.sleep(0.5)  # long enough for the stand-in's own ticks to try too
            seen.append("resumed")

    pauser = threading.Thread(target=pause_then_mutate)
    pauser.start()
    assert not paused.wait(0.3)  # the pause waits for the pass in flight
    release.set()
    running.join(5)
    pauser.join(5)
    inside = seen[seen.index("paused") : seen.index("resumed")]
    assert inside == ["paused"]  # no pass ran while paused, neither triggered nor ticked
    before = len(seen)
    kube_stand_in.reconcile()
    assert len(seen) > before and seen[-1] == "pass"  # after the block, controllers act again
