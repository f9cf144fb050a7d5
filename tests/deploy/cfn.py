"""Read the CloudFormation templates in ``deploy/aws/`` as data and render what they would create.

No AWS here: a template is decoded with cfn-lint's own loader (short-form tags such as ``!Sub``
become ``{"Fn::Sub": ...}``), and the few intrinsic functions the templates use are resolved
against the parameter values a test gives (``Ref``, ``Fn::Sub``, ``Fn::If``, ``Fn::Join``,
``Fn::GetAtt`` of the role). ``Fn::ForEach`` (the ``AWS::LanguageExtensions`` transform) is
expanded as CloudFormation does, with ``&{Name}`` keeping only the value's letters and digits.

``python -m tests.deploy.cfn`` prints ``deploy/iam-policy.json`` as the YAML block the templates
hold, with ``arn:aws:`` written as ``arn:${AWS::Partition}:``, for pasting after a change.

References: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html
and https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cfnlint.decode.decode import decode_str

ROOT = Path(__file__).resolve().parents[2]
AWS_DIR = ROOT / "deploy" / "aws"
POLICY = ROOT / "deploy" / "iam-policy.json"
_SUB_VAR = re.compile(r"\$\{(!?)([^}]*)\}")
_FOREACH = "Fn::ForEach::"


class Unresolved(ValueError):
    """A template refers to something the test gave no value for."""


def load(path: Path) -> dict[str, Any]:
    template, errors = decode_str(path.read_text(encoding="utf-8"))
    if errors or template is None:
        raise ValueError(f"{path.name}: {errors}")
    return json.loads(json.dumps(template))  # plain dicts and lists, without cfn-lint's node types


def sub_variables(text: str) -> set[str]:
    """The names a ``Fn::Sub`` string refers to (``${!Literal}`` is not a reference)."""
    return {name for bang, name in _SUB_VAR.findall(text) if not bang}


def _sub(text: str, variables: Mapping[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        bang, name = match.groups()
        if bang:
            return "${" + name + "}"
        if name not in variables:
            raise Unresolved(f"no value for ${{{name}}}")
        return str(variables[name])

    return _SUB_VAR.sub(one, text)


def _ref(arg: Any, variables: Mapping[str, Any], _conditions: Mapping[str, bool]) -> Any:
    if arg == "AWS::NoValue":
        return _NO_VALUE
    if arg not in variables:
        raise Unresolved(f"no value for Ref {arg}")
    return variables[arg]


def _fn_sub(arg: Any, variables: Mapping[str, Any], conditions: Mapping[str, bool]) -> Any:
    if isinstance(arg, list):
        text, extra = arg
        return _sub(text, {**variables, **resolve(extra, variables, conditions)})
    return _sub(arg, variables)


def _fn_if(arg: Any, variables: Mapping[str, Any], conditions: Mapping[str, bool]) -> Any:
    name, when_true, when_false = arg
    if name not in conditions:
        raise Unresolved(f"no value for condition {name}")
    return resolve(when_true if conditions[name] else when_false, variables, conditions)


def _fn_join(arg: Any, variables: Mapping[str, Any], conditions: Mapping[str, bool]) -> Any:
    sep, items = arg
    return sep.join(str(i) for i in resolve(items, variables, conditions))


def _fn_get_att(arg: Any, variables: Mapping[str, Any], _conditions: Mapping[str, bool]) -> Any:
    name = ".".join(arg) if isinstance(arg, list) else arg
    if name not in variables:
        raise Unresolved(f"no value for Fn::GetAtt {name}")
    return variables[name]


# The intrinsic functions ``resolve`` evaluates, by key; any other single-key mapping is plain data.
_INTRINSICS = {"Ref": _ref, "Fn::Sub": _fn_sub, "Fn::If": _fn_if, "Fn::Join": _fn_join, "Fn::GetAtt": _fn_get_att}


def resolve(value: Any, variables: Mapping[str, Any], conditions: Mapping[str, bool] | None = None) -> Any:
    """``value`` with its intrinsic functions evaluated; ``variables`` hold parameters, pseudo
    parameters (``AWS::Partition``...) and ``LogicalId.Arn`` for ``Fn::GetAtt``."""
    conditions = conditions or {}
    if isinstance(value, list):
        return [r for v in value if (r := resolve(v, variables, conditions)) is not _NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, arg),) = value.items()
        if key in _INTRINSICS:
            return _INTRINSICS[key](arg, variables, conditions)
    out = {}
    for k, v in value.items():
        r = resolve(v, variables, conditions)
        if r is not _NO_VALUE:
            out[k] = r
    return out


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()


def expand_foreach(resources: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, Any]:
    """``Resources`` with each ``Fn::ForEach::Name: [Identifier, Collection, {Key: Value}]`` expanded."""
    out: dict[str, Any] = {}
    for key, body in resources.items():
        if not key.startswith(_FOREACH):
            out[key] = body
            continue
        identifier, collection, output = body
        for item in resolve(collection, variables):
            for out_key, out_value in output.items():
                logical = out_key.replace("${" + identifier + "}", item).replace(
                    "&{" + identifier + "}", re.sub(r"[^A-Za-z0-9]", "", item)
                )
                out[logical] = _bind(out_value, identifier, item)
    return out


def _bind(value: Any, identifier: str, item: str) -> Any:
    """Replace references to the loop identifier with its value (what the transform does)."""
    if isinstance(value, list):
        return [_bind(v, identifier, item) for v in value]
    if not isinstance(value, dict):
        return value
    if value == {"Ref": identifier}:
        return item
    if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        text = value["Fn::Sub"].replace("${" + identifier + "}", item)
        return {"Fn::Sub": text}
    return {k: _bind(v, identifier, item) for k, v in value.items()}


def conditions_of(template: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, bool]:
    """Evaluate the template's ``Conditions`` (``Fn::Equals``, ``Fn::Not``) for these parameters."""

    def ev(expr: Any) -> bool:
        ((fn, arg),) = expr.items()
        if fn == "Fn::Equals":
            left, right = (resolve(a, variables) for a in arg)
            return left == right
        if fn == "Fn::Not":
            return not ev(arg[0])
        if fn == "Condition":
            return ev(template["Conditions"][arg])
        raise Unresolved(f"condition function {fn}")

    return {name: ev(expr) for name, expr in (template.get("Conditions") or {}).items()}


