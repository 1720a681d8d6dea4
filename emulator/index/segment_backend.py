"""The seam for sealed segments: what the index asks of one, and of the backend that builds, saves and loads them.

The rest of the index (collection, loader, rebuild, state, registry) talks only to these Protocols, so another
nearest-neighbour structure can be tried by writing one backend module: annoy_segment.py (the default) and
exact_segment.py (brute force, the reference) implement them.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from emulator.index.manifest import Manifest
from emulator.index.params import IndexParams


class BuildCancelled(Exception):
    """The registry closed while a segment was being built."""


class SealedSegment(Protocol):
    """One immutable generation of a collection's faces: labels ascending, each with its descriptor."""

    @property
    def labels(self) -> np.ndarray:
        """The labels it holds (int64, ascending)."""

    @property
    def generation(self) -> int:
        """The generation it was built as."""

    @property
    def max_label(self) -> int:
        """The largest label it holds."""

    def __len__(self) -> int:
        """How many faces it holds."""

    def contains(self, labels: np.ndarray) -> np.ndarray:
        """A boolean mask: which of ``labels`` it holds."""

    def scan(self, query: np.ndarray, n: int, max_distance: float) -> tuple[np.ndarray, np.ndarray]:
        """(labels, distances) of the ``n`` nearest within ``max_distance``, nearest first, exactly."""

    def search(self, query: np.ndarray, n: int, search_k: int) -> tuple[np.ndarray, np.ndarray]:
        """(labels, exact distances) of up to ``n`` nearest, nearest first; approximate when the backend is,
        inspecting about ``search_k`` candidates."""


class SegmentBackend(Protocol):
    """Builds sealed segments from descriptors, writes them under a directory and loads them back."""

    @property
    def name(self) -> str:
        """Recorded in the manifest: a generation written by another backend is rebuilt, not loaded."""

    def build(
        self,
        labels: np.ndarray,
        vectors: np.ndarray,
        params: IndexParams,
        generation: int,
        root: Path | None,
        n_jobs: int,
        cancel: threading.Event | None = None,
    ) -> tuple[SealedSegment, Manifest]:
        """Build over ascending ``labels``; with ``root``, write its files durably (the caller writes the manifest).

        Raises BuildCancelled when ``cancel`` is set while building.
        """

    def load(self, root: Path, manifest: Manifest) -> SealedSegment | None:
        """Memory-map the generation the manifest names; None if its files are missing or inconsistent."""
