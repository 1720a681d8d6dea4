"""Fitting helpers shared by the mesh measurements: logistic regression and printing calibration knots."""

from __future__ import annotations

import numpy as np
from _common import table

from emulator.engine.attributes.calibration import Calibration, reliability


def fit_logistic(features: np.ndarray, labels: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Weights (intercept first) of a ridge-regularised logistic regression, by Newton's method."""
    x = np.column_stack([np.ones(len(features)), features])
    w = np.zeros(x.shape[1])
    for _ in range(60):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -60, 60)))
        grad = x.T @ (p - labels) + l2 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return w


def knots(name: str, calibration: Calibration) -> str:
    """A Calibration constant as Python source."""
    return (f"{name} = Calibration(\n    scores=(" + ", ".join(f"{v:.4f}" for v in calibration.scores)
            + "),\n    probabilities=(" + ", ".join(f"{v:.4f}" for v in calibration.probabilities) + "))")


def verdict_report(label: str, probabilities: list[float], truth: list[bool]) -> tuple[float, str]:
    """Held-out accuracy of Value = P >= 0.5 and the reliability table of Confidence = max(P, 1 - P)."""
    p = np.asarray(probabilities)
    y = np.asarray(truth)
    value = p >= 0.5
    right = value == y
    stated = np.where(value, p, 1 - p)
    rows = [[f"{100 * s:.1f}", f"{100 * o:.1f}", n] for s, o, n in reliability(stated.tolist(), right.tolist())]
    text = f"\n{label}: {right.mean() * 100:.1f} % right on {len(p)} held-out faces\n\n"
    text += table(["stated Confidence (mean)", "observed right (%)", "faces"], rows)
    return float(right.mean()), text
