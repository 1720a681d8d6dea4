"""Open a collection index: reuse the on-disk generation when it loads, else start from the source."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emulator.index.collection import CollectionIndex, Rebuilds
from emulator.index.manifest import read_manifest, remove_stale_files
from emulator.index.params import DIM, IndexParams
from emulator.index.segment_backend import SealedSegment, SegmentBackend
from emulator.index.source import VectorSource


def open_collection(
    root: Path | None,
    source: VectorSource,
    params: IndexParams,
    backend: SegmentBackend,
    rebuilds: Rebuilds,
) -> CollectionIndex:
    """Load the manifest's segment (tombstones and buffer from the source), or buffer everything.

    A segment another backend wrote is not loaded: the index starts from the source and rebuilds.
    """
    segment: SealedSegment | None = None
    generation = 0
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
        manifest = read_manifest(root)
        if manifest is not None:
            generation = manifest.generation
            if manifest.count and manifest.backend == backend.name:
                segment = backend.load(root, manifest)
        remove_stale_files(root, keep=None if segment is None else segment.generation)
    tombstones = np.empty(0, dtype=np.int64)
    after = 0
    if segment is not None:
        live = np.asarray(source.live_labels(segment.max_label), dtype=np.int64)
        tombstones = np.setdiff1d(segment.labels, live, assume_unique=True)
        after = segment.max_label
    labels, vectors = source.vectors_after(after)
    labels = np.asarray(labels, dtype=np.int64)
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(labels), DIM)
    coll = CollectionIndex(
        source, params, root, backend, rebuilds, segment, generation, tombstones.tolist(), labels, vectors
    )
    coll.schedule_if_due()
    return coll
