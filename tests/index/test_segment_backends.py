"""Every SegmentBackend through the Protocol alone: build, save, load, count, membership, nearest with distances."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from emulator.index import AnnoyBackend, ExactBackend, IndexParams, SealedSegment, SegmentBackend
from emulator.index.manifest import labels_path, write_manifest
from emulator.index.segment_backend import BuildCancelled
from emulator.index.synthetic import face_dataset

SPACE, POOL, IDENTITY = face_dataset(1500, seed=11)
LABELS = np.arange(5, 5 + 3 * len(POOL), 3, dtype=np.int64)  # ascending, with holes
PARAMS = IndexParams(n_trees=10, dims=16, search_k=100_000)  # search_k above the size: Annoy inspects everything
BACKENDS = pytest.mark.parametrize("segment_backend", [AnnoyBackend(), ExactBackend()], ids=["annoy", "exact"])


def _nearest(query: np.ndarray, n: int, max_distance: float = np.inf) -> list[int]:
    """Labels of the exact nearest rows, by brute force."""
    d = np.linalg.norm(POOL - query, axis=1)
    order = np.argsort(d, kind="stable")[:n]
    return [int(LABELS[i]) for i in order if d[i] <= max_distance]


def _answers(segment: SealedSegment) -> None:
    """The segment answers like brute force over the rows it was built from."""
    assert len(segment) == len(POOL) and segment.max_label == int(LABELS[-1])
    asked = np.array([LABELS[0], LABELS[-1], 6, LABELS[-1] + 1])
    assert segment.contains(asked).tolist() == [True, True, False, False]
    for query in SPACE.photos(IDENTITY[:25], np.random.default_rng(3)):
        labels, distances = segment.search(query, 5, PARAMS.search_k)
        assert labels.tolist() == _nearest(query, 5)
        assert np.allclose(distances, np.linalg.norm(POOL[np.searchsorted(LABELS, labels)] - query, axis=1), atol=1e-5)
        assert list(distances) == sorted(distances)
        labels, distances = segment.scan(query, 10, 0.6)
        assert labels.tolist() == _nearest(query, 10, 0.6) and bool(np.all(distances <= 0.6))


@BACKENDS
def test_built_in_memory(segment_backend: SegmentBackend) -> None:
    segment, manifest = segment_backend.build(LABELS, POOL, PARAMS, 3, None, n_jobs=1)
    assert segment.generation == 3 and manifest.count == len(POOL) and manifest.backend == segment_backend.name
    _answers(segment)


@BACKENDS
def test_saved_and_loaded_back(tmp_path: Path, segment_backend: SegmentBackend) -> None:
    built, manifest = segment_backend.build(LABELS, POOL, PARAMS, 7, tmp_path, n_jobs=1)
    _answers(built)
    write_manifest(tmp_path, manifest)
    loaded = segment_backend.load(tmp_path, manifest)
    assert loaded is not None and loaded.generation == 7 and loaded.labels.tolist() == LABELS.tolist()
    _answers(loaded)


@BACKENDS
def test_inconsistent_files_do_not_load(tmp_path: Path, segment_backend: SegmentBackend) -> None:
    _, manifest = segment_backend.build(LABELS, POOL, PARAMS, 1, tmp_path, n_jobs=1)
    path = labels_path(tmp_path, 1)
    path.write_bytes(path.read_bytes()[:-16])
    assert segment_backend.load(tmp_path, manifest) is None


@BACKENDS
def test_a_cancelled_build_raises(tmp_path: Path, segment_backend: SegmentBackend) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(BuildCancelled):
        segment_backend.build(LABELS, POOL, PARAMS, 1, tmp_path, n_jobs=1, cancel=cancel)
