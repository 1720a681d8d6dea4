"""Rebuilds: fold a collection's buffer and tombstones into a new generation, in the background or now."""

from __future__ import annotations

import logging
import queue
import threading

import numpy as np

from emulator.index.collection import CollectionIndex, Fold
from emulator.index.manifest import Manifest, remove_stale_files, write_manifest
from emulator.index.params import DIM
from emulator.index.segment_backend import BuildCancelled

log = logging.getLogger(__name__)


def fold_collection(coll: CollectionIndex, n_jobs: int) -> None:
    """Build generation N+1 from the source off-lock, make it durable, then swap it in."""
    with coll.fold_mutex:
        if coll.cancel.is_set():
            return
        params, root = coll.params, coll.root
        generation = coll.generation + 1
        labels, vectors = coll.source.vectors_after(0)
        labels = np.asarray(labels, dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(labels), DIM)
        max_label = int(labels[-1]) if len(labels) else 0
        if len(labels) == 0 or len(labels) < params.exact_below:
            fold = Fold(generation, max_label, None, labels, vectors)
            manifest = Manifest(generation=generation, max_label=0, count=0)
        else:
            segment, manifest = coll.backend.build(labels, vectors, params, generation, root, n_jobs, coll.cancel)
            fold = Fold(generation, max_label, segment, labels[:0], vectors[:0])
        if coll.cancel.is_set():
            if root is not None:
                remove_stale_files(root, keep=coll.generation if coll.segment is not None else None)
            return
        if root is not None:
            write_manifest(root, manifest)
        coll.install(fold)
        if root is not None:
            remove_stale_files(root, keep=generation if fold.segment is not None else None)


class Rebuilder:
    """One background thread that runs queued rebuilds, one at a time (Annoy's build releases the GIL)."""

    def __init__(self, n_jobs: int) -> None:
        self._n_jobs = n_jobs
        self._queue: queue.Queue[CollectionIndex | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, coll: CollectionIndex) -> None:
        """Queue a rebuild of ``coll``; starts the worker thread on first use."""
        with self._lock:
            if self._closed:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="index-rebuild", daemon=True)
                self._thread.start()
            self._queue.put(coll)

    def fold_now(self, coll: CollectionIndex) -> None:
        """Rebuild ``coll`` in the caller's thread, on every core (CollectionIndex.rebuild_now)."""
        fold_collection(coll, n_jobs=-1)

    def close(self) -> None:
        """Stop the worker after its current rebuild and join it."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._queue.put(None)
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        """Run queued rebuilds until close()."""
        while (coll := self._queue.get()) is not None:
            ok = True
            try:
                fold_collection(coll, self._n_jobs)
            except BuildCancelled:
                pass
            except Exception:
                ok = False
                log.exception("background index rebuild failed; the buffer keeps serving exactly")
            coll.rebuild_finished(ok)
