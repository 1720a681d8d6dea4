"""CollectionIndex: one collection's sealed segment, growing buffer and tombstones, behind one RLock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from emulator.index.buffer import GrowingBuffer
from emulator.index.params import DIM, IndexParams
from emulator.index.segment_backend import SealedSegment, SegmentBackend
from emulator.index.source import VectorSource
from emulator.index.state import Snapshot

_COMPACT_MIN = 64  # buffer tombstones tolerated before the buffer is compacted in place
RETRY_AFTER = 30.0  # seconds before a failed background rebuild is tried again


@dataclass(frozen=True)
class Fold:
    """The result of a rebuild: ``snapshot`` rows (labels <= ``max_label``) are in ``segment`` or buffered."""

    generation: int
    max_label: int  # the largest live label the source returned; 0 if it returned none
    segment: SealedSegment | None  # None: the collection is small, the snapshot rows go to the buffer
    labels: np.ndarray
    vectors: np.ndarray


class Rebuilds(Protocol):
    """Where a collection's rebuilds run: queued for the background thread, or now in the caller's."""

    def submit(self, coll: CollectionIndex) -> None:
        """Queue a background rebuild of ``coll``."""

    def fold_now(self, coll: CollectionIndex) -> None:
        """Rebuild ``coll`` in the caller's thread."""


