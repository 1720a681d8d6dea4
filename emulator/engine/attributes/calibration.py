"""Calibrated confidence: a raw score -> P(correct) map fitted by isotonic regression, stored as knots.

Estimators keep their fitted knots as constants (produced by their measurement scripts on a tuning split
of ../shared/faces/_attributes and checked on the rest) and call ``Calibration.confidence`` at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Calibration:
    """A monotone, piecewise-linear map from a raw score to a probability, from (score, probability) knots."""

    scores: tuple[float, ...]
    probabilities: tuple[float, ...]

    def probability(self, score: float) -> float:
        """P(the verdict is right) for a raw score, interpolated between knots, clamped at the ends."""
        return float(np.interp(score, self.scores, self.probabilities))

    def confidence(self, score: float) -> float:
        """The same as a Rekognition Confidence, 0-100."""
        return 100.0 * self.probability(score)


def fit_isotonic(scores: Sequence[float], correct: Sequence[bool], *, bins: int = 20) -> Calibration:
    """Fit P(correct | score) non-decreasing in score: pool-adjacent-violators over quantile bins."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    if s.size == 0 or s.size != y.size:
        raise ValueError("need as many outcomes as scores, at least one")
    order = np.argsort(s, kind="stable")
    s, y = s[order], y[order]
    groups = [g for g in np.array_split(np.arange(s.size), min(bins, s.size)) if g.size]
    blocks = [[float(s[g].mean()), float(y[g].sum()), float(g.size)] for g in groups]  # centre, hits, count
    merged: list[list[float]] = []
    for block in blocks:
        merged.append(block)
        while len(merged) > 1 and merged[-2][1] / merged[-2][2] > merged[-1][1] / merged[-1][2]:
            right = merged.pop()
            left = merged[-1]
            left[0] = (left[0] * left[2] + right[0] * right[2]) / (left[2] + right[2])
            left[1] += right[1]
            left[2] += right[2]
    return Calibration(tuple(b[0] for b in merged), tuple(b[1] / b[2] for b in merged))


def reliability(
    probabilities: Sequence[float], correct: Sequence[bool], *, bins: int = 10
) -> list[tuple[float, float, int]]:
    """(mean stated probability, observed accuracy, count) per bin: how well "90" means right 9 times in 10."""
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    return [(float(p[which == b].mean()), float(y[which == b].mean()), int((which == b).sum()))
            for b in range(bins) if (which == b).any()]
