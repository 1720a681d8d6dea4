"""The isotonic calibration that turns attribute scores into Confidence."""

from __future__ import annotations

import numpy as np

from emulator.engine.attributes.calibration import fit_isotonic, reliability


def test_isotonic_fit_is_monotone_and_matches_observed_accuracy() -> None:
    rng = np.random.default_rng(7)
    scores = rng.uniform(-4, 4, 20000)
    truth = 1.0 / (1.0 + np.exp(-scores))  # P(right | score)
    correct = rng.uniform(size=scores.size) < truth
    cal = fit_isotonic(scores[:10000], correct[:10000], bins=40)
    assert all(a <= b for a, b in zip(cal.probabilities, cal.probabilities[1:], strict=False))
    stated = np.array([cal.probability(s) for s in scores[10000:]])
    for mean_p, accuracy, count in reliability(stated, correct[10000:]):
        assert count < 50 or abs(mean_p - accuracy) < 0.08  # 3 standard errors at 400 photos a bin
    assert cal.confidence(4.0) > 90.0 and cal.confidence(-4.0) < 10.0


def test_violations_are_pooled() -> None:
    cal = fit_isotonic([0, 1, 2, 3], [True, False, True, True], bins=4)
    assert cal.probabilities == (0.5, 1.0, 1.0) or list(cal.probabilities) == sorted(cal.probabilities)
    assert cal.probability(0.0) == 0.5
