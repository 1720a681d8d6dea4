"""The immutable snapshot of a collection index that searches read without taking its lock."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulator.index.buffer import BufferView
from emulator.index.segment_backend import SealedSegment


@dataclass(frozen=True)
class Snapshot:
    """Sealed segment, buffer view and the deleted labels still present in either, at one instant."""

    segment: SealedSegment | None
    buffer: BufferView
    tombstones: frozenset[int]
    segment_tombstones: int  # how many tombstones are in the segment (the rest are in the buffer)
    search_k: int
    per_result: int  # Annoy nodes inspected per requested neighbour, when more than search_k
    scan_ratio: float  # scan the segment exactly when it holds at most this many rows per Annoy node

    def search(self, query: np.ndarray, k: int, max_distance: float) -> list[tuple[int, float]]:
        """Return up to ``k`` (label, distance) pairs within ``max_distance``, nearest first."""
        buffer_tombstones = len(self.tombstones) - self.segment_tombstones
        labels, dists = self.buffer.search(query, k + buffer_tombstones, max_distance)
        found = self._keep(labels, dists)
        if self.segment is not None:
            found += self._search_segment(self.segment, query, k, max_distance)
        found.sort(key=lambda pair: pair[1])
        return found[:k]

    def _search_segment(
        self, segment: SealedSegment, query: np.ndarray, k: int, max_distance: float
    ) -> list[tuple[int, float]]:
        """Ask Annoy for k + tombstones (more if deletions near the query leave fewer than k), or scan."""
        n = k + min(self.segment_tombstones, k + 64)
        if len(segment) <= self.scan_ratio * max(self.search_k, n * self.per_result):
            labels, dists = segment.scan(query, k + self.segment_tombstones, max_distance)
            return self._keep(labels, dists)
        while True:
            labels, dists = segment.search(query, n, max(self.search_k, n * self.per_result))
            within = dists <= max_distance
            found = self._keep(labels[within], dists[within])
            exhausted = len(labels) < n or not bool(within.all()) or n >= len(segment)
            if len(found) >= k or exhausted or n >= k + self.segment_tombstones:
                return found
            n *= 2

    def _keep(self, labels: np.ndarray, dists: np.ndarray) -> list[tuple[int, float]]:
        """Return the pairs whose label is not a tombstone."""
        tomb = self.tombstones
        return [(lab, float(d)) for lab, d in zip(labels.tolist(), dists, strict=True) if lab not in tomb]
