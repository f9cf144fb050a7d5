"""``chatops demo``: the offline sandbox's scenarios, found next to the bot in a source checkout."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path


def cmd_demo(args: argparse.Namespace) -> int:
    demo = load_sandbox_demo()
    if demo is None:
        print(
            "The demo runs on the offline sandbox, which ships with the source checkout, not with this "
            "package. Clone the repository and run `make demo` there.",
            file=sys.stderr,
        )
        return 2
    return demo.main(args.scenario, as_json=args.json)


def load_sandbox_demo():
    """The sandbox's demo module, loaded by name as a plugin: the bot itself never imports the sandbox.

    An editable install does not put the checkout on ``sys.path``, so a checkout that has
    ``sandbox/`` beside ``bot/`` is added; an installed wheel has neither and gets ``None``.
    """
    if importlib.util.find_spec("sandbox") is None:
        checkout = Path(__file__).resolve().parents[2]
        if not (checkout / "sandbox" / "__init__.py").is_file():
            return None
        sys.path.insert(0, str(checkout))
    return importlib.import_module("sandbox.demo")
