"""The shared face photos: manifest rows, identities and bytes."""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

HARD_PAIR = ("leonardo_dicaprio", "matt_damon")

#: Full or near-full profiles (all facing the image's right), checked by eye; fairface crops are centred faces.
PROFILE_PHOTOS = tuple(f"_attributes/fairface/{n}.jpg" for n in (
    3792, 18179, 19852, 20307, 15511, 14318, 24430, 25777, 33854, 20531, 32170, 1776))
#: The face box in a fairface crop as fractions (left, top, width, height) of its width and height.
PROFILE_BOX = (0.25, 0.22, 0.5, 0.55)


class PhotosMissing(FileNotFoundError):
    """The face photo folder is not where $FACES_DIR or ../shared/faces says."""


def faces_root() -> Path:
    """Return the face photo folder: $FACES_DIR when set, else ../shared/faces next to the repository.

    The only place that locates it (tests and scripts); a missing folder raises, naming both places.
    """
    default = (REPO.parent / "shared" / "faces").resolve()
    chosen = os.environ.get("FACES_DIR")
    root = Path(chosen) if chosen else default
    if not (root / "MANIFEST.csv").is_file():
        where = f"$FACES_DIR={chosen}" if chosen else f"$FACES_DIR is not set and {default}"
        raise PhotosMissing(f"face photos not found: {where} has no MANIFEST.csv; put the shared photos in "
                            f"../shared/faces next to the repository ({default}) or set $FACES_DIR to their folder")
    return root


@functools.cache
def manifest() -> list[dict[str, str]]:
    """Return the manifest rows."""
    with open(faces_root() / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def identities() -> dict[str, list[str]]:
    """Return identity → its photo paths (relative), for the identity folders only."""
    out: dict[str, list[str]] = {}
    for row in manifest():
        if not row["path"].startswith("_"):
            out.setdefault(row["identity"], []).append(row["path"])
    return {k: sorted(v) for k, v in sorted(out.items())}


def folder(name: str) -> list[str]:
    """Return the relative paths of one special folder such as _noface or _multi."""
    return sorted(r["path"] for r in manifest() if r["path"].startswith(name + "/"))


@functools.cache
def photo(path: str) -> bytes:
    """Return the bytes of a photo by its manifest path."""
    return (faces_root() / path).read_bytes()


def row(path: str) -> dict[str, str]:
    """Return the manifest row of a photo."""
    return next(r for r in manifest() if r["path"] == path)


def is_hard_pair(a: str, b: str) -> bool:
    """Tell whether two identities are the manifest's known look-alike pair."""
    return {a, b} == set(HARD_PAIR)


def image_dir() -> Path:
    """Return the photos folder."""
    return faces_root()
