"""``chatops parse`` (``bot.parsing.cli.main``): argument forms, JSON lines, exit codes."""

from __future__ import annotations

import io
import json

from bot.parsing.cli import main
from bot.services.reading import VOCABULARY


def _run(argv, stdin_text=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, VOCABULARY, io.StringIO(stdin_text), out, err)
    return code, out.getvalue(), err.getvalue()


def test_text_arguments_are_joined():
    code, out, _ = _run(["can't", "delete", "ingress", "cloudon-ingress", "in", "cloudon"])
    assert code == 0
    doc = json.loads(out)
    assert doc["intent"] == "ingress_delete_denied"
    assert doc["entities"] == {"namespace": "cloudon", "name": "cloudon-ingress"}


def test_dash_reads_all_of_stdin_as_one_message():
    code, out, _ = _run(["-"], "Name: web-1\nNamespace: shop\nError: ImagePullBackOff\n")
    assert code == 0
    assert out.count("\n") == 1
    doc = json.loads(out)
    assert doc["intent"] == "image_pull" and doc["entities"] == {"namespace": "shop", "pod": "web-1"}


def test_jsonl_one_line_in_one_line_out():
    lines = ["cloudon 파드 목록 보여줘", "", "help", json.dumps("kubectl get pods\n-n web")]
    code, out, _ = _run(["--jsonl"], "\n".join(lines) + "\n")
    assert code == 0
    docs = [json.loads(x) for x in out.splitlines()]
    assert [d["intent"] for d in docs] == ["pods", "other", "help", "pods"]
    assert docs[3]["entities"] == {"namespace": "web"}
    assert docs[0]["language"] == "ko"


def test_jsonl_survives_invalid_utf8():
    raw = io.BytesIO(b"\xff\xfe show pods in web\n\xc3\x28\n")
    out = io.StringIO()
    assert main(["--jsonl"], VOCABULARY, io.TextIOWrapper(raw, encoding="utf-8"), out, io.StringIO()) == 0
    docs = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(docs) == 2 and docs[0]["entities"] == {"namespace": "web"}


def test_usage_errors_exit_2():
    for argv in ([], ["--bogus"], ["--jsonl", "extra"], ["-", "more"]):
        code, out, err = _run(argv)
        assert code == 2 and out == "" and "usage:" in err


def test_double_dash_passes_option_like_text_through():
    code, out, _ = _run(["--", "--cluster", "prod", "show", "pods", "in", "web"])
    assert code == 0
    assert json.loads(out)["entities"] == {"namespace": "web", "cluster": "prod"}


def test_help_exits_0():
    code, out, _ = _run(["--help"])
    assert code == 0 and out.startswith("usage:")
