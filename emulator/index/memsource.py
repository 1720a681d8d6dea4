"""ArraySource: a VectorSource over in-memory numpy arrays, for tests, benchmarks and tools."""

from __future__ import annotations

import threading

import numpy as np

from emulator.index.params import DIM


class ArraySource:
    """Faces with ascending int64 labels; deletions are a live mask. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._labels = np.empty(0, dtype=np.int64)
        self._vectors = np.empty((0, DIM), dtype=np.float32)
        self._live = np.empty(0, dtype=bool)
        self._next = 1

    def insert(self, vectors: np.ndarray) -> np.ndarray:
        """Commit new faces; return their labels (ascending, never reused)."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, DIM)
        with self._lock:
            labels = np.arange(self._next, self._next + len(vectors), dtype=np.int64)
            self._next += len(vectors)
            self._labels = np.concatenate([self._labels, labels])
            self._vectors = np.concatenate([self._vectors, vectors])
            self._live = np.concatenate([self._live, np.ones(len(vectors), dtype=bool)])
        return labels

    def delete(self, labels: np.ndarray) -> None:
        """Commit the deletion of ``labels``."""
        wanted = np.asarray(labels, dtype=np.int64).reshape(-1)
        with self._lock:
            pos = np.searchsorted(self._labels, wanted)
            inside = pos < len(self._labels)
            pos, wanted = pos[inside], wanted[inside]
            live = self._live.copy()
            live[pos[self._labels[pos] == wanted]] = False
            self._live = live

    def live(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (labels, vectors) of every live face."""
        with self._lock:
            return self._labels[self._live], self._vectors[self._live]

    def live_labels(self, upto: int) -> np.ndarray:
        """Return the labels of live faces with label <= upto."""
        with self._lock:
            out: np.ndarray = self._labels[self._live & (self._labels <= upto)]
            return out

    def vectors_after(self, after: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (labels, vectors) of live faces with label > after, ascending."""
        with self._lock:
            mask = self._live & (self._labels > after)
            return self._labels[mask], self._vectors[mask]
