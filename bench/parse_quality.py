"""Parser quality on the frozen test parts of the corpus (``tests/fixtures/corpus``), for ``make bench``.

Called by ``bench.run``. The figures are ``bot.parsing.evaluate.summary`` over the whole test part:
``pull_cause_accuracy``, ``aws_kind_accuracy``, ``intent_accuracy_en``, ``intent_accuracy_ko``,
``wrong_confident_rate`` (confident and wrong), ``asked_rate`` (not confident: the bot asks).
The corpus was frozen in batches; ``parse_eval_batches`` has the same figures for each batch's test
part alone. The parser is tuned on the dev part only; the test part is read here and nowhere else.
Each batch's test-part hash is checked first (the corpus's own checker computes it), so a changed
test part cannot pass as a frozen one.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from bot.parsing.evaluate import CorpusError, evaluate, load, summary
from bot.services.reading import VOCABULARY

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus"
ITEMS = CORPUS / "items.jsonl"


def corpus_checker() -> ModuleType:
    """``check_corpus.py`` (stdlib only, kept beside the corpus), which knows the batches and hashes."""
    spec = importlib.util.spec_from_file_location("check_corpus", CORPUS / "check_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure_parse_quality(part: str = "test") -> dict[str, Any]:
    out: dict[str, Any] = {"parse_eval_part": part}
    try:
        items = load(ITEMS)
        checker = corpus_checker()
        lines = [line for line in ITEMS.read_text(encoding="utf-8").splitlines() if line.strip()]
        recorded = checker.frozen_hashes()
        days = [day for day, _ in checker.FREEZES]
        hashes_ok = all(checker.test_part_hash(lines, day) == recorded.get(day) for day in days)
    except (CorpusError, OSError, ValueError, KeyError) as exc:
        out["pull_cause_accuracy"] = None
        out["pull_cause_accuracy_note"] = f"corpus unreadable: {exc}"[:300]
        return out
    out["parse_eval_test_hash_ok"] = hashes_ok
    out.update(summary(evaluate(items, VOCABULARY, part)))
    out["parse_eval_batches"] = {
        day: summary(evaluate([i for i in items if checker.freeze_of(i) == day], VOCABULARY, part)) for day in days
    }
    return out
