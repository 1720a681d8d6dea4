"""Measure the engine on a folder of labelled photos: match rates by threshold and rank-1 identification.

Layout: ``root/<identity>/<photo>`` (folders starting with ``_`` are skipped).  One descriptor
per photo (its largest face; photos with no face are counted and left out), every pair of
photos compared: same identity = genuine pair, different = impostor pair.
- false match rate (FMR) at t: share of impostor pairs with similarity >= t;
- false non-match rate (FNMR) at t: share of genuine pairs with similarity < t;
- verification accuracy at 80: share of all pairs decided correctly at threshold 80;
- rank-1 identification: leave-one-out nearest neighbour over photos whose identity has at
  least one other photo; correct when the nearest other photo has the same identity.
With ``groups`` (identity -> group), the same figures per group (pairs within the group,
so impostor pairs are between identities of the same group).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emulator.engine.engine import Engine
from emulator.engine.errors import ImageError
from emulator.engine.image import decode_image
from emulator.engine.similarity import similarities

THRESHOLDS = (80.0, 90.0, 95.0, 99.0)
VERIFICATION_THRESHOLD = 80.0
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class Rates:
    """Pair counts and error rates for one population of photos."""

    photos: int
    identities: int
    genuine_pairs: int
    impostor_pairs: int
    false_match_rate: dict[float, float]
    false_non_match_rate: dict[float, float]
    verification_accuracy: float
    rank1_identification: float
    rank1_queries: int


@dataclass(frozen=True)
class EvaluationReport:
    """Overall rates, per-group rates, and the photos that could not be used."""

    overall: Rates
    groups: dict[str, Rates] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    descriptor: str = ""
    detector: str = ""


def collect_photos(root: Path) -> list[tuple[str, Path]]:
    """(identity, path) for every photo under root/<identity>/, sorted; `_`-prefixed folders skipped."""
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for photo in sorted(folder.iterdir()):
            if photo.is_file() and photo.suffix.lower() in PHOTO_SUFFIXES:
                out.append((folder.name, photo))
    return out


def describe_photos(photos: Iterable[tuple[str, Path]], engine: Engine,
                    root: Path) -> tuple[list[str], np.ndarray, list[str]]:
    """Labels and (N, 128) descriptors of each photo's largest face, plus the skipped photos."""
    labels: list[str] = []
    vectors: list[np.ndarray] = []
    skipped: list[str] = []
    for identity, path in photos:
        try:
            found = engine.faces(decode_image(path.read_bytes()), largest_only=True)
        except ImageError:
            found = []
        if not found or found[0].descriptor is None:
            skipped.append(str(path.relative_to(root)))
            continue
        labels.append(identity)
        vectors.append(found[0].descriptor)
    matrix = np.stack(vectors).astype(np.float64) if vectors else np.zeros((0, 128))
    return labels, matrix, skipped


def compute_rates(labels: list[str], vectors: np.ndarray) -> Rates:
    """All-pairs rates and leave-one-out rank-1 identification for labelled descriptors."""
    n = len(labels)
    lab = np.asarray(labels, dtype=object)
    dist = np.sqrt(np.maximum(((vectors[:, None, :] - vectors[None, :, :]) ** 2).sum(-1), 0.0)) if n else \
        np.zeros((0, 0))
    sim = similarities(dist)
    same = lab[:, None] == lab[None, :] if n else np.zeros((0, 0), dtype=bool)
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    genuine = sim[upper & same]
    impostor = sim[upper & ~same]
    fmr = {t: _share(impostor >= t) for t in THRESHOLDS}
    fnmr = {t: _share(genuine < t) for t in THRESHOLDS}
    correct = int((genuine >= VERIFICATION_THRESHOLD).sum() + (impostor < VERIFICATION_THRESHOLD).sum())
    accuracy = correct / (genuine.size + impostor.size) if genuine.size + impostor.size else 0.0
    hits = queries = 0
    for i in range(n):
        if same[i].sum() < 2:
            continue
        others = dist[i].copy()
        others[i] = np.inf
        queries += 1
        hits += int(lab[int(np.argmin(others))] == lab[i])
    return Rates(
        photos=n, identities=len(set(labels)), genuine_pairs=int(genuine.size),
        impostor_pairs=int(impostor.size), false_match_rate=fmr, false_non_match_rate=fnmr,
        verification_accuracy=accuracy, rank1_identification=hits / queries if queries else 0.0,
        rank1_queries=queries,
    )


def _share(mask: np.ndarray) -> float:
    """Fraction of True values (0 for an empty mask)."""
    return float(mask.mean()) if mask.size else 0.0


def evaluate_folder(root: Path, engine: Engine, groups: dict[str, str] | None = None) -> EvaluationReport:
    """Describe every photo under root/<identity>/ and measure match rates (overall and per group)."""
    labels, vectors, skipped = describe_photos(collect_photos(root), engine, root)
    per_group: dict[str, Rates] = {}
    if groups:
        for group in sorted(set(groups.values())):
            idx = [i for i, label in enumerate(labels) if groups.get(label) == group]
            per_group[group] = compute_rates([labels[i] for i in idx], vectors[idx])
    return EvaluationReport(overall=compute_rates(labels, vectors), groups=per_group, skipped=skipped,
                            descriptor=engine.descriptor_name, detector=engine.detector)


def _format_rates(name: str, r: Rates) -> list[str]:
    """Report lines for one population."""
    lines = [f"{name}: {r.photos} photos, {r.identities} identities, "
             f"{r.genuine_pairs} genuine / {r.impostor_pairs} impostor pairs"]
    lines.append("  threshold   FMR        FNMR")
    for t in THRESHOLDS:
        lines.append(f"  {t:>9.0f}   {r.false_match_rate[t]:8.4%}   {r.false_non_match_rate[t]:8.4%}")
    lines.append(f"  verification accuracy at {VERIFICATION_THRESHOLD:.0f}: {r.verification_accuracy:.4%}")
    lines.append(f"  rank-1 identification: {r.rank1_identification:.4%} of {r.rank1_queries} queries")
    return lines


def format_report(report: EvaluationReport) -> str:
    """Human-readable text of an EvaluationReport."""
    lines = [f"detector: {report.detector}"] if report.detector else []
    lines += [f"descriptor runtime: {report.descriptor}"] if report.descriptor else []
    lines += _format_rates("overall", report.overall)
    for group, rates in report.groups.items():
        lines += _format_rates(f"group {group}", rates)
    if report.skipped:
        lines.append(f"skipped (no face or unreadable): {', '.join(report.skipped)}")
    return "\n".join(lines)
