"""Pure grouping and planning from fixture data: one finding per (image, cause, subnet), the right fix."""

from __future__ import annotations

import dataclasses

from handlers.image_pull.analyse import finding_for, group_failures
from handlers.image_pull.images import closest_tags, pull_through_image, split_image, with_tag
from handlers.image_pull.model import Evidence, Owner, RepoTags, RoleFacts
from handlers.image_pull.plan import plan_fixes
from tests.image_pull.fixtures import failing, load, seed_state, vpc_from

ACCOUNT, REGION = "123456789012", "ap-northeast-1"
ECR_IMAGE = "602401143452.dkr.ecr.ap-northeast-1.amazonaws.com/cloudwatch-agent/cloudwatch-agent:1.300049.1b929"
TIMEOUT = (
    f'Failed to pull image "{ECR_IMAGE}": rpc error: code = Unknown desc = failed to pull and unpack image '
    f'"{ECR_IMAGE}": failed to do request: Head "https://602401143452.dkr.ecr.ap-northeast-1.amazonaws.com/'
    'v2/cloudwatch-agent/cloudwatch-agent/manifests/1.300049.1b929": dial tcp 52.95.241.14:443: i/o timeout'
)


def evidence(pods, **kw) -> Evidence:
    facts, node, raw = seed_state()
    nodes = {
        node.node: node,
        "ip-10-0-9-9.ap-northeast-1.compute.internal": dataclasses.replace(
            node, node="ip-10-0-9-9.ap-northeast-1.compute.internal", subnet_id=facts["public_subnet"]
        ),
    }
    return Evidence("apps", REGION, ACCOUNT, tuple(pods), nodes, {node.vpc_id: vpc_from(raw)}, **kw)


def test_real_messages_fixture_classifies_as_labelled():
    from bot.parsing.image_pull import classify_pull_error

    for case in load("pull_messages.json"):
        assert classify_pull_error(case["message"]).cause == case["cause"], case["source"]


def test_pods_group_by_image_cause_and_subnet_with_counts():
    facts, node, _ = seed_state()
    pods = [failing(f"agent-{i}", ECR_IMAGE, TIMEOUT, node.node) for i in range(3)]
    pods.append(failing("agent-other-subnet", ECR_IMAGE, TIMEOUT, "ip-10-0-9-9.ap-northeast-1.compute.internal"))
    groups = group_failures(evidence(pods))
    assert sorted((g.subnet_id, len(g.pods)) for g in groups) == sorted(
        [(facts["private_subnet"], 3), (facts["public_subnet"], 1)]
    )
    private = next(g for g in groups if g.subnet_id == facts["private_subnet"])
    assert private.code == "image_pull.network.no_path"
    finding = finding_for(private, evidence(pods))
    assert finding.count == 3 and finding.data["blockers"] == [
        "route.no_default",
        "endpoint.missing",
        "endpoint.missing",
        "s3.missing",
    ]
    assert "602401143452.dkr.ecr" in finding.title.en and finding.title.ko != finding.title.en


def test_ecr_no_path_gets_endpoint_plan_first_then_nat_plan_each_ending_with_pod_deletion():
    facts, node, _ = seed_state()
    pods = [failing(f"agent-{i}", ECR_IMAGE, TIMEOUT, node.node) for i in range(2)]
    ev = evidence(pods)
    plans = plan_fixes(ev, group_failures(ev))
    assert len(plans) == 2
    endpoints, nat = plans
    ops = [(s.op, s.params.get("service", "").rsplit(".", 2)[-2:]) for s in endpoints.steps]
    assert [o for o, _ in ops] == ["ec2.vpc_endpoint"] * 3 + ["k8s.delete_pods"]
    gateway = endpoints.steps[2]
    assert gateway.after["type"] == "Gateway" and gateway.after["route_table_ids"] == [facts["private_route_table"]]
    assert endpoints.steps[0].after["private_dns"] is True
    assert endpoints.steps[-1].params["pods"] == [
        ["apps", "agent-0", "uid-agent-0"],
        ["apps", "agent-1", "uid-agent-1"],
    ]
    assert [s.op for s in nat.steps] == ["ec2.default_route", "k8s.delete_pods"]
    assert nat.steps[0].before == {"target": ""} and nat.steps[0].after == {"target": facts["nat"]}
    assert endpoints.verify["watch"][0]["count"] == 2
    assert all("ENI" not in p.title.en and "public IP" not in p.title.en for p in plans)


