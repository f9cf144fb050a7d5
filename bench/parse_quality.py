"""Parser quality on the frozen test part of the corpus (``tests/fixtures/corpus``), for ``make bench``.

Called by ``bench.run``. The figures are ``bot.parsing.evaluate.summary`` over the test part:
``pull_cause_accuracy``, ``aws_kind_accuracy``, ``intent_accuracy_en``, ``intent_accuracy_ko``,
``wrong_confident_rate`` (confident and wrong), ``asked_rate`` (not confident: the bot asks).
The parser is tuned on the dev part only; the test part is read here and nowhere else. The
corpus's test-part hash is checked first, so a changed test part cannot pass as the frozen one.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from bot.parsing.evaluate import CorpusError, evaluate, load, summary
from bot.services.reading import VOCABULARY

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus"
ITEMS = CORPUS / "items.jsonl"


def test_part_hash(path: Path = ITEMS) -> str:
    """The corpus README's hash: sha256 of the test items' lines as stored, sorted, joined by newlines."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    test = sorted(line for line in lines if json.loads(line)["split"] == "test")
    return hashlib.sha256(("\n".join(test) + "\n").encode("utf-8")).hexdigest()


def frozen_hash() -> str:
    m = re.search(r"test-part sha256:\s*`([0-9a-f]{64})`", (CORPUS / "README.md").read_text(encoding="utf-8"))
    return m.group(1) if m else ""


def measure_parse_quality(part: str = "test") -> dict[str, Any]:
    out: dict[str, Any] = {"parse_eval_part": part}
    try:
        items = load(ITEMS)
        digest = test_part_hash()
    except (CorpusError, OSError, ValueError, KeyError) as exc:
        out["pull_cause_accuracy"] = None
        out["pull_cause_accuracy_note"] = f"corpus unreadable: {exc}"[:300]
        return out
    out["parse_eval_test_hash_ok"] = digest == frozen_hash()
    out.update(summary(evaluate(items, VOCABULARY, part)))
    return out
