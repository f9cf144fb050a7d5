"""Collect IRSA evidence for one request: the I/O step of the IRSA diagnoser.

Called by ``diagnoser.IrsaDiagnoser.diagnose`` and ``verify``. Text a person typed or pasted is a
hint about where to look, never the source of what to change: every role, service account and
load balancer a plan may touch is read here from live state.

* ``/ops ingress NS/NAME`` (or "ingress won't delete"): the ingress, the load balancer its status
  hostname resolves to, and the AWS Load Balancer Controller found by its configured namespace
  and Deployment (``ClusterContext.lb_controller``) through pod ownership; the role is the one
  the controller's service account is annotated with. The controller's events and logs only say
  which action failed.
* ``/ops irsa NS/SA``: that service account, its annotation and pods.
* ``/ops iam ROLE`` or a pasted AccessDenied naming a role: that role, read live, and the service
  accounts annotated with it.

What a pasted error names and live state contradicts (another role, another load balancer)
becomes a ``Claim`` the analysis reports; nothing is proposed for it. It then reads the cluster's
OIDC issuer and IAM provider, the role with its trust policy, policies and boundary, the load
balancer and its tags, and asks AWS's simulator. Permission problems of the bot itself on side
evidence (for example ``pods/log``) become notes rather than failures; failures on the chain
itself propagate as ``bot.errors``.
"""

from __future__ import annotations

import dataclasses

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Request
from handlers.irsa import aws_facts, kube_facts
from handlers.irsa.arn import is_arn, parse_arn, role_name_from
from handlers.irsa.decoded import DecodedFailure, decode
from handlers.irsa.evidence import (
    Claim,
    ControllerError,
    ControllerFacts,
    Evidence,
    IngressFacts,
    LoadBalancerFacts,
    ServiceAccountFacts,
)
from handlers.irsa.grants import LB_CONTROLLER

DEFAULT_LB_ACTION = "elasticloadbalancing:DeleteLoadBalancer"
MAX_SERVICE_ACCOUNTS = 10


def _usage(en: str, ko: str) -> errors.UsageError:
    return errors.UsageError(en, ko)


def _with_pod_identity(ctx: ClusterContext, sa: ServiceAccountFacts, notes: list[str]) -> ServiceAccountFacts:
    if not sa.exists or sa.role_arn:
        return sa
    role, note = aws_facts.pod_identity_role(ctx, sa.namespace, sa.name)
    if note:
        notes.append(note)
    return dataclasses.replace(sa, pod_identity_role=role) if role else sa


def _role_of(sa: ServiceAccountFacts) -> str:
    return sa.role_arn or sa.pod_identity_role


def _safe_role_name(text: str) -> str:
    try:
        return role_name_from(text)
    except ValueError:
        return ""


def _controller(ctx: ClusterContext, notes: list[str]) -> tuple[ControllerFacts, list[dict]]:
    facts, pods = kube_facts.lb_controller(ctx)
    if not facts.exists:
        notes.append(f"no AWS Load Balancer Controller Deployment {facts.target} (configured location)")
        return facts, pods
    if not pods:
        notes.append(f"the AWS Load Balancer Controller Deployment {facts.target} has no running pods")
    role = ""
    for name in facts.service_accounts:
        sa = _with_pod_identity(ctx, kube_facts.service_account_facts(ctx, facts.namespace, name), notes)
        role = role or _role_of(sa)
    return dataclasses.replace(facts, role_arn=role), pods


def _ingress_part(
    ctx: ClusterContext, request: Request, pods: list[dict], notes: list[str]
) -> tuple[IngressFacts, list[ControllerError]]:
    ns, name = request.entities.get("namespace", ""), request.entities.get("name", "")
    if ns and not name:
        name = kube_facts.find_stuck_ingress(ctx, ns)
    if not ns or not name:
        raise _usage(
            "Which ingress? Use `/ops ingress NAMESPACE/NAME`.",
            "어떤 Ingress 인지 알려 주세요: `/ops ingress NAMESPACE/NAME`",
        )
    ingress = kube_facts.read_ingress(ctx, ns, name)
    if not ingress.exists:
        return ingress, []
    found: list[ControllerError] = kube_facts.ingress_event_errors(ctx, ns, name)
    if not found and ingress.group and ingress.deletion_timestamp:
        # A member being deleted has left its group: the controller records the group's events on
        # the remaining members only and logs the group, not the ingress.
        found = kube_facts.group_member_event_errors(ctx, ingress.group, ingress.target)
    if not found and pods:
        try:
            found = kube_facts.controller_log_errors(ctx, pods, name, ns, ingress.group)
        except errors.AccessDenied as exc:
            notes.append(f"could not read the controller's logs: {exc}")
    return ingress, found


