#!/usr/bin/env python3
"""Driver of the attribute measurements: runs scripts/measure/<field>.py's run(args) (tune, then held-out figures).

Each field module fits its estimator's constants on the tuning half of ../shared/faces/_attributes (photos
whose path hashes even, measure/_common.py) and prints them with its figures on the other half.
Usage: scripts/measure_attributes --field FIELD [--limit N] [--faces DIR]
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "measure"))
sys.path.insert(0, str(HERE.parent))


def fields() -> list[str]:
    """The measurable fields: one module per field group in scripts/measure/."""
    return sorted(p.stem for p in (HERE / "measure").glob("[!_]*.py"))


def main() -> int:
    """Parse the arguments and run the chosen field's measurement."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--field", required=True, choices=fields())
    parser.add_argument("--limit", type=int, default=0, help="at most N photos per set (0: all)")
    parser.add_argument("--faces", type=Path, default=None, help="faces folder (default $FACES_DIR or ../shared/faces)")
    args = parser.parse_args()
    module = importlib.import_module(args.field)
    return int(module.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
