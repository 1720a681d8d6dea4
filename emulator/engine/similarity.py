"""The one mapping between descriptor distance and Rekognition-style similarity (0-100).

    s(d) = 100 / (1 + exp(K * (d - D0)))   with K = 16.04 and D0 = 0.6 + ln(4) / K ~ 0.6864

A logistic in the Euclidean distance d between two 128-d dlib descriptors, strictly
decreasing.  D0 is chosen so that s(0.6) = 80 exactly (dlib's usual same-person tolerance
0.6 behaves like Rekognition's default threshold 80): s(0) ~ 99.998, s(0.4) ~ 99.0,
s(0.5) ~ 95.2, s(0.6) = 80, s(0.7) ~ 44.6, s(1.0) ~ 0.65.
"""

from __future__ import annotations

import math

import numpy as np

#: Rekognition's default FaceMatchThreshold / SimilarityThreshold / UserMatchThreshold (searches).
DEFAULT_THRESHOLD = 80.0
#: dlib's usual same-person distance, which the mapping puts at DEFAULT_THRESHOLD.
DLIB_TOLERANCE = 0.6
K = 16.04
#: Chosen so that s(DLIB_TOLERANCE) = DEFAULT_THRESHOLD.
D0 = DLIB_TOLERANCE + math.log(DEFAULT_THRESHOLD / (100.0 - DEFAULT_THRESHOLD)) / K


def similarity(distance: float) -> float:
    """Similarity 0-100 for a Euclidean descriptor distance (monotonically decreasing)."""
    z = K * (float(distance) - D0)
    if z > 700.0:
        return 0.0
    return 100.0 / (1.0 + math.exp(z))


def max_distance(similarity_threshold: float) -> float:
    """Largest distance whose similarity is >= the threshold (inf at <= 0; negative/-inf: none qualifies)."""
    t = float(similarity_threshold)
    if t <= 0.0:
        return math.inf
    if t >= 100.0:
        return -math.inf
    return D0 + math.log(100.0 / t - 1.0) / K


def similarities(distances: np.ndarray) -> np.ndarray:
    """Vectorised similarity for an array of distances."""
    z = np.clip(K * (np.asarray(distances, dtype=np.float64) - D0), -700.0, 700.0)
    return np.asarray(100.0 / (1.0 + np.exp(z)), dtype=np.float64)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two descriptors."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))
