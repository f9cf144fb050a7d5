"""Reads the diagnosers' source and lists the AWS and Kubernetes API calls it can make.

Used by ``test_deploy_rbac`` and ``test_iam_policy`` to check that the RBAC rules and the IAM
policy in ``deploy/`` cover exactly what the code calls. It parses with ``ast`` (no imports of
the handlers) and validates every name against the real client libraries: a boto3 operation
must exist in botocore's service model, a Kubernetes method on the official API classes.

What it understands, because the handlers use all of it:
- ``<client expr>.describe_x(...)`` where the client expression is ``X.client("svc")`` or a
  name assigned from one in the same function;
- ``<client expr>.get_paginator("op")`` and string literals passed next to a client
  (``_pages(aws.client("ecr"), "describe_pull_through_cache_rules", ...)``);
- ``ctx.kube.<api>.<method>`` attributes, Kubernetes method names written as strings
  (tables of readers and patchers), and f-string templates such as
  ``f"list_namespaced_{kind}"`` expanded with the string literals of the same module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import botocore.model
import botocore.session
from kubernetes import client as k8s

ROOT = Path(__file__).resolve().parents[2]
# Never run by the bot: a tag-driven stop/start Lambda re-implemented to count its calls for ``make bench``,
# and the offline policy evaluators behind ``chatops check-trust``/``check-permission``.
NOT_PRODUCT = {"handlers/rds/lambda_baseline.py", "handlers/irsa/cli.py"}
KUBE_APIS = {
    "core": k8s.CoreV1Api,
    "apps": k8s.AppsV1Api,
    "networking": k8s.NetworkingV1Api,
    "version": k8s.VersionApi,
    "custom": k8s.CustomObjectsApi,
}


def product_sources(*folders: str) -> list[Path]:
    out = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if str(path.relative_to(ROOT)) not in NOT_PRODUCT:
                out.append(path)
    return out


# ---- AWS ----------------------------------------------------------------------------------------


@cache
def _model(service: str) -> botocore.model.ServiceModel:
    return _botocore().get_service_model(service)


@cache
def _botocore() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def _operations(service: str) -> frozenset[str]:
    """snake_case operation names of a boto3 service, from botocore's model."""
    return frozenset(_snake(op) for op in _model(service).operation_names)


@cache
def iam_prefix(service: str) -> str:
    """The IAM action prefix of a boto3 service (``elbv2`` -> ``elasticloadbalancing``)."""
    model = _model(service)
    prefixes = {"resourcegroupstaggingapi": "tag"}
    return prefixes.get(service, model.signing_name or model.endpoint_prefix)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@dataclass(frozen=True)
class AwsCall:
    service: str
    operation: str  # snake_case
    where: str

    @property
    def action(self) -> str:
        """The IAM action, taken from the service model's own operation name."""
        exact = next(op for op in _model(self.service).operation_names if _snake(op) == self.operation)
        return f"{iam_prefix(self.service)}:{exact}"


