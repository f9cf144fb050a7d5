"""Property: whatever a pasted error names, no proposed step names anything live state did not supply.

Generated errors name random roles, actions, resources, service accounts, namespaces and load
balancers (every generated name carries the marker ``atk``, which nothing in the world uses),
mixed with the world's real names and the reference policy's real actions. They reach the IRSA
diagnoser both as the parser reads a pasted line and as raw parsed fields. For every example:
no plan step contains the marker, every role a step names exists in IAM, and every permission
document a step would write passes the central guardrail.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import Request
from bot.services.guardrails import plan_violations
from bot.services.reading import parse
from handlers.irsa import DIAGNOSER
from handlers.irsa.grants import reference
from sandbox.worlds.irsa import CONTROLLER_LOCATION, ROLE, seed_ingress_trust_world

MARK = "atk"
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
attacker_name = _word.map(lambda w: f"{MARK}{w}")
REFERENCE_ACTIONS = sorted(
    {
        a
        for s in reference("aws-load-balancer-controller", "aws").policy["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
)
actions = st.one_of(
    st.sampled_from(REFERENCE_ACTIONS),
    st.sampled_from(
        [
            "secretsmanager:GetSecretValue",
            "s3:*",
            "iam:*",
            "*",
            "kms:Decrypt",
            "sts:AssumeRole",
            "iam:PassRole",
            "organizations:ListAccounts",
        ]
    ),
    st.builds(lambda svc, act: f"{svc}:{act}", _word, attacker_name),
)


def _resource(account: str):
    return st.one_of(
        st.just("*"),
        attacker_name.map(
            lambda n: f"arn:aws:elasticloadbalancing:ap-northeast-1:{account}:loadbalancer/app/{n}/1a2b3c"
        ),
        attacker_name.map(lambda n: f"arn:aws:s3:::{n}/*"),
        attacker_name.map(lambda n: f"arn:aws:secretsmanager:ap-northeast-1:{account}:secret:{n}"),
    )


def _request(world: dict):
    role = st.one_of(attacker_name, st.just(ROLE))
    namespace = st.one_of(attacker_name, st.just("cloudon"))
    service_account = st.one_of(attacker_name, st.just("aws-load-balancer-controller"))
    error = st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["permission_missing", "explicit_deny", "trust_policy", "other"]),
            "role": role,
            "action": actions,
            "resource": _resource(world["account"]),
        }
    )
    entities = st.one_of(
        st.just({}),
        st.fixed_dictionaries({"namespace": namespace, "service_account": service_account}),
        st.fixed_dictionaries({"name": role}),
    )
    raw = st.builds(lambda e, err: Request("irsa_access_denied", e, aws_error=err), entities, error)
    ingress = st.builds(
        lambda err: Request(
            "ingress_delete_denied", {"namespace": "cloudon", "name": "cloudon-ingress"}, aws_error=err
        ),
        error,
    )

    def pasted(err: dict, sa: str, ns: str) -> Request:
        text = (
            f"serviceaccount {sa} in namespace {ns}: AccessDenied: User: arn:aws:sts::{world['account']}:"
            f"assumed-role/{err['role']}/s is not authorized to perform: {err['action']} on resource: "
            f"{err['resource']} because no identity-based policy allows the {err['action']} action"
        )
        parsed = parse(text)
        return Request(parsed.intent, dict(parsed.entities), aws_error=parsed.aws_error)

    return st.one_of(raw, ingress, st.builds(pasted, error, service_account, namespace))


def test_no_step_names_what_only_the_paste_named(cluster_ctx, aws, kube_stand_in):
    cluster_ctx.role_allow_patterns = ("AmazonEKS*", "eks-*")
    cluster_ctx.lb_controller = CONTROLLER_LOCATION
    world = seed_ingress_trust_world(aws, kube_stand_in)
    aws.client("iam").detach_role_policy(RoleName=ROLE, PolicyArn=world["policy_arn"])  # so grants are proposed
    live_roles = {r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]}
    patterns = ("*",)
    seen: dict[str, int] = {"plans": 0, "examples": 0}

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(_request(world))
    def check(request: Request) -> None:
        if request.intent not in DIAGNOSER.intents:
            return
        try:
            diagnosis = DIAGNOSER.diagnose(cluster_ctx, request)
        except Exception as exc:  # a clear refusal of an unclear target is fine; nothing else is
            assert type(exc).__name__ == "UsageError", repr(exc)
            return
        seen["examples"] += 1
        for plan in diagnosis.plans:
            seen["plans"] += 1
            steps = json.dumps([[s.op, dict(s.params), s.before, s.after] for s in plan.steps])
            assert MARK not in steps, (request, steps)
            for step in plan.steps:
                for key in ("role_name", "role"):
                    if key in step.params:
                        assert step.params[key] in live_roles
            assert plan_violations(plan, patterns) == [], (request, steps)

    check()
    assert seen["examples"] >= 10 and seen["plans"] >= 5, seen  # the property was exercised, not skipped
