"""What the evaluate command needs beyond emulator.engine.evaluate: pair scores, error curves, groups files."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emulator.engine.engine import Engine
from emulator.engine.evaluate import EvaluationReport, collect_photos, compute_rates, describe_photos
from emulator.engine.similarity import similarities

OVERALL = "overall"


@dataclass(frozen=True)
class PairScores:
    """Similarities (0-100) of the genuine and impostor pairs of one population."""

    genuine: np.ndarray
    impostor: np.ndarray

    def rates(self, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(FMR, FNMR) at each threshold: impostors >= t, genuines < t (NaN when there are no such pairs)."""
        t = np.asarray(thresholds, dtype=np.float64)
        fmr = (self.impostor[None, :] >= t[:, None]).mean(axis=1) if self.impostor.size else np.full(t.shape, np.nan)
        fnmr = (self.genuine[None, :] < t[:, None]).mean(axis=1) if self.genuine.size else np.full(t.shape, np.nan)
        return np.asarray(fmr, dtype=np.float64), np.asarray(fnmr, dtype=np.float64)


def pair_scores(labels: list[str], vectors: np.ndarray) -> PairScores:
    """Every pair's similarity split by same / different label (the pairs compute_rates counts)."""
    n = len(labels)
    if n < 2:
        return PairScores(np.zeros(0), np.zeros(0))
    lab = np.asarray(labels, dtype=object)
    diff = vectors[:, None, :] - vectors[None, :, :]
    sim = similarities(np.sqrt(np.maximum((diff**2).sum(-1), 0.0)))
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    same = lab[:, None] == lab[None, :]
    return PairScores(genuine=sim[upper & same], impostor=sim[upper & ~same])


def evaluate_with_scores(root: Path, engine: Engine, groups: dict[str, str] | None = None
                         ) -> tuple[EvaluationReport, dict[str, PairScores]]:
    """evaluate_folder's report plus the pair scores of each population, describing every photo once."""
    labels, vectors, skipped = describe_photos(collect_photos(root), engine, root)
    populations = {OVERALL: list(range(len(labels)))}
    for group in sorted(set((groups or {}).values())):
        populations[group] = [i for i, label in enumerate(labels) if (groups or {}).get(label) == group]
    rates = {}
    scores = {}
    for name, idx in populations.items():
        sub_labels, sub_vectors = [labels[i] for i in idx], vectors[idx]
        rates[name] = compute_rates(sub_labels, sub_vectors)
        scores[name] = pair_scores(sub_labels, sub_vectors)
    overall = rates.pop(OVERALL)
    report = EvaluationReport(overall=overall, groups=rates, skipped=skipped, descriptor=engine.descriptor_name,
                              detector=engine.detector)
    return report, scores


def read_groups(path: Path) -> dict[str, str]:
    """identity -> group from a CSV with the columns identity,group (other columns ignored)."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"identity", "group"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected identity,group")
        return {row["identity"].strip(): row["group"].strip() for row in reader if (row["identity"] or "").strip()}


def ungrouped(root: Path, groups: dict[str, str]) -> list[str]:
    """Identity folders under root that the groups file does not assign."""
    return sorted({identity for identity, _ in collect_photos(root)} - set(groups))