def _hinted_roles(request: Request, found: list[ControllerError], decoded: DecodedFailure | None) -> list[str]:
    """Role names the pasted error, what AWS decoded of it, or the controller's own errors
    mention (hints only)."""
    hints = [(request.aws_error or {}).get("role", ""), decoded.principal_arn if decoded else ""]
    hints += [e.role for e in found]
    if request.intent == "irsa_access_denied" and not request.entities.get("service_account"):
        hints.append(request.entities.get("name", ""))
    names: list[str] = []
    for hint in hints:
        name = _safe_role_name(hint) if hint else ""
        if name and name not in names:
            names.append(name)
    return names


def _choose_role(
    request: Request, sas: list[ServiceAccountFacts], hints: list[str], *, named: bool, claims: list[Claim]
) -> tuple[str, str]:
    """(role name, where it came from). A live annotation wins; a hint that disagrees is a claim."""
    live = next((role_name_from(_role_of(sa)) for sa in sas if _role_of(sa)), "")
    if live:
        claims.extend(Claim("role", h, live) for h in hints if h != live)
        return live, "service_account"
    if hints:
        return hints[0], "named" if named else "hint"
    return "", ""


def _action(request: Request, found: list[ControllerError], decoded: DecodedFailure | None) -> tuple[str, str]:
    """(action, resource) the errors name: hints for what to evaluate, never what to grant."""
    sources = [request.aws_error or {}]
    if decoded is not None:
        sources.append({"action": decoded.action, "resource": decoded.resource})
    sources += [{"action": e.action, "resource": e.resource} for e in found]
    for src in sources:
        action, resource = src.get("action", ""), src.get("resource", "")
        if action and not action.lower().startswith("sts:assumerole"):
            return action, resource
    return "", ""


def _ingress_load_balancer(
    ctx: ClusterContext, ingress: IngressFacts | None, hinted: str, claims: list[Claim]
) -> LoadBalancerFacts | None:
    """The load balancer the ingress's status hostname resolves to; a different one named is a claim."""
    if ingress is None or not ingress.hostname:
        return None
    lb = aws_facts.load_balancer_facts(ctx, hostname=ingress.hostname)
    if hinted and is_arn(hinted) and ":loadbalancer/" in hinted and (lb is None or hinted != lb.arn):
        claims.append(Claim("load_balancer", hinted, lb.arn if lb is not None else ""))
    return lb


def _decoded(ctx: ClusterContext, request: Request) -> tuple[DecodedFailure | None, str]:
    """The pasted encoded authorization failure message as AWS STS decodes it, if one was pasted."""
    encoded = (request.aws_error or {}).get("encoded", "")
    if not encoded or encoded == "...":  # "..." stands for a message the paste cut off before its text
        return None, ""
    return decode(ctx, encoded)


def _partition(role_arn: str) -> str:
    try:
        return parse_arn(role_arn).partition
    except ValueError:
        return "aws"


def _target(
    ctx: ClusterContext, request: Request, controller: ControllerFacts, pods: list[dict], notes: list[str]
) -> tuple[IngressFacts | None, list[ControllerError], list[tuple[str, str]], str]:
    """What the request is about: the ingress (and the controller's errors about it), the service
    accounts it names, and the target's label; nothing of it when the request names a role instead."""
    ents = request.entities
    if request.intent == "ingress_delete_denied":
        ingress, found = _ingress_part(ctx, request, pods, notes)
        keys = [(controller.namespace, sa) for sa in controller.service_accounts]
        return ingress, found, keys, ingress.target
    if ents.get("service_account"):
        if not ents.get("namespace"):
            raise _usage(
                "Which namespace? Use `/ops irsa NAMESPACE/SERVICEACCOUNT`.",
                "네임스페이스를 알려 주세요: `/ops irsa NAMESPACE/SERVICEACCOUNT`",
            )
        keys = [(ents["namespace"], ents["service_account"])]
        return None, [], keys, f"{ents['namespace']}/{ents['service_account']}"
    return None, [], [], ""


