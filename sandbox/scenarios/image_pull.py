"""Scenario image-pull: pods that cannot pull their image, fixed down to the subnet.

(a) the classic case: ``cloudwatch-agent`` on a private subnet with no path to ECR; the bot proposes
VPC endpoints (or a NAT route); ops approve the endpoints and reject the NAT route; the failing pods
are deleted and their replacements pull — the sandbox's kubelet decides from moto's network state,
so they only run if the path really opened. (b) a tag that does not exist: the workload is patched
to the closest tag. (c) Docker Hub rate limiting: the bot proposes an ECR pull-through cache rule and
the image rewritten to its prefix; ops approve; the rule exists in ECR (``sandbox.aws_ecr_behaviour``)
and the rolled-out pods pull through it, as the world's kubelet decides from the rule and the node's
network (its first pull needs the internet, which this world's NAT route gives).
"""

from __future__ import annotations

from sandbox.runtime import OPS2, Sandbox
from sandbox.scenarios.common import approve_and_wait
from sandbox.worlds import image_pull as worlds


def _outcome(*, ok: bool, detail: str):
    from sandbox.demo import Outcome

    return Outcome(ok, detail)


def _running(sandbox: Sandbox, namespace: str) -> list[dict]:
    return [
        p
        for p in sandbox.kube.list("Pod", namespace)
        if (p.get("status") or {}).get("phase") == "Running"
        and all(c.get("ready") for c in (p["status"].get("containerStatuses") or []))
    ]


def private_subnet(sandbox: Sandbox):
    facts = worlds.seed_private_subnet_world(sandbox.aws, sandbox.kube)
    sandbox.say(f"{facts['namespace']} 네임스페이스 파드가 이미지를 못 가져와요")
    req = sandbox.wait_request(lambda r: r.intent == "image_pull")
    plans = sandbox.repo.plans_for_request(req.id)
    if len(plans) < 2:
        return _outcome(ok=False, detail=f"expected endpoint and NAT plans, got {[p.title['en'] for p in plans]}")
    endpoints, nat = plans[0], plans[1]
    sandbox.click("reject_plan", nat.id, user=OPS2, message_ts=nat.message_ts)
    done = approve_and_wait(sandbox, endpoints.id)
    running = [p["metadata"]["name"] for p in _running(sandbox, facts["namespace"])]
    vpces = sandbox.aws.client("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [facts["vpc_id"]]}])[
        "VpcEndpoints"
    ]
    services = sorted(e["ServiceName"].rsplit(".", 1)[-1] for e in vpces)
    ok = (
        done.status == "applied"
        and len(running) == len(facts["pods"])
        and not set(running) & set(facts["pods"])
        and sandbox.repo.get_plan(nat.id).status == "rejected"
    )
    return _outcome(
        ok=ok,
        detail=f"seed: plan #{done.id} {done.status}; endpoints {services}; new pods Running {running}; "
        f"NAT plan {sandbox.repo.get_plan(nat.id).status}",
    )


def missing_tag(sandbox: Sandbox):
    facts = worlds.seed_missing_tag_world(sandbox.aws, sandbox.kube)
    sandbox.slash(f"pull {facts['namespace']}")
    req = sandbox.wait_request(lambda r: r.intent == "image_pull")
    plans = sandbox.repo.plans_for_request(req.id)
    if not plans:
        return _outcome(ok=False, detail=f"no plan: {req.diagnosis}")
    done = approve_and_wait(sandbox, plans[0].id)
    dep = sandbox.kube.get("Deployment", facts["namespace"], facts["deployment"])
    image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
    running = _running(sandbox, facts["namespace"])
    ok = done.status == "applied" and image.endswith(":" + facts["expected_tag"]) and bool(running)
    return _outcome(
        ok=ok,
        detail=f"missing tag: plan #{done.id} {done.status}; image now {image.rsplit('/', 1)[-1]}; "
        f"{len(running)} pod(s) Running",
    )


def dockerhub_rate_limit(sandbox: Sandbox):
    facts = worlds.seed_dockerhub_rate_limit_world(sandbox.aws, sandbox.kube)
    sandbox.say(f"ImagePullBackOff in {facts['namespace']}")
    req = sandbox.wait_request(lambda r: r.intent == "image_pull")
    codes = (req.diagnosis or {}).get("codes", [])
    plans = sandbox.repo.plans_for_request(req.id)
    if not plans:
        return _outcome(ok=False, detail=f"no plan: {codes}")
    done = approve_and_wait(sandbox, plans[0].id)
    ecr = sandbox.aws.client("ecr")
    rules = {
        r["ecrRepositoryPrefix"]: r["upstreamRegistryUrl"]
        for r in ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    }
    dep = sandbox.kube.get("Deployment", facts["namespace"], facts["deployment"])
    image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
    running = [p for p in _running(sandbox, facts["namespace"]) if p["spec"]["containers"][0]["image"] == image]
    ok = (
        any("rate" in c for c in codes)
        and done.status == "applied"
        and rules.get("docker-hub") == "registry-1.docker.io"
        and image.endswith("/docker-hub/library/nginx:1.27.2")
        and bool(running)
    )
    return _outcome(
        ok=ok,
        detail=f"rate limit: findings {codes}; plan #{done.id} {done.status}; rules {rules}; "
        f"image now {image.split('/', 1)[-1]}; {len(running)} pod(s) Running through the cache",
    )


PARTS = (private_subnet, missing_tag, dockerhub_rate_limit)
