"""The brute-force backend of sealed segments: labels and descriptors only, every search exact (the reference)."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emulator.index.exact import exact_search, squared_norms
from emulator.index.manifest import Manifest, fsync_dir, vectors_path
from emulator.index.params import DIM, IndexParams
from emulator.index.segment_backend import BuildCancelled
from emulator.index.segment_files import load_rows, member_mask, write_rows

NAME = "exact"


@dataclass(frozen=True)
class ExactSegment:
    """The face labelled ``labels[i]`` has the descriptor ``vectors[i]``; labels ascend."""

    labels: np.ndarray  # int64, ascending
    vectors: np.ndarray  # float32 (n, DIM), memory-mapped once saved
    generation: int

    @property
    def max_label(self) -> int:
        """Return the largest label in the segment."""
        return int(self.labels[-1])

    def __len__(self) -> int:
        return len(self.labels)

    def contains(self, labels: np.ndarray) -> np.ndarray:
        """Return a boolean mask: which of ``labels`` are in this segment."""
        return member_mask(self.labels, labels)

    @functools.cached_property
    def norms(self) -> np.ndarray:
        """Return the squared norm of every vector (computed on first use)."""
        return squared_norms(self.vectors)

    def scan(self, query: np.ndarray, n: int, max_distance: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (labels, distances) of the ``n`` nearest vectors within ``max_distance``, exactly."""
        return exact_search(self.labels, self.vectors, self.norms, query, n, max_distance)

    def search(self, query: np.ndarray, n: int, search_k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (labels, distances) of the ``n`` nearest vectors, exactly (``search_k`` does not apply)."""
        del search_k
        return exact_search(self.labels, self.vectors, self.norms, query, n, float(np.inf))


class ExactBackend:
    """Sealed segments searched by brute force over the memory-mapped descriptors."""

    name = NAME

    def build(
        self,
        labels: np.ndarray,
        vectors: np.ndarray,
        params: IndexParams,
        generation: int,
        root: Path | None,
        n_jobs: int,
        cancel: threading.Event | None = None,
    ) -> tuple[ExactSegment, Manifest]:
        """Take the rows as they are; with ``root``, write them (not the manifest)."""
        del params, n_jobs
        if cancel is not None and cancel.is_set():
            raise BuildCancelled
        labels = np.ascontiguousarray(labels, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(labels), DIM)
        manifest = Manifest(generation=generation, max_label=int(labels[-1]), count=len(labels), backend=NAME)
        if root is None:
            return ExactSegment(labels, vectors, generation), manifest
        labels_bytes, vectors_bytes = write_rows(root, generation, labels, vectors)
        fsync_dir(root)
        mapped = np.load(vectors_path(root, generation), mmap_mode="r", allow_pickle=False)
        manifest = Manifest(generation=generation, max_label=manifest.max_label, count=manifest.count,
                            labels_bytes=labels_bytes, vectors_bytes=vectors_bytes, backend=NAME)
        return ExactSegment(labels, mapped, generation), manifest

    def load(self, root: Path, manifest: Manifest) -> ExactSegment | None:
        """Memory-map the generation's descriptors; None if its files are missing or inconsistent."""
        rows = load_rows(root, manifest)
        return None if rows is None else ExactSegment(rows[0], rows[1], manifest.generation)
