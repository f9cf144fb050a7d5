"""A copy of the checkout's files a distribution is built from, so building writes nothing into the checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def copy_sources(names: tuple[str, ...], dest: Path) -> Path:
    """Copy each named file or folder of the checkout into ``dest`` (without compiled files)."""
    for name in names:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, dest / name)
    return dest
