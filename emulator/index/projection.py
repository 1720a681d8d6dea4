"""Principal components of a segment's descriptors: Annoy's trees are built on the leading ones only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulator.index.params import DIM

_SAMPLE = 100_000  # rows the components are estimated from


@dataclass(frozen=True)
class Projection:
    """``(x - mean) @ axes``: coordinates along the leading principal components, largest variance first."""

    mean: np.ndarray  # float32 (DIM,)
    axes: np.ndarray  # float32 (DIM, dims), orthonormal columns

    @property
    def dims(self) -> int:
        """Return the number of components kept."""
        return int(self.axes.shape[1])

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Project one vector (DIM,) or rows (n, DIM) onto the kept components (float32)."""
        out: np.ndarray = (np.asarray(vectors, dtype=np.float32) - self.mean) @ self.axes
        return out

    def packed(self) -> np.ndarray:
        """Return mean and axes as one (DIM, dims + 1) array: column 0 is the mean."""
        return np.column_stack([self.mean, self.axes]).astype(np.float32)

    @classmethod
    def unpack(cls, packed: np.ndarray, dims: int) -> Projection | None:
        """Inverse of ``packed``; None if the array does not have the expected shape and type."""
        if packed.dtype != np.float32 or packed.shape != (DIM, dims + 1) or not np.isfinite(packed).all():
            return None
        return cls(np.ascontiguousarray(packed[:, 0]), np.ascontiguousarray(packed[:, 1:]))


def fit_projection(vectors: np.ndarray, dims: int, seed: int) -> Projection:
    """Estimate the ``dims`` leading principal components of ``vectors`` (from a seeded sample of rows)."""
    dims = max(1, min(DIM, dims))
    if len(vectors) > _SAMPLE:
        rows = np.sort(np.random.default_rng(seed).choice(len(vectors), _SAMPLE, replace=False))
        vectors = vectors[rows]
    data = np.asarray(vectors, dtype=np.float64).reshape(-1, DIM)
    mean = data.mean(axis=0) if len(data) else np.zeros(DIM)
    if len(data) < 2:
        return Projection(mean.astype(np.float32), np.eye(DIM, dims, dtype=np.float32))
    values, vecs = np.linalg.eigh(np.cov(data - mean, rowvar=False))
    order = np.argsort(values)[::-1][:dims]
    return Projection(mean.astype(np.float32), np.ascontiguousarray(vecs[:, order], dtype=np.float32))
