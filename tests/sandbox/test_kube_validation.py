"""Validation on write in the Kubernetes stand-in, over plain HTTP (``httpx``).

Plain HTTP because the official client (v37) checks bodies itself before sending them, and these
tests send what a real apiserver must refuse: wrong types are 400 BadRequest, invalid objects 422
Invalid with ``details.causes``, unknown fields a ``Warning`` header (or 400 under
``fieldValidation=Strict``), and Pod Security admission refuses bad ``pod-security.kubernetes.io/*``
namespace labels.
"""

from __future__ import annotations

import json

import httpx
import pytest

from sandbox.kube_api import KubeStandIn

NS = "shop"
PODS = f"/api/v1/namespaces/{NS}/pods"
MERGE = {"Content-Type": "application/merge-patch+json"}
STRATEGIC = {"Content-Type": "application/strategic-merge-patch+json"}


@pytest.fixture
def http(kube_stand_in: KubeStandIn):
    kube_stand_in.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    with httpx.Client(base_url=kube_stand_in.url, timeout=10) as session:
        yield session


def pod(name: str = "web", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": spec or {"containers": [{"name": "app", "image": "nginx"}]},
    }


def refused(answer: httpx.Response) -> tuple[int, dict]:
    assert answer.status_code >= 400, answer.text
    body = answer.json()
    assert body["kind"] == "Status" and body["status"] == "Failure" and body["code"] == answer.status_code
    return answer.status_code, body


def patch(http: httpx.Client, path: str, body: dict, headers: dict = STRATEGIC) -> httpx.Response:
    return http.patch(path, content=json.dumps(body), headers=headers)


def test_pod_without_containers_is_invalid(http):
    status, body = refused(http.post(PODS, json=pod(containers=[])))
    assert status == 422 and body["reason"] == "Invalid"
    assert body["message"] == 'Pod "web" is invalid: spec.containers: Required value'
    assert body["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers"}
    ]
    assert body["details"]["kind"] == "Pod" and body["details"]["name"] == "web"


def test_container_without_name_or_image_lists_both_causes(http):
    status, body = refused(http.post(PODS, json=pod(containers=[{}])))
    assert status == 422
    assert body["message"] == (
        'Pod "web" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]'
    )
    assert [c["field"] for c in body["details"]["causes"]] == ["spec.containers[0].name", "spec.containers[0].image"]


def test_deployment_template_without_containers_is_invalid(http):
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}},
        },
    }
    status, answer = refused(http.post(f"/apis/apps/v1/namespaces/{NS}/deployments", json=body))
    assert status == 422
    assert answer["message"] == 'Deployment.apps "web" is invalid: spec.template.spec.containers: Required value'
    assert answer["details"]["group"] == "apps"


@pytest.mark.parametrize("name", ["Web", "web_1", "-web", "a" * 254])
def test_invalid_pod_names_are_refused(http, name):
    status, body = refused(http.post(PODS, json=pod(name)))
    assert status == 422
    assert body["details"]["causes"][0]["field"] == "metadata.name"
    assert body["details"]["causes"][0]["reason"] == "FieldValueInvalid"


def test_a_dotted_name_is_a_valid_pod_but_not_a_valid_namespace(http):
    assert http.post(PODS, json=pod("web.v2")).status_code == 201
    status, body = refused(http.post("/api/v1/namespaces", json={"metadata": {"name": "team.a"}}))
    assert status == 422
    assert "a lowercase RFC 1123 label must consist of" in body["message"]


def test_service_names_are_dns_1035_labels(http):
    service = {"metadata": {"name": "1st"}, "spec": {"ports": [{"port": 80}]}}
    status, body = refused(http.post(f"/api/v1/namespaces/{NS}/services", json=service))
    assert status == 422 and "a DNS-1035 label must consist of" in body["message"]


@pytest.mark.parametrize(
    "labels",
    [{"bad key!": "x"}, {"app": "not valid"}, {"app": "v" * 64}, {"example.com/": "x"}, {"Bad_Prefix/app": "x"}],
)
def test_invalid_labels_are_refused(http, labels):
    body = pod()
    body["metadata"]["labels"] = labels
    status, answer = refused(http.post(PODS, json=body))
    assert status == 422
    assert {c["field"] for c in answer["details"]["causes"]} == {"metadata.labels"}


