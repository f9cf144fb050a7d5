"""The kubelet allow-list read through the API server's node proxy, with the official client.

The stand-in serves ``/api/v1/nodes/NAME/proxy/configz`` as a kubelet does (``application/json``,
``{"kubeletconfig": {...}}``), so these tests see what the bot sees against a real cluster.
"""

from __future__ import annotations

import json

import pytest
from kubernetes import client as k8s

from bot.domain import Request
from handlers.sysctl import DIAGNOSER
from handlers.sysctl.collect import kubelet_config
from sandbox import kube_node_proxy
from sandbox.worlds.sysctl import node

NODE = "ip-10-0-1-23.ap-northeast-1.compute.internal"
ALLOWED = ["net.core.somaxconn", "kernel.msg*"]


def _node(name: str = NODE) -> dict:
    return node(name, "", "v1.30.8-eks-2a3b4c5", "Amazon Linux 2023.6.20250107")


def test_the_stand_in_answers_configz_as_a_kubelet_does(kube_stand_in):
    kube_stand_in.put(_node())
    kube_node_proxy.set_kubelet_config(kube_stand_in, NODE, {"allowedUnsafeSysctls": ALLOWED})
    api = k8s.CoreV1Api(k8s.ApiClient(k8s.Configuration(host=kube_stand_in.url)))
    raw = api.connect_get_node_proxy_with_path(NODE, "configz", _preload_content=False)
    assert raw.headers["Content-Type"] == "application/json"
    doc = json.loads(raw.data)
    assert doc["kubeletconfig"]["kind"] == "KubeletConfiguration"
    assert doc["kubeletconfig"]["apiVersion"] == "kubelet.config.k8s.io/v1beta1"
    assert doc["kubeletconfig"]["allowedUnsafeSysctls"] == ALLOWED
    # what the client does with the body by default: decodes the JSON, then str() of the dict
    decoded = api.connect_get_node_proxy_with_path(NODE, "configz")
    with pytest.raises(ValueError):
        json.loads(decoded)


def test_a_kubelet_given_no_configuration_serves_none_of_the_unsafe_field(kube_stand_in):
    kube_stand_in.put(_node())
    api = k8s.CoreV1Api(k8s.ApiClient(k8s.Configuration(host=kube_stand_in.url)))
    doc = json.loads(api.connect_get_node_proxy_with_path(NODE, "configz", _preload_content=False).data)
    assert "allowedUnsafeSysctls" not in doc["kubeletconfig"]
    with pytest.raises(k8s.ApiException) as missing:
        api.connect_get_node_proxy_with_path("ip-10-9-9-9.internal", "configz")
    assert missing.value.status == 404


def test_the_bot_reads_the_allow_list_of_a_node(cluster_ctx, kube_stand_in):
    kube_stand_in.put(_node())
    kube_node_proxy.set_kubelet_config(kube_stand_in, NODE, {"allowedUnsafeSysctls": ALLOWED})
    config = kubelet_config(cluster_ctx, NODE)
    assert config is not None and config["allowedUnsafeSysctls"] == ALLOWED


def test_a_node_that_allows_the_sysctl_gets_no_node_configuration(cluster_ctx, kube_stand_in):
    kube_stand_in.put(_node())
    kube_node_proxy.set_kubelet_config(kube_stand_in, NODE, {"allowedUnsafeSysctls": ALLOWED})
    diag = DIAGNOSER.diagnose(cluster_ctx, Request("sysctl", {"sysctl": "net.core.somaxconn", "value": "4096"}))
    assert "sysctl.nodeconfig" not in diag.codes() and "sysctl.unsafe" not in diag.codes()


def test_an_unreadable_configz_leaves_the_allow_list_unknown(cluster_ctx, kube_stand_in):
    kube_stand_in.put(_node())
    kube_stand_in.deny("get", "nodes/proxy")
    assert kubelet_config(cluster_ctx, NODE) is None


def test_an_unreadable_configz_is_said_beside_the_node_configuration(cluster_ctx, kube_stand_in):
    kube_stand_in.put(_node())
    kube_stand_in.deny("get", "nodes/proxy")
    diag = DIAGNOSER.diagnose(cluster_ctx, Request("sysctl", {"sysctl": "net.core.somaxconn", "value": "4096"}))
    found = next(f for f in diag.findings if f.code == "sysctl.nodeconfig")
    (note,) = [m for m in found.evidence if "configz" in m.en]
    assert f"{NODE} could not be read" in note.en and "Forbidden" in note.en and "nodes/proxy" in note.ko
