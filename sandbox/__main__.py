"""``python -m sandbox [--scenario NAME] [--json]``: the demo, run from the checkout."""

from __future__ import annotations

import argparse

from sandbox.demo import main

parser = argparse.ArgumentParser(prog="python -m sandbox", description="run the demo scenarios in the offline sandbox")
parser.add_argument("--scenario", default="")
parser.add_argument("--json", action="store_true")
args = parser.parse_args()
raise SystemExit(main(args.scenario, as_json=args.json))
