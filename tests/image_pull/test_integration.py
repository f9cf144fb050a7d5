"""The image-pull diagnoser end to end against moto (HTTP) and the Kubernetes stand-in.

Each test seeds a world, diagnoses, applies a proposed plan step by step the way the services
layer does (read == before, apply, record), verifies through the world's kubelet imitation
(which decides from live moto state), and where it matters reverts.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot import errors
from bot.domain import Request
from handlers.image_pull import DIAGNOSER, OPERATIONS
from sandbox.worlds.image_pull import (
    seed_dockerhub_rate_limit_world,
    seed_missing_tag_world,
    seed_private_subnet_world,
)
from tests.image_pull.moto_ptc import without_pull_through_cache_api
from tests.steps import run_steps

OPS = {op.name: op for op in OPERATIONS}


def apply_plan(ctx, plan):
    return [(done.step, done.observed) for done in run_steps(ctx, plan.steps, OPS.__getitem__)]


def revert_plan(ctx, observed):
    undo = [OPS[s.op].revert(s, after) for s, after in reversed(observed)]
    assert all(u is not None for u in undo)
    for step in undo:
        assert OPS[step.op].read(ctx, step.params) == step.before
        assert OPS[step.op].apply(ctx, step) == step.after


def diagnose(ctx, ns, **entities):
    return DIAGNOSER.diagnose(ctx, Request("image_pull", {"namespace": ns, **entities}))


def test_seed_world_endpoints_fix_brings_pods_up_and_reverts(cluster_ctx, kube_stand_in, aws):
    facts = seed_private_subnet_world(aws, kube_stand_in)
    diagnosis = diagnose(cluster_ctx, "amazon-cloudwatch")
    assert diagnosis.codes() == ["image_pull.network.no_path"]
    assert diagnosis.findings[0].count == 2
    endpoints, nat = diagnosis.plans
    assert endpoints.steps[-1].op == "k8s.delete_pods" and nat.steps[0].after == {"target": facts["nat"]}
    observed = apply_plan(cluster_ctx, endpoints)
    assert all(after == step.after for step, after in observed)
    result = DIAGNOSER.verify(cluster_ctx, endpoints)
    assert result.ok, result.message.en
    assert "Running" in result.message.en
    pods = kube_stand_in.list("Pod", "amazon-cloudwatch")
    assert len(pods) == 2 and not {p["metadata"]["name"] for p in pods} & set(facts["pods"])
    revert_plan(cluster_ctx, observed)
    ec2 = aws.client("ec2")
    left = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [facts["vpc_id"]]}])["VpcEndpoints"]
    assert [e for e in left if e["State"].lower() not in ("deleted", "deleting")] == []


def test_stale_plan_then_nat_route_fix_verifies_and_revert_removes_the_route(cluster_ctx, kube_stand_in, aws):
    facts = seed_private_subnet_world(aws, kube_stand_in)
    one = diagnose(cluster_ctx, "amazon-cloudwatch", pod=facts["pods"][0])
    assert one.findings[0].count == 1 and one.target == f"amazon-cloudwatch/{facts['pods'][0]}"
    nat_plan = diagnose(cluster_ctx, "amazon-cloudwatch").plans[1]
    ec2 = aws.client("ec2")
    ec2.create_route(
        RouteTableId=facts["private_route_table"], DestinationCidrBlock="0.0.0.0/0", GatewayId=facts["igw"]
    )
    with pytest.raises(errors.StalePlan) as stale:
        apply_plan(cluster_ctx, nat_plan)
    assert stale.value.actual == {"target": facts["igw"]}
    ec2.delete_route(RouteTableId=facts["private_route_table"], DestinationCidrBlock="0.0.0.0/0")
    observed = apply_plan(cluster_ctx, nat_plan)
    assert DIAGNOSER.verify(cluster_ctx, nat_plan).ok
    revert_plan(cluster_ctx, observed)
    assert OPS["ec2.default_route"].read(cluster_ctx, {"route_table_id": facts["private_route_table"]}) == {
        "target": ""
    }


def test_incomplete_fix_reports_the_new_pods_kubelet_error(cluster_ctx, kube_stand_in, aws):
    seed_private_subnet_world(aws, kube_stand_in)
    plan = diagnose(cluster_ctx, "amazon-cloudwatch").plans[0]
    partial = dataclasses.replace(plan, steps=(plan.steps[0], plan.steps[-1]))  # ecr.api only, then delete
    apply_plan(cluster_ctx, partial)
    result = DIAGNOSER.verify(cluster_ctx, partial)
    assert not result.ok and not result.pending
    assert "ErrImagePull" in result.message.en and "i/o timeout" in result.message.en
    again = diagnose(cluster_ctx, "amazon-cloudwatch")
    assert again.findings[0].data["blockers"] == ["route.no_default", "endpoint.missing", "s3.missing"]
    kube_stand_in.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "quiet"}})
    assert diagnose(cluster_ctx, "quiet").codes() == ["image_pull.none"]


def test_missing_tag_world_patches_the_deployment_to_the_closest_tag(cluster_ctx, kube_stand_in, aws):
    facts = seed_missing_tag_world(aws, kube_stand_in)
    diagnosis = diagnose(cluster_ctx, "payments")
    assert diagnosis.codes() == ["image_pull.not_found.tag"]
    assert diagnosis.findings[0].data["suggestions"][0] == facts["expected_tag"]
    (plan,) = diagnosis.plans
    observed = apply_plan(cluster_ctx, plan)
    assert DIAGNOSER.verify(cluster_ctx, plan).ok
    revert_plan(cluster_ctx, observed)
    deployment = kube_stand_in.get("Deployment", "payments", "api")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == facts["image"]


def test_rate_limit_pull_through_cache_fails_clearly_without_the_api_and_works_with_it(cluster_ctx, kube_stand_in, aws):
    facts = seed_dockerhub_rate_limit_world(aws, kube_stand_in)
    (plan,) = diagnose(cluster_ctx, "web").plans
    assert [s.op for s in plan.steps] == ["ecr.pull_through_cache_rule", "k8s.workload_image"]
    assert plan.steps[0].params["credential_arn"] == facts["secret_arn"]
    with without_pull_through_cache_api(), pytest.raises(errors.CloudError) as failed:
        apply_plan(cluster_ctx, plan)
    assert failed.value.code == "NotImplemented" and "pull-through cache" in str(failed.value)
    assert "moto" not in str(failed.value) and "sandbox" not in str(failed.value)
    observed = apply_plan(cluster_ctx, plan)  # the sandbox's moto answers the pull-through cache API
    result = DIAGNOSER.verify(cluster_ctx, plan)
    assert result.ok, result.message.en
    revert_plan(cluster_ctx, observed)
    assert OPS["ecr.pull_through_cache_rule"].read(cluster_ctx, {"prefix": "docker-hub"})["exists"] is False


def test_command_parsing():
    parse = DIAGNOSER.commands[0].parse
    assert parse(["-A"]) == {"namespace": "*"}
    assert parse(["amazon-cloudwatch/cloudwatch-agent-fz4hj"]) == {
        "namespace": "amazon-cloudwatch",
        "pod": "cloudwatch-agent-fz4hj",
    }
    for bad in ([], ["a", "b"], ["Bad_NS"], ["ns/"], ["ns/a/b"]):
        with pytest.raises(errors.UsageError):
            parse(bad)
