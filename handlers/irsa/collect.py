"""Collect IRSA evidence for one request: the I/O step of the IRSA diagnoser.

Called by ``diagnoser.IrsaDiagnoser.diagnose`` and ``verify``. Starting point depends on the
request: an ingress (``/ops ingress NS/NAME``; follows its events, the load balancer
controller, its service account), a service account (``/ops irsa NS/SA``), or a role
(``/ops iam ROLE`` or a pasted AccessDenied naming it; finds the service accounts annotated
with it). It then reads the cluster's OIDC issuer and IAM provider, the role with its trust
policy, policies and boundary, the load balancer and its tags, and asks AWS's simulator.
Permission problems of the bot itself on side evidence (for example ``pods/log``) become notes
rather than failures; failures on the chain itself propagate as ``bot.errors``.
"""

from __future__ import annotations

import dataclasses

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Request
from handlers.irsa import aws_facts, kube_facts
from handlers.irsa.arn import is_arn, role_name_from
from handlers.irsa.evidence import ControllerError, Evidence, ServiceAccountFacts

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


def _ingress_part(ctx: ClusterContext, request: Request, notes: list[str]):
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
        return ingress, [], []
    found: list[ControllerError] = kube_facts.ingress_event_errors(ctx, ns, name)
    pods = kube_facts.controller_pods(ctx)
    if not pods:
        notes.append(
            "no AWS Load Balancer Controller pods found (label app.kubernetes.io/name="
            "aws-load-balancer-controller)"
        )
    if not found and pods:
        try:
            found = kube_facts.controller_log_errors(ctx, pods, name)
        except errors.AccessDenied as exc:
            notes.append(f"could not read the controller's logs: {exc}")
    keys = []
    for pod in pods:
        key = (pod["metadata"]["namespace"], (pod.get("spec") or {}).get("serviceAccountName") or "default")
        if key not in keys:
            keys.append(key)
    return ingress, found, keys


def _role_name(request: Request, sas: list[ServiceAccountFacts], found: list[ControllerError]) -> str:
    for sa in sas:
        if sa.role_arn or sa.pod_identity_role:
            return role_name_from(sa.role_arn or sa.pod_identity_role)
    candidates = [e.role for e in found] + [(request.aws_error or {}).get("role", "")]
    if request.intent == "irsa_access_denied" and not request.entities.get("service_account"):
        candidates.append(request.entities.get("name", ""))
    for c in candidates:
        if c:
            return role_name_from(c)
    return ""


def _action_resource(request: Request, found: list[ControllerError]) -> tuple[str, str]:
    sources = [request.aws_error or {}] + [{"action": e.action, "resource": e.resource} for e in found]
    for src in sources:
        action, resource = src.get("action", ""), src.get("resource", "")
        if action and resource and not action.lower().startswith("sts:assumerole"):
            return action, resource
    return "", ""


def collect(ctx: ClusterContext, request: Request) -> Evidence:
    """Everything the analysis needs, read live. Raises ``UsageError`` when the target is unclear."""
    account = aws_facts.account_id(ctx)
    notes: list[str] = []
    ingress, found, keys = None, [], []
    ents = request.entities
    if request.intent == "ingress_delete_denied":
        ingress, found, keys = _ingress_part(ctx, request, notes)
        target = ingress.target
    elif ents.get("service_account"):
        if not ents.get("namespace"):
            raise _usage(
                "Which namespace? Use `/ops irsa NAMESPACE/SERVICEACCOUNT`.",
                "네임스페이스를 알려 주세요: `/ops irsa NAMESPACE/SERVICEACCOUNT`",
            )
        keys = [(ents["namespace"], ents["service_account"])]
        target = f"{ents['namespace']}/{ents['service_account']}"
    else:
        target = ""
    if ingress is not None and not ingress.exists:
        return Evidence(target, ctx.cluster_name, account, ingress=ingress, notes=tuple(notes))
    sas = [_with_pod_identity(ctx, kube_facts.service_account_facts(ctx, ns, n), notes) for ns, n in keys]
    role_name = _role_name(request, sas, found)
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
    action, resource = _action_resource(request, found)
    lb = None
    if resource and is_arn(resource) and ":loadbalancer/" in resource:
        lb = aws_facts.load_balancer_facts(ctx, arn=resource)
    elif ingress is not None and ingress.hostname:
        lb = aws_facts.load_balancer_facts(ctx, hostname=ingress.hostname)
    if ingress is not None and ingress.deletion_timestamp and not action and lb is not None and lb.exists:
        action, resource = DEFAULT_LB_ACTION, lb.arn
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
    )
