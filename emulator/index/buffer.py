"""The growing segment: recent rows kept in numpy and searched exactly, published as immutable views."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulator.index.exact import exact_search, squared_norms
from emulator.index.params import DIM


@dataclass(frozen=True)
class BufferView:
    """The first ``len(labels)`` rows of a buffer at one instant; later appends never change it."""

    labels: np.ndarray  # int64 (n,)
    vectors: np.ndarray  # float32 (n, DIM)
    norms: np.ndarray  # float32 (n,)

    def __len__(self) -> int:
        return len(self.labels)

    def search(self, query: np.ndarray, n: int, max_distance: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (labels, distances) of the ``n`` nearest rows within ``max_distance``, nearest first."""
        return exact_search(self.labels, self.vectors, self.norms, query, n, max_distance)


class GrowingBuffer:
    """Append-only row storage with amortised growth; rows past a published view are never shared."""

    def __init__(self, labels: np.ndarray | None = None, vectors: np.ndarray | None = None) -> None:
        n = 0 if labels is None else len(labels)
        capacity = max(64, n)
        self._labels = np.empty(capacity, dtype=np.int64)
        self._vectors = np.empty((capacity, DIM), dtype=np.float32)
        self._norms = np.empty(capacity, dtype=np.float32)
        self._n = 0
        if labels is not None and vectors is not None and n:
            self.append(labels, vectors)

    def __len__(self) -> int:
        return self._n

    def view(self) -> BufferView:
        """Return an immutable view of the rows appended so far."""
        n = self._n
        return BufferView(self._labels[:n], self._vectors[:n], self._norms[:n])

    def append(self, labels: np.ndarray, vectors: np.ndarray) -> None:
        """Append rows (caller holds the collection lock); reallocates into new arrays when full."""
        count = len(labels)
        end = self._n + count
        if end > len(self._labels):
            capacity = max(end, 2 * len(self._labels))
            self._labels = _grow(self._labels, self._n, capacity)
            self._vectors = _grow(self._vectors, self._n, capacity)
            self._norms = _grow(self._norms, self._n, capacity)
        self._labels[self._n : end] = labels
        self._vectors[self._n : end] = vectors
        self._norms[self._n : end] = squared_norms(self._vectors[self._n : end])
        self._n = end

    def keep(self, mask: np.ndarray) -> GrowingBuffer:
        """Return a new buffer holding the rows where ``mask`` (over the current rows) is true."""
        view = self.view()
        return GrowingBuffer(view.labels[mask], view.vectors[mask])


def _grow(array: np.ndarray, used: int, capacity: int) -> np.ndarray:
    """Return a larger copy of ``array`` holding its first ``used`` rows."""
    out = np.empty((capacity, *array.shape[1:]), dtype=array.dtype)
    out[:used] = array[:used]
    return out
