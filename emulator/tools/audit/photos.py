"""The photos of an evaluation folder and the groups/labels CSV that goes with it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
GENDERS = {"male": "Male", "m": "Male", "man": "Male", "female": "Female", "f": "Female", "woman": "Female"}


@dataclass(frozen=True)
class Truth:
    """What a labels CSV says about an identity: gender ("Male"/"Female"), exact age, or an age bracket."""

    gender: str | None = None
    age: float | None = None
    age_bracket: tuple[float, float] | None = None


@dataclass(frozen=True)
class Groups:
    """identity -> group, and identity -> labelled truth (only identities whose row gives some)."""

    group_of: dict[str, str]
    truth: dict[str, Truth]


def collect_photos(root: Path) -> list[tuple[str, Path]]:
    """(identity, path) for every photo under root/<identity>/, sorted; `_`-prefixed folders skipped."""
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for photo in sorted(folder.iterdir()):
            if photo.is_file() and photo.suffix.lower() in PHOTO_SUFFIXES:
                out.append((folder.name, photo))
    return out


def age_bracket(text: str) -> tuple[float, float]:
    """An age group such as "20-29", "3-9" or "70+" as (low, high) years, inclusive."""
    text = text.strip()
    if text.endswith("+"):
        return float(text[:-1]), 120.0
    low, sep, high = text.partition("-")
    if not sep:
        raise ValueError(f"age_group {text!r}: expected LOW-HIGH or LOW+")
    return float(low), float(high)


def _truth(row: dict[str, str], where: str) -> Truth | None:
    """The labels of one CSV row (None when it gives none)."""
    gender_text = (row.get("gender") or "").strip().lower()
    if gender_text and gender_text not in GENDERS:
        raise ValueError(f"{where}: gender {gender_text!r}: expected male or female")
    age_text = (row.get("age") or "").strip()
    bracket_text = (row.get("age_group") or "").strip()
    try:
        age = float(age_text) if age_text else None
        bracket = age_bracket(bracket_text) if bracket_text else None
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None
    if not gender_text and age is None and bracket is None:
        return None
    return Truth(gender=GENDERS.get(gender_text), age=age, age_bracket=bracket)


def read_groups(path: Path) -> Groups:
    """A CSV with the columns identity,group and optionally gender (male/female), age (years), age_group."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"identity", "group"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected identity,group")
        group_of: dict[str, str] = {}
        truth: dict[str, Truth] = {}
        for line, row in enumerate(reader, start=2):
            identity = (row["identity"] or "").strip()
            if not identity:
                continue
            group_of[identity] = (row["group"] or "").strip()
            labelled = _truth(row, f"{path}:{line}")
            if labelled is not None:
                truth[identity] = labelled
    return Groups(group_of=group_of, truth=truth)


def ungrouped(photos: list[tuple[str, Path]], groups: dict[str, str]) -> list[str]:
    """Identity folders that the groups file does not assign."""
    return sorted({identity for identity, _ in photos} - set(groups))
