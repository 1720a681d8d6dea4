"""Bulk import of precomputed descriptors into a collection, outside the wire API."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from emulator.config import INDEX_DIR
from emulator.index import IndexRegistry
from emulator.limits import DESCRIPTOR_SIZE as DIMENSIONS
from emulator.ops.runtime import FACE_MODEL_VERSION
from emulator.store import Store


def import_vectors(file: Path, data_dir: Path, collection_id: str, account: str, region: str) -> tuple[int, float]:
    """Store one face per row of an N×128 array; ExternalImageId is the row number. Returns (rows, seconds)."""
    start = time.perf_counter()
    vectors = np.load(file, mmap_mode="r")
    if vectors.ndim != 2 or vectors.shape[1] != DIMENSIONS:
        raise SystemExit(f"{file}: expected an N×{DIMENSIONS} array, got shape {vectors.shape}")
    if not bool(np.isfinite(vectors).all()):  # one NaN row skews every Annoy split of the segment
        raise SystemExit(f"{file}: the array holds NaN or infinite values")
    store = Store(data_dir)
    try:
        record = store.collections.get(account, region, collection_id) or store.collections.create(
            account, region, collection_id, time.time(), FACE_MODEL_VERSION, {}
        )
        assert record is not None
        count = store.faces.import_vectors(record.pk, np.asarray(vectors, dtype=np.float32), FACE_MODEL_VERSION)
        registry = IndexRegistry(data_dir / INDEX_DIR)
        try:
            registry.open(str(record.pk), store.vectors(record.pk)).rebuild_now()
        finally:
            registry.close()
    finally:
        store.close()
    return count, time.perf_counter() - start