def test_docker_hub_without_path_gets_the_nat_plan_and_no_pull_through_cache_in_its_place():
    _, node, _ = seed_state()
    image = "nginx:1.27.2"
    msg = (
        f'Failed to pull image "{image}": rpc error: code = Unknown desc = failed to pull and unpack image '
        '"docker.io/library/nginx:1.27.2": failed to resolve reference "docker.io/library/nginx:1.27.2": '
        'failed to do request: Head "https://registry-1.docker.io/v2/library/nginx/manifests/1.27.2": '
        "dial tcp 54.236.113.205:443: i/o timeout"
    )
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-AbCdEf"
    ev = evidence([failing("web-1", image, msg, node.node)], ptc_secret_arns=(secret,))
    plans = plan_fixes(ev, group_failures(ev))
    # the first pull through a cache rule needs the NAT path anyway (ECR User Guide, VPC endpoints)
    assert [p.steps[0].op for p in plans] == ["ec2.default_route"]
    assert all(s.op != "ecr.pull_through_cache_rule" for p in plans for s in p.steps)


def test_auth_on_own_ecr_attaches_read_only_policy_to_the_node_role_only_when_missing():
    _, node, _ = seed_state()
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments/api:1.4.3"
    msg = (
        f'Failed to pull image "{image}": rpc error: code = Unknown desc = failed to pull and unpack image '
        f'"{image}": failed to resolve reference "{image}": pull access denied, repository does not exist or '
        "may require authorization: authorization failed: no basic auth credentials"
    )
    bare = RoleFacts(node.instance_profile_arn, "eks-node-role", ("arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",))
    ev = evidence([failing("api-1", image, msg, node.node)], roles={node.instance_profile_arn: bare})
    groups = group_failures(ev)
    assert groups[0].code == "image_pull.auth.node_role"
    (plan,) = plan_fixes(ev, groups)
    assert plan.steps[0].params == {
        "role": "eks-node-role",
        "policy_arn": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    }
    ok = dataclasses.replace(
        bare,
        attached_policy_arns=bare.attached_policy_arns
        + ("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",),
    )
    ev_ok = evidence([failing("api-1", image, msg, node.node)], roles={node.instance_profile_arn: ok})
    assert group_failures(ev_ok)[0].code == "image_pull.auth.ecr_other"


def test_missing_tag_plans_closest_tag_and_deletes_pods_only_for_statefulsets():
    _, node, _ = seed_state()
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/payments/api:1.4.4"
    msg = (
        f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and unpack image '
        f'"{image}": failed to resolve reference "{image}": {image}: not found'
    )
    repos = {"payments/api": RepoTags("payments/api", exists=True, tags=("1.4.2", "1.4.3", "1.5.0", "latest"))}
    sts = Owner("StatefulSet", "ledger", "sts-uid", {"app": "ledger"}, "RollingUpdate")
    pods = [failing("api-1", image, msg, node.node), failing("ledger-0", image, msg, node.node, owner=sts)]
    ev = evidence(pods, repos=repos)
    (group,) = group_failures(ev)
    assert group.code == "image_pull.not_found.tag"
    (plan,) = plan_fixes(ev, [group])
    assert [s.op for s in plan.steps] == ["k8s.workload_image", "k8s.workload_image", "k8s.delete_pods"]
    assert {s.params["kind"] for s in plan.steps[:2]} == {"Deployment", "StatefulSet"}
    assert plan.steps[0].after["image"].endswith("payments/api:1.4.3")
    assert plan.steps[2].params["pods"] == [["apps", "ledger-0", "uid-ledger-0"]]


def test_image_helpers():
    assert split_image("nginx").repository == "library/nginx" and split_image("nginx").tag == "latest"
    ref = split_image("quay.io/prometheus/node-exporter:v1.8.1")
    assert (ref.host, ref.repository, ref.tag) == ("quay.io", "prometheus/node-exporter", "v1.8.1")
    assert split_image("localhost:5000/app@sha256:abc").digest == "sha256:abc"
    assert (
        pull_through_image("quay.io/prometheus/node-exporter:v1.8.1", ACCOUNT, REGION)
        == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/quay/prometheus/node-exporter:v1.8.1"
    )
    assert with_tag("registry:5000/team/app:1.0", "1.1") == "registry:5000/team/app:1.1"
    assert closest_tags("1.4.4", ["latest", "1.5.0", "1.4.3", "1.4.2", "0.9.9"])[:2] == ["1.4.3", "1.4.2"]
