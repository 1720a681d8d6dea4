"""``python -m emulator evaluate DIR``: how often the engine matches the wrong person or misses the right one.

DIR holds one folder per identity (``DIR/<identity>/*.jpg``; folders starting with ``_`` are skipped).
Every pair of photos is compared (blockwise, in bounded memory): the report gives the false match rate
(FMR) and false non-match rate (FNMR) at the similarity thresholds 80 (the API default), 90, 95 and 99
and at the thresholds where the overall FMR is 1e-3, 1e-4 and 1e-5, each with a 95 % confidence interval
(bootstrap over identities), the verification accuracy at 80 and rank-1 identification.  With --groups
(a CSV with the columns identity,group) the same figures per group (impostor pairs within the group) and
each group's ratio to the best one; optional columns gender (male/female), age (years) and age_group
("20-29", "70+") audit the engine's own Gender and AgeRange per group.  --gallery-size N turns each
group's FMR into the strangers a search returns in an N-face collection.  Descriptors are cached on disk
(keyed by photo content and engine settings), so an interrupted run resumes and a re-run costs seconds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from emulator.engine.descriptor import DEFAULT_DESCRIPTOR, DESCRIPTOR_KINDS
from emulator.engine.detectors import CHOICES, DEFAULT
from emulator.engine.engine import Engine
from emulator.engine.resolution import AWS_MIN_FACE
from emulator.tools.audit import bootstrap
from emulator.tools.audit.photos import Groups, read_groups
from emulator.tools.audit.report import format_text
from emulator.tools.audit.run import describe, evaluate


def _positive(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(prog="python -m emulator evaluate", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("root", metavar="DIR", type=Path, nargs="?", default=Path("..") / "shared" / "faces",
                   help="folder of DIR/<identity>/ photo folders (default: ../shared/faces, the test photos)")
    p.add_argument("--plot", metavar="FILE.png", type=Path, default=None,
                   help="write DET curves and error rates by threshold, marked at 80/90/95/99")
    p.add_argument("--groups", metavar="FILE.csv", type=Path, default=None,
                   help="CSV with columns identity,group[,gender,age,age_group]: figures per group")
    p.add_argument("--report", metavar="DIR", type=Path, default=None,
                   help="write DIR/report.html (self-contained) and DIR/report.json (every figure)")
    p.add_argument("--gallery-size", metavar="N", type=_positive, default=None,
                   help="expected strangers above each threshold per search in an N-face collection, per group")
    p.add_argument("--bootstrap", metavar="DRAWS", type=int, default=bootstrap.DRAWS,
                   help="bootstrap draws over identities for the 95%% intervals (0: none; default %(default)s)")
    p.add_argument("--cache", metavar="FILE", type=Path, default=None,
                   help="descriptor cache (default $XDG_CACHE_HOME/emulator/evaluate.sqlite)")
    p.add_argument("--no-cache", action="store_true", help="keep no descriptors on disk")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--pad", metavar="FRACTION", type=float, default=0.0,
                   help="grey border added around each photo before detection, for tight crops (e.g. 0.5)")
    p.add_argument("--min-face", metavar="PX", type=int, default=AWS_MIN_FACE,
                   help="smallest face the detector reports (default %(default)s)")
    p.add_argument("--descriptor", choices=DESCRIPTOR_KINDS, default=DEFAULT_DESCRIPTOR,
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
        groups: Groups | None = read_groups(args.groups) if args.groups else None
    except (OSError, ValueError) as err:
        print(f"evaluate: {err}", file=sys.stderr)
        return 2
    try:
        described, _ = describe(args, engine, attributes_wanted=bool(groups and groups.truth))
    except RuntimeError as err:  # a model file missing or broken (ModelNotFound, MmodBuildError)
        print(f"evaluate: {err}", file=sys.stderr)
        return 2
    if len(described.paths) < 2:
        print(f"evaluate: fewer than 2 usable photos under {args.root}", file=sys.stderr)
        return 2
    result = evaluate(args, described, groups)
    print(format_text(result))
    if args.plot is not None or args.report is not None:
        from emulator.tools.audit.plot import plot_png

        pops = result["figures"]["populations"]
        png = plot_png(pops, title=f"{args.root.name}: {pops['overall']['photos']} photos, "
                       f"{pops['overall']['identities']} identities, detector {result['detector']}")
        if args.plot is not None:
            args.plot.write_bytes(png)
            print(f"plot written to {args.plot}")
        if args.report is not None:
            from emulator.tools.audit.html import write_report

            page, data = write_report(args.report, result, png)
            print(f"report written to {page} and {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
