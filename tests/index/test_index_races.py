"""Deletions that race a rebuild's read of the source, removals with repeated labels, non-finite imports."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from emulator.index import IndexParams, IndexRegistry
from emulator.index.memsource import ArraySource
from emulator.index.synthetic import face_dataset

SPACE, POOL, IDENTITY = face_dataset(1500, seed=5)
EXACT = IndexParams(exact_below=10**9, buffer_limit=10**9)
ANNOY = IndexParams(n_trees=5, search_k=100_000, buffer_limit=10**9, exact_below=0)


class PausedSource(ArraySource):
    """An ArraySource whose next vectors_after() returns only after ``go`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False
        self.read = threading.Event()
        self.go = threading.Event()

    def vectors_after(self, after: int) -> tuple[np.ndarray, np.ndarray]:
        """Read, then (once armed) signal ``read`` and wait for ``go``."""
        out = super().vectors_after(after)
        if self.armed:
            self.armed = False
            self.read.set()
            self.go.wait(30)
        return out


@pytest.mark.parametrize("params", [EXACT, ANNOY], ids=["exact", "annoy"])
def test_faces_removed_while_a_rebuild_reads_the_source_stay_removed(params: IndexParams) -> None:
    registry = IndexRegistry(None, params)
    source = PausedSource()
    index = registry.open("c", source)
    index.add(source.insert(POOL[:1000]), POOL[:1000])
    index.rebuild_now()
    index.add(source.insert(POOL[1000:1400]), POOL[1000:1400])
    source.armed = True
    rebuild = threading.Thread(target=index.rebuild_now)
    rebuild.start()
    assert source.read.wait(30)
    gone = np.arange(901, 1301)  # enough buffered rows to trigger a buffer compaction
    source.delete(gone)
    index.remove(gone.tolist())
    source.go.set()
    rebuild.join()
    assert len(index) == len(source.live()[0])
    for label in gone[::25]:
        assert all(found not in set(gone.tolist()) for found, _ in index.search(POOL[label - 1], 5, 0.6))
    registry.close()


def test_remove_with_repeated_labels_keeps_buffer_searchable() -> None:
    registry = IndexRegistry(None, ANNOY)
    source = ArraySource()
    index = registry.open("c", source)
    index.add(source.insert(POOL[:500]), POOL[:500])
    index.rebuild_now()
    labels = source.insert(POOL[500:510])
    index.add(labels, POOL[500:510])
    source.delete(np.array([1]))
    index.remove([1, 1, 1])
    assert [label for label, _ in index.search(POOL[505], 1, 0.6)] == [int(labels[5])]
    assert len(index) == 509
    registry.close()


def test_import_vectors_refuses_non_finite_rows(tmp_path: Path) -> None:
    from emulator.tools.import_vectors import import_vectors

    vectors = POOL[:20].copy()
    vectors[3, 7] = np.nan
    np.save(tmp_path / "v.npy", vectors)
    with pytest.raises(SystemExit, match="NaN"):
        import_vectors(tmp_path / "v.npy", tmp_path / "data", "c", "123456789012", "us-east-1")
    assert not (tmp_path / "data").exists()