def parameters(template: Mapping[str, Any], **given: Any) -> dict[str, Any]:
    """Parameter values: the given ones, else the template's defaults (lists split as CloudFormation does)."""
    out: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        value = given.get(name, spec.get("Default"))
        if value is None:
            raise Unresolved(f"parameter {name} has no default and no value was given")
        if spec["Type"] == "CommaDelimitedList" and isinstance(value, str):
            value = [v.strip() for v in value.split(",")] if value else []
        out[name] = value
    return out


def policy_as_yaml(document: Any, indent: int = 0) -> str:
    """A policy document as block YAML for a template: ARNs in the ``aws`` partition become
    ``!Sub`` strings on ``${AWS::Partition}``, and ``${`` in a value is escaped as ``${!``."""
    pad = " " * indent
    lines: list[str] = []

    def scalar(s: str) -> str:
        escaped = s.replace("${", "${!")
        if s.startswith("arn:aws:"):
            return "!Sub " + json.dumps("arn:${AWS::Partition}:" + escaped[len("arn:aws:") :])
        return ("!Sub " if escaped != s else "") + json.dumps(escaped)

    def emit(value: Any, level: int, lead: str) -> None:
        p = pad + "  " * level
        if isinstance(value, dict):
            first = True
            for k, v in value.items():
                prefix = lead if first else p
                first = False
                if isinstance(v, (dict, list)):
                    lines.append(f"{prefix}{k}:")
                    emit(v, level + 1, pad + "  " * (level + 1))
                else:
                    lines.append(f"{prefix}{k}: {scalar(str(v))}")
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, dict):
                    emit(v, level + 1, p + "- ")
                else:
                    lines.append(f"{p}- {scalar(str(v))}")

    emit(document, 0, pad)
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and not argv[0].isdigit()):
        print("usage: python -m tests.deploy.cfn [INDENT]  (INDENT: spaces before each line, e.g. 12)", file=sys.stderr)
        return 2
    document = json.loads(POLICY.read_text(encoding="utf-8"))
    sys.stdout.write(policy_as_yaml(document, int(argv[0]) if argv else 0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