def _client_service(node: ast.AST, bound: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "client"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _scopes(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def aws_calls(paths: list[Path]) -> set[AwsCall]:
    found: set[AwsCall] = set()
    for path in paths:
        tree = ast.parse(path.read_text(), str(path))
        where = str(path.relative_to(ROOT))
        for scope in _scopes(tree):
            found |= _scope_aws_calls(scope, where)
    return found


def _bound_clients(scope: ast.AST) -> dict[str, str]:
    """The names a scope assigns a boto3 client to, with the client's service."""
    bound: dict[str, str] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            service = _client_service(node.value, bound)
            if service:
                bound[node.targets[0].id] = service
    return bound


def _scope_aws_calls(scope: ast.AST, where: str) -> set[AwsCall]:
    bound = _bound_clients(scope)
    found: set[AwsCall] = set()
    for node in ast.walk(scope):
        # called directly, or picked first: ``(a.x if c else a.y)(...)``
        if isinstance(node, ast.Attribute):
            service = _client_service(node.value, bound)
            if service and node.attr in _operations(service):
                found.add(AwsCall(service, node.attr, where))
        if isinstance(node, ast.Call):
            found |= _call_aws_calls(node, scope, bound, where)
    return found


def _call_aws_calls(node: ast.Call, scope: ast.AST, bound: dict[str, str], where: str) -> set[AwsCall]:
    """Operations a call names rather than calls: a paginator, ``getattr``, or a client passed with an operation."""
    found: set[AwsCall] = set()
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "get_paginator":
        service = _client_service(func.value, bound)
        if service and isinstance(node.args[0], ast.Constant):
            found.add(AwsCall(service, str(node.args[0].value), where))
    if isinstance(func, ast.Name) and func.id == "getattr":
        service = _client_service(node.args[0], bound)
        # ``getattr(ec2, ("authorize" if x else "revoke") + "_security_group_egress")``
        if service:
            ops = _composed(scope) & _operations(service)
            found |= {AwsCall(service, op, where) for op in ops}
    services = [s for s in (_client_service(a, bound) for a in node.args) if s]
    for service in services:
        for arg in node.args:
            if isinstance(arg, ast.Constant) and arg.value in _operations(service):
                found.add(AwsCall(service, str(arg.value), where))
    return found


def _composed(scope: ast.AST) -> set[str]:
    """Every string literal of a function, and every concatenation of two of them."""
    words = {n.value for n in ast.walk(scope) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return words | {a + b for a in words for b in words}


# ---- Kubernetes ----------------------------------------------------------------------------------


@cache
def kube_methods() -> frozenset[str]:
    names = set()
    for cls in KUBE_APIS.values():
        names |= {
            n
            for n in dir(cls)
            if not n.startswith("_")
            and not n.endswith("_with_http_info")
            and callable(getattr(cls, n))
            and n != "api_client"
        }
    return frozenset(names)


@dataclass(frozen=True)
class KubeCall:
    method: str
    where: str
    args: tuple[str, ...] = ()  # leading string arguments (group, version, plural of custom objects)


def kube_calls(paths: list[Path]) -> set[KubeCall]:
    methods = kube_methods()
    found: set[KubeCall] = set()
    for path in paths:
        tree = ast.parse(path.read_text(), str(path))
        where = str(path.relative_to(ROOT))
        literals = _value_literals(tree)
        # A dict key names a field ({"close": ...} in a Slack view), never a method called by name.
        keys = {id(k) for n in ast.walk(tree) if isinstance(n, ast.Dict) for k in n.keys if k is not None}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in methods and _is_kube_api(node.value):
                found.add(KubeCall(node.attr, where, _custom_args(tree, node)))
            elif (
                isinstance(node, ast.Constant)
                and node.value in methods
                and node.value != "get_code"
                and id(node) not in keys
            ):
                found.add(KubeCall(str(node.value), where))
            elif isinstance(node, ast.JoinedStr):
                pattern = _template(node)
                if pattern is None:
                    continue
                for literal in literals:
                    name = pattern.format(literal)
                    if name in methods:
                        found.add(KubeCall(name, where))
    return found


def _value_literals(tree: ast.Module) -> set[str]:
    """Strings used as values (call arguments, dict values, tuple items), not as dict keys."""
    nodes: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            nodes += node.args
        elif isinstance(node, ast.Dict):
            nodes += node.values
        elif isinstance(node, ast.Tuple):
            nodes += node.elts
    return {n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _is_kube_api(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in KUBE_APIS
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "kube"
    )


def _template(node: ast.JoinedStr) -> str | None:
    """``f"list_namespaced_{kind}"`` -> ``"list_namespaced_{}"`` (one placeholder only)."""
    parts, holes = [], 0
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
        else:
            parts.append("{0}")
            holes += 1
    text = "".join(parts)
    verb = re.match(r"(list|read|patch|create|delete|replace)_", text)
    if holes == 0 or not re.fullmatch(r"[a-z_{}0]+", text) or not verb:
        return None
    return text


def _custom_args(tree: ast.Module, attr: ast.Attribute) -> tuple[str, ...]:
    """For custom-object calls, the constant (group, version, plural) arguments of the call."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.func is attr:
            return tuple(str(a.value) for a in node.args if isinstance(a, ast.Constant))
    return ()
