"""Exact (brute-force) nearest neighbours over a float32 matrix, with precomputed squared norms."""

from __future__ import annotations

import numpy as np

EMPTY_LABELS = np.empty(0, dtype=np.int64)
EMPTY_DISTANCES = np.empty(0, dtype=np.float32)
_SLACK = 1e-3  # the norm expansion is approximate: keep candidates a little past max_distance


def squared_norms(vectors: np.ndarray) -> np.ndarray:
    """Return the float32 squared norm of each row."""
    out: np.ndarray = np.einsum("ij,ij->i", vectors, vectors)
    return out


def exact_search(
    labels: np.ndarray, vectors: np.ndarray, norms: np.ndarray, query: np.ndarray, n: int, max_distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return (labels, distances) of the ``n`` nearest rows within ``max_distance``, nearest first."""
    if len(labels) == 0 or n <= 0:
        return EMPTY_LABELS, EMPTY_DISTANCES
    d2 = norms - 2.0 * (vectors @ query) + np.float32(query @ query)
    candidates = np.flatnonzero(d2 <= (max_distance + _SLACK) ** 2)
    extra = n + 8
    if len(candidates) > extra:
        candidates = candidates[np.argpartition(d2[candidates], extra - 1)[:extra]]
    distances = np.linalg.norm(vectors[candidates] - query, axis=1)
    order = np.argsort(distances, kind="stable")
    order = order[distances[order] <= max_distance][:n]
    return labels[candidates[order]], distances[order]
