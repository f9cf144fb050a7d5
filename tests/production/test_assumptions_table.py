"""``docs/ASSUMPTIONS.md``: every row names its upstream source, says whether it was checked, and
points at a test that exists.

The table is the contract between the code and the systems it talks to; a row whose test is gone,
or a row that names no source and no reason, is a defect this test reports.
"""

from __future__ import annotations

import re

from tests.production.source_scan import ROOT

TABLE = ROOT / "docs" / "ASSUMPTIONS.md"
HEADER = ["id", "area", "the code assumes", "upstream source", "checked", "test"]
AREAS = {
    "AWS",
    "PostgreSQL",
    "SQLite",
    "Kubernetes",
    "Slack",
    "Load Balancer Controller",
    "eksctl",
    "nodeadm",
    "Bottlerocket",
    "Karpenter",
    "amazon-eks-ami",
    "kubelet",
    "containerd",
    "sandbox",
}


def _cells(line: str) -> list[str]:
    # a cell may hold `a | b` inside backticks: split on pipes outside code spans only
    cells, current, in_code = [], "", False
    for ch in line.strip().strip("|"):
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += ch
    cells.append(current.strip())
    return cells


def rows() -> list[dict[str, str]]:
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    found, header = [], None
    for line in lines:
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = _cells(line)
        if cells == HEADER:
            header = cells
        elif header and not set("".join(cells)) <= set("-: "):
            assert len(cells) == len(HEADER), f"row with {len(cells)} cells: {line[:120]}"
            found.append(dict(zip(HEADER, cells, strict=True)))
    return found


def _test_exists(ref: str) -> bool:
    path, _, name = ref.strip("`").partition("::")
    name = re.sub(r"\[.*\]$", "", name.split("::")[-1])
    file = ROOT / path
    return bool(name) and file.is_file() and re.search(rf"^\s*def {re.escape(name)}\(", file.read_text(), re.M)


def test_the_table_exists_and_covers_each_system():
    table = rows()
    assert len(table) >= 60, len(table)
    ids = [r["id"] for r in table]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert [i for i in ids if not re.fullmatch(r"[A-Z0-9]+-\d+", i)] == []
    areas = {r["area"] for r in table}
    assert {"AWS", "Kubernetes", "Slack", "Load Balancer Controller"} <= areas, areas
    assert areas <= AREAS, areas - AREAS


# A source is a URL, a repository path or file (with its version in the row), a pull request or
# issue number, a botocore model, an observation of a real client, another row's source, or the
# record of what was searched when nothing was found.
SOURCE = re.compile(
    r"https?://|@|not found:|\.(go|py|html|json|sh|md|yaml)\b|#\d+|botocore|observed"
    r"|\b(same )?as [A-Z0-9]+-\d+|\bcommit\b"
)


def test_every_row_cites_a_source_or_says_what_was_searched():
    table = rows()
    ids = {r["id"] for r in table}
    for row in table:
        source = row["upstream source"]
        assert SOURCE.search(source), (row["id"], source)
        for other in re.findall(r"\b(?:same )?as ([A-Z0-9]+-\d+)", source):
            assert other in ids, (row["id"], other)


def test_every_row_says_how_it_was_checked():
    for row in rows():
        assert re.match(r"(yes\b.*|differs: .+|unverified: .+)$", row["checked"]), (row["id"], row["checked"])


def test_every_row_names_a_test_that_exists():
    missing = [(r["id"], r["test"]) for r in rows() if not _test_exists(r["test"])]
    assert not missing, missing