class CollectionIndex:
    """Nearest-neighbour search over one collection's live faces; writes follow the store's commits."""

    def __init__(
        self,
        source: VectorSource,
        params: IndexParams,
        root: Path | None,
        backend: SegmentBackend,
        rebuilds: Rebuilds,
        segment: SealedSegment | None,
        generation: int,
        tombstones: Iterable[int],
        buffer_labels: np.ndarray,
        buffer_vectors: np.ndarray,
    ) -> None:
        self.source = source
        self.params = params
        self.root = root
        self.backend = backend
        self._rebuilds = rebuilds
        self._lock = threading.RLock()
        self.fold_mutex = threading.Lock()  # held for the whole of one rebuild
        self.cancel = threading.Event()  # set when the collection is dropped or the registry closes
        self._rebuild_pending = False
        self._retry_at = 0.0
        self.generation = generation
        self._segment = segment
        self._buffer = GrowingBuffer(buffer_labels, buffer_vectors)
        self._tombstones: set[int] = set(tombstones)
        self._early_removed: set[int] = set()  # removed before their add() arrived
        seg_max = 0 if segment is None else segment.max_label
        self._watermark = max(seg_max, int(buffer_labels.max()) if len(buffer_labels) else 0)
        self._segment_tombstones = len(self._tombstones)
        self._publish()

    # -- public API --------------------------------------------------------------------------------------

    def add(self, labels: np.ndarray, vectors: np.ndarray) -> None:
        """Index faces the store has committed (labels it has already read from the source are skipped)."""
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(labels), DIM)
        with self._lock:
            keep = labels > self._watermark
            if self._early_removed:
                keep &= ~np.isin(labels, np.fromiter(self._early_removed, np.int64))
            if keep.any():
                self._buffer.append(labels[keep], vectors[keep])
                self._publish()
            self.schedule_if_due()

    def remove(self, labels: Iterable[int]) -> None:
        """Forget faces whose deletion the store has committed; they are never returned again."""
        wanted = np.unique(np.fromiter((int(x) for x in labels), dtype=np.int64))
        with self._lock:
            wanted = wanted[~np.isin(wanted, np.fromiter(self._tombstones, np.int64))]
            if len(wanted) == 0:
                return
            in_segment = np.zeros(len(wanted), dtype=bool)
            if self._segment is not None:
                in_segment = self._segment.contains(wanted)
            in_buffer = np.isin(wanted, self._buffer.view().labels) & ~in_segment
            self._tombstones.update(wanted[in_segment | in_buffer].tolist())
            self._segment_tombstones += int(in_segment.sum())
            absent = wanted[~in_segment & ~in_buffer]
            self._early_removed.update(absent[absent > self._watermark].tolist())
            self._compact_buffer()
            self._publish()
            self.schedule_if_due()

    def search(self, vector: np.ndarray, k: int, max_distance: float) -> list[tuple[int, float]]:
        """Return up to ``k`` (label, distance) pairs with distance <= ``max_distance``, nearest first."""
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(DIM)
        if k <= 0:
            return []
        return self._snapshot.search(query, k, float(max_distance))

    def __len__(self) -> int:
        snap = self._snapshot
        segment = 0 if snap.segment is None else len(snap.segment)
        return segment + len(snap.buffer) - len(snap.tombstones)

    def rebuild_now(self) -> None:
        """Fold the buffer and drop tombstones now, using every core (for tests and bulk import)."""
        self._rebuilds.fold_now(self)

    # -- used by the rebuild -----------------------------------------------------------------------------

    @property
    def segment(self) -> SealedSegment | None:
        """Return the current sealed segment."""
        return self._snapshot.segment

    def install(self, fold: Fold) -> SealedSegment | None:
        """Swap in a rebuilt generation under the lock; return the replaced segment."""
        with self._lock:
            cut = fold.max_label
            view = self._buffer.view()
            newer = view.labels > cut
            if fold.segment is None:
                labels = np.concatenate([fold.labels, view.labels[newer]])
                vectors = np.concatenate([fold.vectors, view.vectors[newer]])
                self._buffer = GrowingBuffer(labels, vectors)
            else:
                self._buffer = self._buffer.keep(newer)
            old = self._segment
            self._segment = fold.segment
            self.generation = fold.generation
            self._retarget_tombstones(cut)
            self._watermark = max(self._watermark, cut)
            self._publish()
            return old

    def rebuild_finished(self, ok: bool) -> None:
        """Allow the next background rebuild (after a pause if this one failed); schedule it if due."""
        with self._lock:
            self._rebuild_pending = False
            if not ok:
                self._retry_at = time.monotonic() + RETRY_AFTER
            self.schedule_if_due()

    # -- internals ---------------------------------------------------------------------------------------

    def _retarget_tombstones(self, cut: int) -> None:
        """Keep only tombstones (and early removals) still present in the new segment or buffer."""
        pending = np.fromiter(self._tombstones | self._early_removed, dtype=np.int64)
        in_segment = np.zeros(len(pending), dtype=bool)
        if self._segment is not None:
            in_segment = self._segment.contains(pending)
        in_buffer = np.isin(pending, self._buffer.view().labels) & ~in_segment
        self._tombstones = set(pending[in_segment | in_buffer].tolist())
        self._segment_tombstones = int(in_segment.sum())
        self._early_removed = {label for label in self._early_removed if label > cut} - self._tombstones

    def _compact_buffer(self) -> None:
        """Physically drop deleted buffer rows once they are a quarter of the buffer."""
        if self._rebuild_pending or self.fold_mutex.locked():
            return  # a rebuild may have read these rows from the source: install needs their tombstones
        buffer_tombs = len(self._tombstones) - self._segment_tombstones
        if buffer_tombs < max(_COMPACT_MIN, len(self._buffer) // 4):
            return
        labels = self._buffer.view().labels
        dead = np.isin(labels, np.fromiter(self._tombstones, np.int64))
        self._buffer = self._buffer.keep(~dead)
        self._tombstones.difference_update(labels[dead].tolist())

    def _publish(self) -> None:
        """Publish a new immutable snapshot for lock-free searches."""
        self._snapshot = Snapshot(
            segment=self._segment,
            buffer=self._buffer.view(),
            tombstones=frozenset(self._tombstones),
            segment_tombstones=self._segment_tombstones,
            search_k=self.params.search_k,
            per_result=self.params.per_result,
            scan_ratio=self.params.scan_ratio,
        )

    def rebuild_due(self) -> bool:
        """Return True when the buffer is over its limit or too much of the segment is deleted."""
        p = self.params
        live = len(self)
        if len(self._buffer) >= p.buffer_limit and live >= p.exact_below:
            return True
        if self._segment is None:
            return False
        if live < p.exact_below // 2:
            return True  # shrunk: go back to exact search
        return self._segment_tombstones >= max(1, p.tombstone_fraction * len(self._segment))

    def schedule_if_due(self) -> None:
        """Ask the registry for a background rebuild when one is due and none is pending."""
        with self._lock:
            if self._rebuild_pending or self.cancel.is_set() or time.monotonic() < self._retry_at:
                return
            if self.rebuild_due():
                self._rebuild_pending = True
                self._rebuilds.submit(self)
