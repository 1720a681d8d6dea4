"""Measure where face recognition breaks down as photos get darker, blurrier and smaller (scripts/measure_quality).

Degrades the shared identity photos, LFW identities and some GENKI-4K photos step by step (see
emulator.tools.quality_run), runs the engine on every step, and reports, per step and per band of the
measured Brightness and Sharpness: how often the face is still found, its descriptor distance to its own
undegraded photo, the genuine-match rate against the person's other photos and the false-match rate against
other people at Similarity 80 (distance 0.6).  Thresholds for the QualityFilter levels are fitted on the
"tune" half of the people and checked on the "report" half (see emulator.tools.quality_fit); candidate
measures are compared; ordinary FairFace/UTKFace/GENKI-4K photos show what each level would refuse, per
group.  A full run is ~25,000 engine calls on ~280 photos: use --cache (the report is then redone without
the engine), --families to run one kind of degradation, --limit for a quick check.

    scripts/measure_quality --cache /tmp/q.npz                      # HOG or whatever Engine defaults to
    scripts/measure_quality --detector cnn --cache /tmp/q-cnn.npz   # another detector's boxes and misses
    scripts/measure_quality --families dark --full-well 4000 --survey -1 --cache /tmp/q-clean.npz
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from emulator.engine import Engine
from emulator.engine.descriptor import DEFAULT_DESCRIPTOR, DESCRIPTOR_KINDS
from emulator.engine.detectors import CHOICES
from emulator.tools import quality_report
from emulator.tools.quality_fit import MEASURES
from emulator.tools.quality_photos import select
from emulator.tools.quality_run import FAMILIES, Camera, load, run, save
from emulator.tools.quality_survey import survey


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    default_faces = os.environ.get("FACES_DIR") or str(Path(__file__).resolve().parents[3] / "shared" / "faces")
    p = argparse.ArgumentParser(prog="scripts/measure_quality", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--faces", type=Path, default=Path(default_faces), help="face photos folder ($FACES_DIR)")
    p.add_argument("--detector", choices=CHOICES, default=None, help="face detector (default: the Engine's)")
    p.add_argument("--descriptor", choices=DESCRIPTOR_KINDS, default=DEFAULT_DESCRIPTOR)
    p.add_argument("--lfw-per-identity", type=int, default=4, help="LFW photos per person (people with >= 2)")
    p.add_argument("--unlabelled", type=int, default=60, help="GENKI-4K photos (impostors, self-distance)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N photos (0: all), for a quick check")
    p.add_argument("--full-well", type=float, default=1000.0, help="dark family: electrons at full scale")
    p.add_argument("--read-noise", type=float, default=3.0, help="dark family: read noise, electrons")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--families", default=",".join(FAMILIES), help=f"comma-separated subset of {list(FAMILIES)}")
    p.add_argument("--survey", type=int, default=0,
                   help="undegraded FairFace/UTKFace/GENKI-4K photos per set to survey (0: all, -1: none)")
    p.add_argument("--cache", type=Path, default=None, help="save the raw run here; reuse it if it exists")
    p.add_argument("--sharpness", default="sharpness (quality.py)",
                   help="sharpness measure the thresholds are fitted on (a name from the candidates table)")
    return p


class _Lazy:
    """The Engine, loaded on first use (a cached run needs none)."""

    def __init__(self, args: argparse.Namespace, engine: Engine | None = None) -> None:
        """Remember the engine settings (or an engine already loaded)."""
        self.args = args
        self.engine = engine

    def get(self) -> Engine:
        """Load the engine once."""
        if self.engine is None:
            kwargs = {"detector": self.args.detector} if self.args.detector else {}
            self.engine = Engine(descriptor=self.args.descriptor, **kwargs)
        return self.engine


def _measure(args: argparse.Namespace, settings: dict[str, Any], lazy: _Lazy) -> dict[str, Any] | None:
    """The degradation run, from the cache when it holds one with the same settings."""
    if args.cache is not None and args.cache.exists():
        result, saved = load(args.cache)
        if saved != settings:
            print(f"measure_quality: {args.cache} holds a run with other settings: {saved}", file=sys.stderr)
            return None
        return result
    families = tuple(f for f in args.families.split(",") if f)
    if not families or set(families) - set(FAMILIES):
        print(f"measure_quality: --families must name some of {list(FAMILIES)}", file=sys.stderr)
        return None
    photos = select(args.faces, args.lfw_per_identity, args.unlabelled)
    if args.limit:
        photos = photos[:: max(1, len(photos) // args.limit)][: args.limit]
    engine = lazy.get()
    print(f"measuring {len(photos)} photos with detector {engine.detector}", file=sys.stderr)
    result = run(engine, args.faces, photos, Camera(args.full_well, args.read_noise), args.seed, families)
    if args.cache is not None:
        save(args.cache, result, settings)
    return result


def _survey(args: argparse.Namespace, lazy: _Lazy) -> list[dict[str, Any]] | None:
    """The survey of undegraded photos, cached beside the run as <cache>.survey-<N>.json."""
    if args.survey < 0:
        return None
    path = None if args.cache is None else args.cache.with_name(f"{args.cache.name}.survey-{args.survey}.json")
    if path is not None and path.exists():
        rows: list[dict[str, Any]] = json.loads(path.read_text())
        return rows
    rows = survey(lazy.get(), args.faces, args.survey)
    if path is not None:
        path.write_text(json.dumps(rows))
    return rows


def main(argv: Sequence[str] | None = None, engine: Engine | None = None) -> int:
    """Run (or reload) the measurement and print the report (engine: reuse a loaded one)."""
    args = build_parser().parse_args(argv)
    settings = {"detector": args.detector, "descriptor": args.descriptor, "full_well": args.full_well,
                "read_noise": args.read_noise, "lfw_per_identity": args.lfw_per_identity,
                "unlabelled": args.unlabelled, "limit": args.limit, "seed": args.seed, "families": args.families}
    if not (args.cache is not None and args.cache.exists()) and not (args.faces / "MANIFEST.csv").is_file():
        print(f"measure_quality: no face photos at {args.faces} (set FACES_DIR or --faces)", file=sys.stderr)
        return 2
    if args.sharpness not in {m.name for m in MEASURES}:
        print(f"measure_quality: --sharpness must be one of {[m.name for m in MEASURES]}", file=sys.stderr)
        return 2
    lazy = _Lazy(args, engine)
    result = _measure(args, settings, lazy)
    if result is None:
        return 2
    print(quality_report.render(result, settings, _survey(args, lazy), sharp_name=args.sharpness))
    return 0


if __name__ == "__main__":
    sys.exit(main())
