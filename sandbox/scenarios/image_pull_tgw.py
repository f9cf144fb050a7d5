"""Scenario image-pull-tgw: pods on a subnet whose egress is centralised through a transit gateway.

The bot cannot see behind the transit gateway, so it must neither call the route broken nor
propose replacing it; the real blocker here (the world's own tables say so) is the node security
group's 443 egress, which the bot does find. End state checked in moto and the Kubernetes
stand-in: the default route still points at the transit gateway, no endpoint was created, and
the recreated pods run.
"""

from __future__ import annotations

from sandbox.runtime import Sandbox
from sandbox.scenarios.common import approve_and_wait
from sandbox.worlds.image_pull_tgw import seed_tgw_egress_world


def _outcome(*, ok: bool, detail: str):
    from sandbox.demo import Outcome

    return Outcome(ok, detail)


def tgw_egress(sandbox: Sandbox):
    facts = seed_tgw_egress_world(sandbox.aws, sandbox.kube)
    sandbox.say(f"{facts['namespace']} 네임스페이스 파드가 이미지를 못 가져와요")
    req = sandbox.wait_request(lambda r: r.intent == "image_pull")
    plans = sandbox.repo.plans_for_request(req.id)
    ops = [[s["op"] if isinstance(s, dict) else s.op for s in (p.steps or [])] for p in plans]
    if len(plans) != 1 or any(o in ("ec2.default_route", "ec2.vpc_endpoint") for op in ops for o in op):
        return _outcome(
            ok=False, detail=f"expected one plan touching no route or endpoint, got {[p.title['en'] for p in plans]}"
        )
    done = approve_and_wait(sandbox, plans[0].id)
    ec2 = sandbox.aws.client("ec2")
    table = ec2.describe_route_tables(RouteTableIds=[facts["private_route_table"]])["RouteTables"][0]
    default = next((r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"), {})
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [facts["vpc_id"]]}])["VpcEndpoints"]
    pods = sandbox.kube.list("Pod", facts["namespace"])
    running = [p["metadata"]["name"] for p in pods if (p.get("status") or {}).get("phase") == "Running"]
    ok = (
        done.status == "applied"
        and default.get("TransitGatewayId") == facts["tgw"]
        and not endpoints
        and len(running) == len(facts["pods"])
        and not set(running) & set(facts["pods"])
    )
    return _outcome(
        ok=ok,
        detail=f"tgw egress: plan #{done.id} {done.status}; default route -> {default.get('TransitGatewayId')}; "
        f"endpoints {len(endpoints)}; new pods Running {running}",
    )


PARTS = (tgw_egress,)
