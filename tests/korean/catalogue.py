"""Finds Korean particles written as fixed text right after an interpolated value in the bot's messages.

Messages live in the code as ``Msg(en, ko)`` pairs and (en, ko) arguments, mostly f-strings; a fixed
``는`` after ``{name}`` is right for only half of the names. Every f-string and every ``str.format``
template under ``bot/`` and ``handlers/`` is read with ``ast``; a fixed particle after a placeholder
(optionally after a closing quote, backtick or bracket, and one space) is reported with its place.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers")
PARTICLES = "이라|라|이나|나|으로|로|은|는|이|가|을|를|과|와|아|야"
# what may stand between the placeholder and the particle, and what must follow the particle. A closing
# parenthesis is not among them: after "클러스터({engine})" the particle agrees with the word before "(".
_CLOSERS = r"[`*_~'\"]*\s?"
_END = r"(?=[\s.,:;!?)(\]'\"`*_~]|$)"
AFTER_VALUE = re.compile(rf"^{_CLOSERS}({PARTICLES}){_END}")
AFTER_FIELD = re.compile(rf"\{{[^{{}}]*\}}{_CLOSERS}({PARTICLES}){_END}")


def _fstring_hits(node: ast.JoinedStr) -> list[str]:
    hits = []
    parts = node.values
    for before, after in zip(parts, parts[1:], strict=False):
        if (
            isinstance(before, ast.FormattedValue)
            and isinstance(after, ast.Constant)
            and isinstance(after.value, str)
            and not _chooses(before.value)
        ):
            found = AFTER_VALUE.match(after.value)
            if found:
                hits.append(f"{{{ast.unparse(before.value)}}}{after.value[: found.end()]}")
    return hits


def _chooses(value: ast.expr) -> bool:
    """``{attach(x, '는')}`` / ``{josa(x, '는')}``: the particle is chosen; what follows is another word."""
    return isinstance(value, ast.Call) and getattr(value.func, "id", "") in ("attach", "josa")


def fixed_particles(source: str, name: str = "<string>") -> list[str]:
    """``file:line: text`` for every fixed particle after an interpolation in ``source``."""
    tree = ast.parse(source, name)
    inside_fstrings = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            found += [f"{name}:{node.lineno}: {hit}" for hit in _fstring_hits(node)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstrings:
            found += [f"{name}:{node.lineno}: {m.group(0)}" for m in AFTER_FIELD.finditer(node.value)]
    return found


def scan(root: Path = ROOT) -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            found += fixed_particles(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    return found


if __name__ == "__main__":
    for line in scan():
        print(line)
