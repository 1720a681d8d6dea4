"""The photos the quality measurement degrades: identity folders, LFW identities and unlabelled selfies.

Every photo has an identity (None for the unlabelled ones, which serve only as impostors and for the
distance to their own undegraded version) and a split, "tune" or "report", chosen by a hash of the identity
(of the file name when there is none) so one person's photos never sit on both sides.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Photo:
    """One photo to degrade: its path relative to the faces folder, identity and split."""

    rel: str
    identity: str | None
    source: str
    split: str


def split_of(key: str) -> str:
    """'tune' or 'report', from a stable hash of the key."""
    return "tune" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "report"


def identity_photos(root: Path) -> list[Photo]:
    """Every photo of the identity folders (<root>/<identity>/*.jpg; folders starting with _ skipped)."""
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for path in sorted(folder.glob("*.jpg")):
            out.append(Photo(f"{folder.name}/{path.name}", folder.name, "identities", split_of(folder.name)))
    return out


def lfw_photos(root: Path, per_identity: int) -> list[Photo]:
    """LFW photos of people with at least two photos, at most `per_identity` each (first by name)."""
    folder = root / "_attributes" / "lfw"
    by_person: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.jpg")):
        person = path.stem.rsplit("_", 1)[0]
        by_person.setdefault(person, []).append(path.name)
    out: list[Photo] = []
    for person, names in sorted(by_person.items()):
        if len(names) < 2:
            continue
        out.extend(Photo(f"_attributes/lfw/{n}", person, "lfw", split_of(person)) for n in names[:per_identity])
    return out


def unlabelled_photos(root: Path, count: int) -> list[Photo]:
    """`count` GENKI-4K photos (webcam-style photos of unnamed people), evenly spaced by file name."""
    names = sorted(p.name for p in (root / "_attributes" / "genki4k").glob("*.jpg"))
    if count <= 0 or not names:
        return []
    step = max(1, len(names) // count)
    return [Photo(f"_attributes/genki4k/{n}", None, "genki4k", split_of(n)) for n in names[::step][:count]]


def select(root: Path, lfw_per_identity: int = 4, unlabelled: int = 60) -> list[Photo]:
    """All photos of the measurement."""
    return identity_photos(root) + lfw_photos(root, lfw_per_identity) + unlabelled_photos(root, unlabelled)
