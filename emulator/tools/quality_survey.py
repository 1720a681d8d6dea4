"""Quality of ordinary, undegraded photos: what each QualityFilter level would refuse, overall and by group.

The photos are FairFace and UTKFace (labelled with a race group, so a brightness threshold that refuses
darker skin more often shows up) and GENKI-4K (webcam-style photos of people in ordinary rooms).  No
identities: this is about who gets refused, not about matching.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from emulator.engine import Engine, decode_image
from emulator.tools.quality_probe import probe

Floats = npt.NDArray[np.float64]

SETS = ("fairface", "utkface", "genki4k")


def survey(engine: Engine, root: Path, per_set: int = 0) -> list[dict[str, Any]]:
    """The largest face of every photo of SETS (at most per_set each when > 0): measures and group."""
    with open(root / "_attributes" / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["set"] in SETS]
    out: list[dict[str, Any]] = []
    for name in SETS:
        chosen = [r for r in rows if r["set"] == name]
        if per_set > 0:
            chosen = chosen[:: max(1, len(chosen) // per_set)][:per_set]
        for row in chosen:
            image = decode_image((root / "_attributes" / row["path"]).read_bytes())
            found = engine.faces(image, largest_only=True, descriptors=False)
            if not found:
                continue
            face = found[0]
            out.append({"set": name, "path": row["path"], "group": f"{name}:{row['race'] or '-'}", "width": face.width,
                        "brightness": face.measured_quality.brightness, "sharpness": face.measured_quality.sharpness,
                        **probe(image, face)})
        print(f"  surveyed {name}", file=sys.stderr, flush=True)
    return out


def columns(rows: list[dict[str, Any]]) -> dict[str, Floats]:
    """The survey's numeric fields as arrays."""
    keys = [k for k, v in rows[0].items() if isinstance(v, float)] if rows else []
    return {k: np.array([float(r[k]) for r in rows], dtype=np.float64) for k in keys}


def refusal_table(rows: list[dict[str, Any]], bright: Floats, sharp: Floats,
                  thresholds: dict[str, tuple[float, float]], title: str) -> list[str]:
    """Per group: photos, median brightness, and the share each level refuses for brightness / sharpness."""
    lines = [f"## {title}", "group                        n  bright med  "
             + "  ".join(f"{lv:>13s}" for lv in thresholds) + "   (refused for brightness/sharpness)"]
    group = np.array([r["group"] for r in rows])
    sets = np.array([r["set"] for r in rows])
    for name in sorted(set(group.tolist())) + [f"{s}:all" for s in sorted(set(sets.tolist()))]:
        sel = (sets == name[:-4]) if name.endswith(":all") else (group == name)
        cells = "  ".join(f"{(bright[sel] < b).mean():5.1%}/{(sharp[sel] < s).mean():5.1%}"
                          for b, s in thresholds.values())
        lines.append(f"{name:26s} {int(sel.sum()):4d}  {np.median(bright[sel]):9.1f}  {cells}")
    return lines
