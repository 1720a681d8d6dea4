"""``python -m emulator evaluate DIR``: how often the engine matches the wrong person or misses the right one.

DIR holds one folder per identity (``DIR/<identity>/*.jpg``; folders starting with ``_`` are skipped),
e.g. the project's test photos in ../shared/faces.  Every pair of photos is compared: the report
gives the false match rate (FMR) and false non-match rate (FNMR) at the similarity thresholds 80 (the
API default), 90, 95 and 99, the verification accuracy at 80 and the rank-1 identification rate.
With --groups (a CSV with the columns identity,group) the same figures are given per group, and the
plot has one curve per group: the kind of disparity the 2018-2019 audits of Rekognition reported,
so you can see what a threshold does to whom.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from emulator.engine.detectors import CHOICES, DEFAULT
from emulator.engine.engine import Engine
from emulator.engine.evaluate import format_report
from emulator.tools.evaluation_extra import evaluate_with_scores, read_groups, ungrouped


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(prog="python -m emulator evaluate", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("root", metavar="DIR", type=Path, nargs="?", default=Path("..") / "shared" / "faces",
                   help="folder of DIR/<identity>/ photo folders (default: ../shared/faces, the test photos)")
    p.add_argument("--plot", metavar="FILE.png", type=Path, default=None,
                   help="write a DET curve and error rates by threshold, marked at 80/90/95/99")
    p.add_argument("--groups", metavar="FILE.csv", type=Path, default=None,
                   help="CSV with columns identity,group: rates and curves per group")
    p.add_argument("--descriptor", choices=["onnx", "dlib"], default="onnx",
                   help="runtime for dlib's ResNet weights (same output; onnx is faster)")
    p.add_argument("--detector", choices=CHOICES, default=DEFAULT,
                   help="face detector, as serve --detector (default %(default)s)")
    return p


def main(argv: Sequence[str] | None = None, engine: Engine | None = None) -> int:
    """Run the evaluation and print its report; returns the exit code (engine: reuse a loaded one)."""
    args = build_parser().parse_args(argv)
    if not args.root.is_dir():
        print(f"evaluate: not a folder: {args.root}", file=sys.stderr)
        return 2
    try:
        groups = read_groups(args.groups) if args.groups else None
    except (OSError, ValueError) as err:
        print(f"evaluate: {err}", file=sys.stderr)
        return 2
    try:
        engine = engine or Engine(detector=args.detector, descriptor=args.descriptor)
    except RuntimeError as err:  # a model file missing or broken (ModelNotFound, MmodBuildError)
        print(f"evaluate: {err}", file=sys.stderr)
        return 2
    report, scores = evaluate_with_scores(args.root, engine, groups)
    if report.overall.photos < 2:
        print(f"evaluate: fewer than 2 usable photos under {args.root}", file=sys.stderr)
        return 2
    print(format_report(report))
    if groups is not None:
        left_out = ungrouped(args.root, groups)
        if left_out:
            print(f"not in any group (counted in overall only): {', '.join(left_out)}")
    if args.plot is not None:
        from emulator.tools.evaluation_plot import plot_rates

        plot_rates(scores, args.plot, title=f"{args.root.name}: {report.overall.photos} photos, "
                   f"{report.overall.identities} identities, descriptor {report.descriptor}")
        print(f"plot written to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
