"""``chatops parse --eval FILE [--part dev|test|all]``: score the parser against a labelled corpus.

The corpus format is ``tests/fixtures/corpus/items.jsonl`` (its README has the schema and the
labelling rules): one JSON object per line with ``category`` (image_pull | aws_error | request),
``text``, ``lang``, ``label`` and ``split``. Four tasks are scored, each on its own items:

* ``pull_cause``: ``label.cause`` of image_pull items against ``classify_pull_error``;
* ``aws_kind``: ``label.kind`` of aws_error items against ``parse_aws_error`` (``none`` when the
  parser finds no AWS error at all);
* ``intent_en`` / ``intent_ko``: ``label.intent`` of request items against ``parse``, split by
  the item's language.

Every prediction carries a confidence; below ``CONFIDENT`` the bot asks instead of acting.
``wrong_confident_rate`` is the share of predictions that were confident and wrong,
``asked_rate`` the share that were not confident. Pure apart from reading the file.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.parsing.aws_errors import aws_confidence, parse_aws_error
from bot.parsing.confidence import CONFIDENT
from bot.parsing.image_pull import classify_pull_error
from bot.parsing.result import parse
from bot.parsing.text import clean
from bot.parsing.vocabulary import Vocabulary

PARTS = ("dev", "test", "all")
TASKS = ("pull_cause", "aws_kind", "intent_en", "intent_ko")
_CATEGORY_LABEL = {"image_pull": "cause", "aws_error": "kind", "request": "intent"}


class CorpusError(ValueError):
    """The corpus file is missing or is not the expected JSON lines."""


@dataclass
class TaskScore:
    """Gold and predicted labels of one task, with the confidence of each prediction."""

    name: str
    rows: list[tuple[str, str, float, str]] = field(default_factory=list)  # (gold, predicted, confidence, id)

    def add(self, gold: str, predicted: str, confidence: float, item_id: str) -> None:
        self.rows.append((gold, predicted, confidence, item_id))

    @property
    def n(self) -> int:
        return len(self.rows)

    @property
    def accuracy(self) -> float:
        return sum(g == p for g, p, _, _ in self.rows) / self.n if self.n else 0.0

    @property
    def wrong_confident(self) -> int:
        return sum(g != p and c >= CONFIDENT for g, p, c, _ in self.rows)

    @property
    def asked(self) -> int:
        return sum(c < CONFIDENT for _, _, c, _ in self.rows)

    def classes(self) -> list[str]:
        return sorted({g for g, _, _, _ in self.rows} | {p for _, p, _, _ in self.rows})

    def per_class(self) -> dict[str, tuple[float | None, float | None, int]]:
        """class -> (precision, recall, gold count); None where the denominator is zero."""
        out = {}
        for c in self.classes():
            tp = sum(g == c and p == c for g, p, _, _ in self.rows)
            pred = sum(p == c for _, p, _, _ in self.rows)
            gold = sum(g == c for g, _, _, _ in self.rows)
            out[c] = (tp / pred if pred else None, tp / gold if gold else None, gold)
        return out

    def misses(self) -> list[tuple[str, str, str, float]]:
        return [(i, g, p, c) for g, p, c, i in self.rows if g != p]


def load(path: str | Path) -> list[dict[str, Any]]:
    """The items of a corpus file; ``CorpusError`` naming the line when one is not a labelled item."""
    p = Path(path)
    items = [_item(p, n, line) for n, line in enumerate(_read(p).splitlines(), 1) if line.strip()]
    if not items:
        raise CorpusError(f"{p}: no items")
    return items


def _read(p: Path) -> str:
    try:
        return p.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise CorpusError(f"{p}: no such file") from exc
    except IsADirectoryError as exc:
        raise CorpusError(f"{p}: is a directory, not a corpus file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{p}: cannot be read as UTF-8 text ({exc})") from exc


def _item(p: Path, n: int, line: str) -> dict[str, Any]:
    """Line ``n`` of the corpus as a labelled item, or ``CorpusError`` saying what is wrong with it."""
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise CorpusError(f"{p}:{n}: not JSON ({exc})") from exc
    if not isinstance(item, dict):
        raise CorpusError(f"{p}:{n}: expected a JSON object, got {type(item).__name__}")
    cat = item.get("category")
    if cat not in _CATEGORY_LABEL:
        raise CorpusError(f"{p}:{n}: category must be one of {', '.join(_CATEGORY_LABEL)}, got {cat!r}")
    label = item.get("label")
    if not isinstance(label, dict) or not isinstance(label.get(_CATEGORY_LABEL[cat]), str):
        raise CorpusError(f"{p}:{n}: label must be an object with a {_CATEGORY_LABEL[cat]!r} string")
    if not isinstance(item.get("text"), str):
        raise CorpusError(f"{p}:{n}: text must be a string")
    if item.get("split") not in ("dev", "test"):
        raise CorpusError(f"{p}:{n}: split must be dev or test, got {item.get('split')!r}")
    return item


def predict(item: dict[str, Any], vocabulary: Vocabulary) -> tuple[str, str, float]:
    """(task, predicted label, confidence) for one corpus item."""
    text = item["text"]
    cat = item["category"]
    if cat == "image_pull":
        got = classify_pull_error(clean(text))
        return "pull_cause", got.cause, got.confidence
    if cat == "aws_error":
        err = parse_aws_error(clean(text))
        return "aws_kind", (err["kind"] if err is not None else "none"), aws_confidence(err)
    parsed = parse(text, vocabulary)
    lang = "ko" if item.get("lang") == "ko" else "en"
    return f"intent_{lang}", parsed.intent, parsed.confidence


def evaluate(items: Iterable[dict[str, Any]], vocabulary: Vocabulary, part: str = "dev") -> dict[str, TaskScore]:
    scores = {name: TaskScore(name) for name in TASKS}
    for item in items:
        if part != "all" and item["split"] != part:
            continue
        task, predicted, confidence = predict(item, vocabulary)
        gold = item["label"][_CATEGORY_LABEL[item["category"]]]
        scores[task].add(gold, predicted, confidence, str(item.get("id", "?")))
    return scores


def summary(scores: dict[str, TaskScore]) -> dict[str, Any]:
    """The flat figures ``make bench`` records."""
    total = sum(s.n for s in scores.values())
    out: dict[str, Any] = {
        "pull_cause_accuracy": round(scores["pull_cause"].accuracy, 4),
        "aws_kind_accuracy": round(scores["aws_kind"].accuracy, 4),
        "intent_accuracy_en": round(scores["intent_en"].accuracy, 4),
        "intent_accuracy_ko": round(scores["intent_ko"].accuracy, 4),
        "wrong_confident_rate": round(sum(s.wrong_confident for s in scores.values()) / total, 4) if total else 0.0,
        "asked_rate": round(sum(s.asked for s in scores.values()) / total, 4) if total else 0.0,
        "eval_items": total,
    }
    return out


def _pct(x: float | None) -> str:
    return "   -" if x is None else f"{x * 100:5.1f}%"


def report(scores: dict[str, TaskScore], part: str) -> str:
    lines = [f"part: {part}"]
    for s in scores.values():
        if not s.n:
            lines.append(f"\n== {s.name}: no items")
            continue
        lines.append(
            f"\n== {s.name}: {s.n} items, accuracy {s.accuracy * 100:.1f}%, "
            f"wrong-confident {s.wrong_confident} ({s.wrong_confident / s.n * 100:.1f}%), "
            f"asked {s.asked} ({s.asked / s.n * 100:.1f}%)"
        )
        lines.append(f"  {'class':24s} {'prec':>7s} {'recall':>7s} {'n':>4s}")
        for c, (prec, rec, n) in s.per_class().items():
            lines.append(f"  {c:24s} {_pct(prec):>7s} {_pct(rec):>7s} {n:4d}")
        classes = s.classes()
        width = max(4, *(len(c[:8]) for c in classes))
        lines.append("  confusion (rows gold, columns predicted):")
        lines.append("  " + " " * 24 + " ".join(f"{c[:8]:>{width}s}" for c in classes))
        grid = Counter((g, p) for g, p, _, _ in s.rows)
        for g in classes:
            lines.append(f"  {g:24s}" + " ".join(f"{grid[(g, p)] or '.':>{width}}" for p in classes))
        misses = s.misses()
        if misses:
            lines.append(
                "  wrong: " + ", ".join(f"{i} {g}->{p}{'' if c >= CONFIDENT else '?'}" for i, g, p, c in misses)
            )
    lines.append("\n" + json.dumps(summary(scores), ensure_ascii=False))
    return "\n".join(lines) + "\n"


EVAL_USAGE = "usage: chatops parse --eval FILE [--part dev|test|all]\n"


def main(argv: Sequence[str], vocabulary: Vocabulary, stdout: Any, stderr: Any) -> int:
    """``argv`` starts with ``--eval``. Exit 0, or 2 for a usage error or an unreadable corpus."""
    args = list(argv)
    part = "dev"
    path = ""
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--eval" and i + 1 < len(args) and not path:
            path, i = args[i + 1], i + 2
            continue
        if a.startswith("--eval=") and not path:
            path = a.split("=", 1)[1]
        elif a == "--part" and i + 1 < len(args):
            part, i = args[i + 1], i + 2
            continue
        elif a.startswith("--part="):
            part = a.split("=", 1)[1]
        else:
            stderr.write(f"chatops parse --eval: unexpected argument {a!r}\n" + EVAL_USAGE)
            return 2
        i += 1
    if not path:
        stderr.write("chatops parse --eval: FILE is missing\n" + EVAL_USAGE)
        return 2
    if part not in PARTS:
        stderr.write(f"chatops parse --eval: --part must be dev, test or all, not {part!r}\n")
        return 2
    try:
        items = load(path)
    except CorpusError as exc:
        stderr.write(f"chatops parse --eval: {exc}\n")
        return 2
    stdout.write(report(evaluate(items, vocabulary, part), part))
    return 0