def test_annotations_over_256_kib_are_too_long(http):
    body = pod()
    body["metadata"]["annotations"] = {"big": "x" * (256 * 1024)}
    status, answer = refused(http.post(PODS, json=body))
    assert status == 422
    assert answer["details"]["causes"][0]["reason"] == "FieldValueTooLong"
    assert answer["details"]["causes"][0]["field"] == "metadata.annotations"


def test_a_wrong_type_is_a_bad_request_worded_like_the_json_decoder(http):
    status, body = refused(http.post(PODS, json=pod(containers="nginx")))
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == (
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string '
        "into Go struct field PodSpec.spec.containers of type []v1.Container"
    )


def test_quantities_may_be_numbers(http, kube_stand_in):
    body = pod(containers=[{"name": "app", "image": "nginx", "resources": {"limits": {"cpu": 1}}}])
    assert http.post(PODS, json=body).status_code == 201
    assert kube_stand_in.get("Pod", NS, "web")["spec"]["containers"][0]["resources"]["limits"]["cpu"] == 1


def test_unknown_fields_are_dropped_with_a_warning_header(http, kube_stand_in):
    body = pod(containers=[{"name": "app", "image": "nginx", "imagee": "typo"}], foo=True)
    answer = http.post(PODS, json=body)
    assert answer.status_code == 201
    joined = ", ".join(answer.headers.get_list("Warning"))
    assert '299 - "unknown field \\"spec.containers[0].imagee\\""' in joined
    assert '299 - "unknown field \\"spec.foo\\""' in joined
    stored = kube_stand_in.get("Pod", NS, "web")
    assert "foo" not in stored["spec"] and "imagee" not in stored["spec"]["containers"][0]


def test_strict_field_validation_refuses_unknown_fields(http, kube_stand_in):
    body = pod(foo=True, containers=[{"name": "app", "image": "nginx"}])
    status, answer = refused(http.post(PODS, json=body, params={"fieldValidation": "Strict"}))
    assert status == 400
    assert answer["message"] == (
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"'
    )
    assert kube_stand_in.get("Pod", NS, "web") is None


def test_patch_results_are_validated_too(http):
    assert http.post(PODS, json=pod()).status_code == 201
    status, body = refused(patch(http, f"{PODS}/web", {"metadata": {"labels": {"app": "a b"}}}))
    assert status == 422 and body["details"]["causes"][0]["field"] == "metadata.labels"


@pytest.mark.parametrize(
    ("label", "value", "detail"),
    [
        ("enforce", "bogus", "must be one of privileged, baseline, restricted"),
        ("audit", "Restricted", "must be one of privileged, baseline, restricted"),
        ("warn-version", "v2.0", 'must be "latest" or "v1.x"'),
        ("enforce-version", "v1.01", 'must be "latest" or "v1.x"'),
    ],
)
def test_pod_security_admission_refuses_invalid_namespace_labels(http, label, value, detail):
    key = f"pod-security.kubernetes.io/{label}"
    status, body = refused(
        http.post("/api/v1/namespaces", json={"metadata": {"name": "team-a", "labels": {key: value}}})
    )
    assert status == 422 and body["reason"] == "Invalid"
    assert (
        body["message"] == f'Namespace "team-a" is invalid: metadata.labels[{key}]: Invalid value: "{value}": {detail}'
    )
    assert body["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "field": f"metadata.labels[{key}]",
            "message": f'Invalid value: "{value}": {detail}',
        }
    ]


def test_pod_security_admission_accepts_valid_labels_on_update(http, kube_stand_in):
    labels = {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn-version": "v1.30",
    }
    assert patch(http, f"/api/v1/namespaces/{NS}", {"metadata": {"labels": labels}}, MERGE).status_code == 200
    assert kube_stand_in.get("Namespace", None, NS)["metadata"]["labels"] == labels


def test_pod_security_admission_lets_unrelated_updates_through_when_the_bad_labels_are_old(http, kube_stand_in):
    kube_stand_in.put(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "legacy", "labels": {"pod-security.kubernetes.io/enforce": "bogus"}},
        }
    )
    answer = patch(http, "/api/v1/namespaces/legacy", {"metadata": {"annotations": {"owner": "team-a"}}})
    assert answer.status_code == 200
    status, _ = refused(
        patch(http, "/api/v1/namespaces/legacy", {"metadata": {"labels": {"pod-security.kubernetes.io/warn": "nope"}}})
    )
    assert status == 422