def _action_and_resource(
    ingress: IngressFacts | None, lb: LoadBalancerFacts | None, action: str, hinted_resource: str
) -> tuple[str, str]:
    """The denied action and the resource to evaluate it on."""
    if ingress is None:
        return action, hinted_resource
    # On the ingress path the resource is the ingress's own load balancer, never a named one.
    resource = lb.arn if lb is not None and lb.exists else ""
    if ingress.deletion_timestamp and not action and resource:
        action = DEFAULT_LB_ACTION
    return action, resource


def collect(ctx: ClusterContext, request: Request) -> Evidence:
    """Everything the analysis needs, read live. Raises ``UsageError`` when the target is unclear."""
    account = aws_facts.account_id(ctx)
    notes: list[str] = []
    claims: list[Claim] = []
    controller, pods = _controller(ctx, notes)
    ingress, found, keys, target = _target(ctx, request, controller, pods, notes)
    if ingress is not None and not ingress.exists:
        return Evidence(target, ctx.cluster_name, account, ingress=ingress, notes=tuple(notes), controller=controller)
    sas = [_with_pod_identity(ctx, kube_facts.service_account_facts(ctx, ns, n), notes) for ns, n in keys]
    pasted_sa = (request.aws_error or {}).get("service_account", "")
    if pasted_sa and keys and all(f"{ns}:{n}" not in pasted_sa for ns, n in keys):
        claims.append(Claim("service_account", pasted_sa, ", ".join(f"{ns}/{n}" for ns, n in keys)))
    decoded, decode_problem = _decoded(ctx, request)
    hints = _hinted_roles(request, found, decoded)
    named = request.intent == "irsa_access_denied" and not keys
    role_name, role_source = _choose_role(request, sas, hints, named=named, claims=claims)
    if not role_name and not sas:
        raise _usage(
            "Which role or service account? Use `/ops iam ROLE_NAME` or `/ops irsa NAMESPACE/SA`.",
            "역할이나 서비스 어카운트를 알려 주세요: `/ops iam ROLE_NAME` 또는 `/ops irsa NAMESPACE/SA`",
        )
    if role_name and not keys:
        using = kube_facts.service_accounts_using(ctx, role_name)[:MAX_SERVICE_ACCOUNTS]
        sas = [kube_facts.service_account_facts(ctx, ns, n) for ns, n in using]
        if not sas:
            notes.append(f"no service account in the cluster is annotated with role {role_name}")
    target = target or role_name
    oidc = aws_facts.oidc_facts(ctx, account)
    role = aws_facts.role_facts(ctx, account, role_name) if role_name else None
    action, hinted_resource = _action(request, found, decoded)
    lb = _ingress_load_balancer(ctx, ingress, hinted_resource, claims)
    lb_source = "ingress" if lb is not None else ""
    if ingress is None and is_arn(hinted_resource) and ":loadbalancer/" in hinted_resource:
        # Read only to evaluate the denied call with the resource's real tags; never a plan target.
        lb, lb_source = aws_facts.load_balancer_facts(ctx, arn=hinted_resource), "named"
    action, resource = _action_and_resource(ingress, lb, action, hinted_resource)
    controller_role = role_name_from(controller.role_arn) if controller.role_arn else ""
    component = LB_CONTROLLER if role is not None and role.exists and role.name == controller_role else ""
    simulation = None
    if role is not None and role.exists and action and resource:
        tags = dict(lb.tags) if lb is not None and lb.exists else {}
        simulation = aws_facts.simulate(ctx, role.arn, action, resource, tags)
    return Evidence(
        target,
        ctx.cluster_name,
        account,
        ingress,
        tuple(found),
        tuple(sas),
        oidc,
        role,
        lb,
        action,
        resource,
        simulation,
        tuple(notes),
        controller,
        tuple(claims),
        component,
        role_source,
        lb_source,
        _partition(role.arn) if role is not None and role.exists else aws_facts.partition(ctx),
        decoded,
        decode_problem,
    )
