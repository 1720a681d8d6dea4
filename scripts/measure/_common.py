"""Shared steps of the attribute measurements: the labelled photos, the tune/held-out split, faces found in them."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from emulator.engine import Engine, decode_image
from emulator.engine.attributes.types import FaceView
from tests.photos import faces_root as shared_faces_root

REPO = Path(__file__).resolve().parents[2]
#: Fraction of the image size added as a grey border on each side: many labelled photos are tight crops.
PAD = 0.5


def faces_root(override: Path | None = None) -> Path:
    """The faces folder: `override` (--faces) when given, else tests/photos.py's ($FACES_DIR or ../shared/faces)."""
    return override if override is not None else shared_faces_root()


def rows(root: Path, sets: tuple[str, ...], limit: int = 0) -> list[dict[str, str]]:
    """The _attributes MANIFEST rows of the given sets (at most `limit` per set when > 0), in manifest order."""
    with open(root / "_attributes" / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        out = [r for r in csv.DictReader(fh) if r["set"] in sets]
    if limit > 0:
        out = [r for s in sets for r in [x for x in out if x["set"] == s][:limit]]
    return out


def is_tuning(path: str) -> bool:
    """The deterministic split: photos whose path's SHA-256 is even are tuned on, the rest are held out."""
    return hashlib.sha256(path.encode()).digest()[-1] % 2 == 0


def padded(image: np.ndarray, pad: float = PAD) -> np.ndarray:
    """The image inside a mid-grey border of `pad` times its size on each side (tight crops need context)."""
    h, w = image.shape[:2]
    return np.pad(image, ((int(h * pad),) * 2, (int(w * pad),) * 2, (0, 0)), constant_values=128)


def views(engine: Engine, root: Path, chosen: list[dict[str, str]], chips: bool = False
          ) -> Iterator[tuple[dict[str, str], FaceView | None]]:
    """Each row with the FaceView of the largest face in its padded photo (None when no face is found)."""
    for row in chosen:
        image = padded(decode_image((root / "_attributes" / row["path"]).read_bytes()))
        found = engine.views(image, largest_only=True, chips=chips)
        yield row, (found[0] if found else None)


def table(header: Sequence[str], lines: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in line) + " |" for line in lines]
    return "\n".join(out)
