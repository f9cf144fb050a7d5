"""The parser against the corpus's dev part (the part it is tuned on), and ``chatops parse --eval``.

Only dev figures are asserted here. The frozen test part is read by ``make bench`` alone
(``bench.parse_quality``), so no test can be tuned against it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bench.parse_quality import corpus_checker
from bot.parsing.cli import main
from bot.parsing.evaluate import evaluate, load, summary
from bot.services.reading import VOCABULARY

ITEMS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus" / "items.jsonl"


@pytest.fixture(scope="module")
def dev():
    return summary(evaluate(load(ITEMS), VOCABULARY, "dev"))


def test_dev_accuracies_meet_the_targets(dev):
    assert dev["pull_cause_accuracy"] >= 0.97
    assert dev["aws_kind_accuracy"] >= 0.97
    assert dev["intent_accuracy_en"] >= 0.95
    assert dev["intent_accuracy_ko"] >= 0.93


def test_dev_asks_rather_than_guesses(dev):
    assert dev["wrong_confident_rate"] <= 0.02
    assert dev["asked_rate"] <= 0.10
    assert dev["eval_items"] == sum(1 for item in load(ITEMS) if item["split"] == "dev")


def test_the_corpus_and_every_frozen_batch_pass_their_checker(capsys):
    checker = corpus_checker()
    assert checker.main([]) == 0, capsys.readouterr().out[-2000:]
    assert len(checker.FREEZES) == 2


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    return main(argv, VOCABULARY, io.StringIO(""), out, err), out.getvalue(), err.getvalue()


def test_eval_prints_per_class_figures_and_confusion_matrices():
    code, out, _ = _run(["--eval", str(ITEMS), "--part", "dev"])
    assert code == 0
    for task in ("pull_cause", "aws_kind", "intent_en", "intent_ko"):
        assert f"== {task}:" in out
    assert out.count("confusion (rows gold, columns predicted):") == 4
    assert "prec" in out and "recall" in out and "wrong-confident" in out and "asked" in out
    figures = json.loads(out.strip().splitlines()[-1])
    assert set(figures) >= {"pull_cause_accuracy", "wrong_confident_rate", "asked_rate"}


@pytest.mark.parametrize(
    "content, needle",
    [
        (None, "no such file"),
        ("not json\n", "not JSON"),
        ('["a list"]\n', "expected a JSON object"),
        ('{"category": "image_pull", "text": "x", "split": "dev"}\n', "label must be an object"),
        ('{"category": "image_pull", "text": "x", "label": {"cause": "auth"}, "split": "train"}\n', "split must be"),
        ("", "no items"),
    ],
)
def test_eval_on_a_missing_or_malformed_file_exits_2_with_a_message(tmp_path, content, needle):
    path = tmp_path / "corpus.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = _run(["--eval", str(path)])
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv", [["--eval"], ["--eval", str(ITEMS), "--part", "train"], ["--eval", str(ITEMS), "--bogus"]]
)
def test_eval_usage_errors_exit_2(argv):
    code, _, err = _run(argv)
    assert code == 2 and "chatops parse --eval" in err
