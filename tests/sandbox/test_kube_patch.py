"""Patch semantics of the Kubernetes stand-in (``sandbox.kube_patch``), checked as pure functions.

Strategic merge merges lists by the patch merge key the Kubernetes types declare and replaces
the others; JSON merge patch (RFC 7386) and JSON patch (RFC 6902) come from their libraries.
"""

from __future__ import annotations

import pytest

from sandbox import kube_patch


def deployment(containers: list[dict], **pod_spec) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "finalizers": ["a"]},
        "spec": {"template": {"spec": {"containers": containers, **pod_spec}}},
    }


def pod_spec(obj: dict) -> dict:
    return obj["spec"]["template"]["spec"]


APP = {
    "name": "app",
    "image": "nginx",
    "ports": [{"containerPort": 80, "name": "http"}],
    "env": [{"name": "A", "value": "1"}],
    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
}


def smp(obj: dict, patch: dict) -> dict:
    return kube_patch.strategic_merge_patch(obj["kind"], obj, patch)


def test_ports_merge_by_container_port():
    patched = smp(
        deployment([APP]),
        {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "app",
                                "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 9090}],
                            }
                        ]
                    }
                }
            }
        },
    )
    assert pod_spec(patched)["containers"][0]["ports"] == [
        {"containerPort": 80, "name": "http", "protocol": "TCP"},
        {"containerPort": 9090},
    ]


def test_volume_mounts_merge_by_mount_path_and_env_by_name():
    patched = smp(
        deployment([APP]),
        {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "app",
                                "env": [{"name": "A", "value": "2"}],
                                "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                            }
                        ]
                    }
                }
            }
        },
    )
    container = pod_spec(patched)["containers"][0]
    assert container["env"] == [{"name": "A", "value": "2"}]
    assert [m["mountPath"] for m in container["volumeMounts"]] == ["/data", "/tmp"]


def test_volumes_merge_by_name_and_tolerations_are_replaced():
    original = deployment(
        [APP], volumes=[{"name": "data", "emptyDir": {}}], tolerations=[{"key": "a", "operator": "Exists"}]
    )
    patched = smp(
        original,
        {
            "spec": {
                "template": {
                    "spec": {
                        "volumes": [{"name": "cfg", "configMap": {"name": "cfg"}}],
                        "tolerations": [{"key": "b", "operator": "Exists"}],
                    }
                }
            }
        },
    )
    assert [v["name"] for v in pod_spec(patched)["volumes"]] == ["data", "cfg"]
    assert pod_spec(patched)["tolerations"] == [{"key": "b", "operator": "Exists"}]


def test_patch_replace_directive_in_a_list_replaces_it():
    original = deployment([APP, {"name": "sidecar", "image": "envoy"}])
    patched = smp(
        original,
        {"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "busybox"}]}}}},
    )
    assert pod_spec(patched)["containers"] == [{"name": "only", "image": "busybox"}]


def test_patch_replace_directive_on_a_map_replaces_it():
    original = deployment([APP], nodeSelector={"a": "1", "b": "2"})
    patched = smp(original, {"spec": {"template": {"spec": {"nodeSelector": {"$patch": "replace", "c": "3"}}}}})
    assert pod_spec(patched)["nodeSelector"] == {"c": "3"}


def test_patch_delete_directive_removes_a_map():
    original = deployment([APP], securityContext={"runAsUser": 1000})
    patched = smp(original, {"spec": {"template": {"spec": {"securityContext": {"$patch": "delete"}}}}})
    assert "securityContext" not in pod_spec(patched)


def test_null_removes_a_key_and_finalizers_merge_as_a_set():
    patched = smp(
        deployment([APP]),
        {
            "metadata": {"finalizers": ["a", "b"]},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "env": None}]}}},
        },
    )
    assert patched["metadata"]["finalizers"] == ["a", "b"]
    assert "env" not in pod_spec(patched)["containers"][0]


def test_delete_from_primitive_list():
    patched = smp(deployment([APP]), {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})
    assert patched["metadata"]["finalizers"] == []


def test_retain_keys_drops_the_keys_not_listed():
    original = deployment([APP])
    original["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    patched = smp(original, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
    assert patched["spec"]["strategy"] == {"type": "Recreate"}


def test_a_merge_list_item_without_its_merge_key_is_refused():
    with pytest.raises(kube_patch.PatchError, match="does not contain declared merge key: name"):
        smp(deployment([APP]), {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}})


def test_the_original_is_left_untouched():
    original = deployment([APP])
    smp(original, {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "x"}]}}}})
    assert pod_spec(original)["containers"][0]["image"] == "nginx"


def test_merge_patch_replaces_lists_and_removes_nulls():
    original = deployment([APP, {"name": "sidecar", "image": "envoy"}])
    patched = kube_patch.merge_patch(
        original, {"metadata": {"finalizers": None}, "spec": {"template": {"spec": {"containers": [{"name": "x"}]}}}}
    )
    assert pod_spec(patched)["containers"] == [{"name": "x"}]
    assert "finalizers" not in patched["metadata"]
    assert len(pod_spec(original)["containers"]) == 2


def test_json_patch_is_all_or_nothing():
    original = deployment([APP])
    with pytest.raises(kube_patch.PatchError):
        kube_patch.json_patch(
            original,
            [
                {"op": "replace", "path": "/metadata/name", "value": "x"},
                {"op": "test", "path": "/spec/replicas", "value": 3},
            ],
        )
    assert original["metadata"]["name"] == "web"
    moved = kube_patch.json_patch(
        original,
        [
            {"op": "add", "path": "/metadata/labels", "value": {"a": "b"}},
            {"op": "copy", "from": "/metadata/labels", "path": "/metadata/annotations"},
        ],
    )
    assert moved["metadata"]["annotations"] == {"a": "b"}
