"""CollectionIndex and IndexRegistry: exact mode, Annoy mode, reuse on disk, crash recovery, concurrency."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from emulator.index import AnnoyBackend, ExactBackend, IndexParams, IndexRegistry, SegmentBackend
from emulator.index.manifest import MANIFEST, ann_path, labels_path, projection_path, read_manifest, vectors_path
from emulator.index.memsource import ArraySource
from emulator.index.synthetic import face_dataset

SPACE, POOL, IDENTITY = face_dataset(3000, seed=5)
# search_k above the collection size: segments are scanned exactly, so answers must equal the exact oracle.
ANNOY = IndexParams(n_trees=10, search_k=100_000, buffer_limit=200, exact_below=0)
EXACT = IndexParams(exact_below=10**9, buffer_limit=10**9)
# The tests that build sealed segments run through the SegmentBackend Protocol, once per backend.
BACKENDS = pytest.mark.parametrize("segment_backend", [AnnoyBackend(), ExactBackend()], ids=["annoy", "exact"])


def oracle(source: ArraySource, query: np.ndarray, k: int, max_distance: float = 0.6) -> list[int]:
    """Labels of the exact nearest live faces."""
    labels, vectors = source.live()
    d = np.linalg.norm(vectors - query, axis=1)
    order = np.argsort(d, kind="stable")[:k]
    return [int(labels[i]) for i in order if d[i] <= max_distance]


def queries(n: int = 40, seed: int = 1) -> np.ndarray:
    """New photos of identities in the pool."""
    return SPACE.photos(IDENTITY[:n], np.random.default_rng(seed))


def fill(registry: IndexRegistry, source: ArraySource, rows: int = 2000, delete_every: int = 9) -> None:
    """Index ``rows`` faces in batches and delete some."""
    index = registry.open("c", source)
    for chunk in np.array_split(np.arange(rows), 8):
        index.add(source.insert(POOL[chunk]), POOL[chunk])
    gone = np.arange(1, rows + 1, delete_every)
    source.delete(gone)
    index.remove(gone.tolist())


def check(registry: IndexRegistry, source: ArraySource, k: int = 5) -> None:
    """Every query returns exactly the oracle's answer."""
    index = registry.open("c", source)
    assert len(index) == len(source.live()[0])
    for q in queries():
        assert [label for label, _ in index.search(q, k, 0.6)] == oracle(source, q, k)


@BACKENDS
@pytest.mark.parametrize("params", [EXACT, ANNOY], ids=["no-segment", "segment"])
@pytest.mark.parametrize("on_disk", [True, False], ids=["disk", "memory"])
def test_matches_oracle_before_and_after_rebuild(
    tmp_path: Path, params: IndexParams, on_disk: bool, segment_backend: SegmentBackend
) -> None:
    registry = IndexRegistry(tmp_path if on_disk else None, params, segment_backend)
    source = ArraySource()
    fill(registry, source)
    check(registry, source)
    registry.open("c", source).rebuild_now()
    check(registry, source)
    registry.close()
    if not on_disk:
        assert list(tmp_path.iterdir()) == []


@BACKENDS
def test_reopen_reuses_segment_and_catches_up_from_source(tmp_path: Path, segment_backend: SegmentBackend) -> None:
    registry = IndexRegistry(tmp_path, ANNOY, segment_backend)
    source = ArraySource()
    fill(registry, source)
    registry.open("c", source).rebuild_now()
    generation = registry.open("c", source).generation
    registry.close()
    # while the index was closed: more faces and deletions reach the store only
    source.insert(POOL[2000:2500])
    source.delete(np.arange(3, 2400, 5))
    registry = IndexRegistry(tmp_path, ANNOY, segment_backend)
    index = registry.open("c", source)
    assert index.segment is not None and index.generation == generation
    check(registry, source)
    registry.close()


def test_a_segment_of_another_backend_is_rebuilt_not_loaded(tmp_path: Path) -> None:
    source, generation = _built(tmp_path)  # written by Annoy
    registry = IndexRegistry(tmp_path, ANNOY, ExactBackend())
    index = registry.open("c", source)
    assert index.segment is None  # everything buffered from the source, answers still exact
    check(registry, source)
    index.rebuild_now()
    manifest = read_manifest(tmp_path / "c")
    assert manifest is not None and manifest.backend == "exact" and manifest.generation > generation
    assert not ann_path(tmp_path / "c", manifest.generation).exists()
    registry.close()
    registry = IndexRegistry(tmp_path, ANNOY, ExactBackend())
    assert registry.open("c", source).segment is not None
    check(registry, source)
    registry.close()


@BACKENDS
def test_drop_removes_files(tmp_path: Path, segment_backend: SegmentBackend) -> None:
    registry = IndexRegistry(tmp_path, ANNOY, segment_backend)
    source = ArraySource()
    fill(registry, source)
    registry.open("c", source).rebuild_now()
    assert (tmp_path / "c" / MANIFEST).exists()
    registry.drop("c")
    assert not (tmp_path / "c").exists()
    registry.close()


def test_add_after_open_of_committed_rows_is_not_duplicated(tmp_path: Path) -> None:
    registry = IndexRegistry(tmp_path, EXACT)
    source = ArraySource()
    labels = source.insert(POOL[:10])  # committed; the index is opened before add() arrives
    index = registry.open("c", source)
    index.add(labels, POOL[:10])
    assert len(index) == 10
    index.remove([int(labels[0])])
    index.remove([999])  # removal arriving before its add
    index.add(np.array([999]), POOL[:1])
    assert len(index) == 9
    registry.close()


def test_rejects_unsafe_keys() -> None:
    registry = IndexRegistry(None)
    with pytest.raises(ValueError):
        registry.open("../x", ArraySource())
    registry.close()


def _built(tmp_path: Path, backend: SegmentBackend | None = None) -> tuple[ArraySource, int]:
    """A collection with a segment on disk (Annoy's unless told); returns its source and generation."""
    registry = IndexRegistry(tmp_path, ANNOY, backend)
    source = ArraySource()
    fill(registry, source)
    registry.open("c", source).rebuild_now()
    generation = registry.open("c", source).generation
    registry.close()
    return source, generation


def _crash_leftover_temp(root: Path, gen: int) -> None:
    (root / f"gen-{gen + 1:08d}.ann.tmp").write_bytes(b"\0" * 1000)
    (root / "manifest.json.tmp").write_text("{", encoding="utf-8")


def _crash_missing_generation(root: Path, gen: int) -> None:
    text = (root / MANIFEST).read_text(encoding="utf-8")
    (root / MANIFEST).write_text(
        text.replace(f'"generation": {gen}', f'"generation": {gen + 1}'), encoding="utf-8"
    )


def _crash_truncated_labels(root: Path, gen: int) -> None:
    path = labels_path(root, gen)
    path.write_bytes(path.read_bytes()[:-24])


def _crash_truncated_ann(root: Path, gen: int) -> None:
    path = ann_path(root, gen)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _crash_truncated_vectors(root: Path, gen: int) -> None:
    path = vectors_path(root, gen)
    path.write_bytes(path.read_bytes()[:-512])


def _crash_garbled_projection(root: Path, gen: int) -> None:
    path = projection_path(root, gen)
    data = bytearray(path.read_bytes())
    data[-64:] = b"\xff" * 64  # NaNs in the axes, same size
    path.write_bytes(bytes(data))


def _index_of_an_older_format(root: Path, gen: int) -> None:
    text = (root / MANIFEST).read_text(encoding="utf-8")
    (root / MANIFEST).write_text(text.replace('"format": 2', '"format": 1'), encoding="utf-8")


def _crash_corrupt_manifest(root: Path, gen: int) -> None:
    (root / MANIFEST).write_text("not json", encoding="utf-8")


@pytest.mark.parametrize(
    "crash",
    [
        _crash_leftover_temp,
        _crash_missing_generation,
        _crash_truncated_labels,
        _crash_truncated_ann,
        _crash_truncated_vectors,
        _crash_garbled_projection,
        _index_of_an_older_format,
        _crash_corrupt_manifest,
    ],
)
def test_open_recovers_after_crash(tmp_path: Path, crash: object) -> None:
    _recovers(tmp_path, crash, AnnoyBackend())


@pytest.mark.parametrize(
    "crash",
    [
        _crash_leftover_temp,
        _crash_missing_generation,
        _crash_truncated_labels,
        _crash_truncated_vectors,
        _index_of_an_older_format,
        _crash_corrupt_manifest,
    ],
)
def test_exact_backend_recovers_after_crash(tmp_path: Path, crash: object) -> None:
    _recovers(tmp_path, crash, ExactBackend())


def _recovers(tmp_path: Path, crash: object, backend: SegmentBackend) -> None:
    """After the crash, the index answers exactly, and its next rebuild leaves one clean generation."""
    source, generation = _built(tmp_path, backend)
    crash(tmp_path / "c", generation)  # type: ignore[operator]
    source.insert(POOL[2000:2100])
    registry = IndexRegistry(tmp_path, ANNOY, backend)
    check(registry, source)
    registry.open("c", source).rebuild_now()
    check(registry, source)
    names = {p.name for p in (tmp_path / "c").iterdir()}
    assert not any(name.endswith(".tmp") for name in names)
    manifest = read_manifest(tmp_path / "c")
    assert manifest is not None and manifest.backend == backend.name
    assert vectors_path(tmp_path / "c", manifest.generation).name in names
    if isinstance(backend, AnnoyBackend):
        assert ann_path(tmp_path / "c", manifest.generation).name in names
    files_of_the_generation = (ann_path, labels_path, vectors_path, projection_path)
    kept = {path(tmp_path / "c", manifest.generation).name for path in files_of_the_generation}
    assert {name for name in names if name.startswith("gen-")} <= kept
    registry.close()


@BACKENDS
def test_searches_during_background_rebuilds_are_correct(tmp_path: Path, segment_backend: SegmentBackend) -> None:
    params = IndexParams(n_trees=10, search_k=100_000, buffer_limit=150, exact_below=0, build_jobs=1)
    registry = IndexRegistry(tmp_path, params, segment_backend)
    source = ArraySource()
    index = registry.open("c", source)
    index.add(source.insert(POOL[:1000]), POOL[:1000])
    index.rebuild_now()
    qs = queries(30)
    # rows that are never deleted, so every answer is stable whatever the writer is doing
    stable_truth = {i: oracle(source, q, 1) for i, q in enumerate(qs)}
    errors: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            for i, q in enumerate(qs):
                got = [label for label, _ in index.search(q, 1, 0.6)]
                if got != stable_truth[i]:
                    errors.append(f"query {i}: {got} != {stable_truth[i]}")

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for t in readers:
        t.start()
    far = SPACE.strangers(1500, np.random.default_rng(8)) + 0.5  # far from every query: never a top-1
    for chunk in np.array_split(np.arange(1500), 30):
        labels = source.insert(far[chunk])
        index.add(labels, far[chunk])
        source.delete(labels[::3])
        index.remove(labels[::3].tolist())
    index.rebuild_now()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert index.generation > 2
    check(registry, source)
    registry.close()


def test_approximate_search_reranks_annoy_candidates_exactly(tmp_path: Path) -> None:
    """search_k below the size: Annoy (on principal components) proposes, full vectors decide."""
    params = IndexParams(
        n_trees=10, dims=16, search_k=300, per_result=10, scan_ratio=0.0, buffer_limit=10**9, exact_below=0
    )
    registry = IndexRegistry(tmp_path, params)
    source = ArraySource()
    fill(registry, source, rows=3000)
    index = registry.open("c", source)
    index.rebuild_now()
    assert index.segment is not None and index.segment.projection.dims == 16
    labels, vectors = source.live()
    by_label = dict(zip(labels.tolist(), vectors, strict=True))
    hits = 0
    for q in queries(200):
        got = index.search(q, 5, 0.6)
        distances = [d for _, d in got]
        assert distances == sorted(distances) and all(d <= 0.6 for d in distances)
        for label, d in got:
            assert abs(float(np.linalg.norm(by_label[label] - q)) - d) < 1e-5
        expected = oracle(source, q, 1)
        hits += bool(expected) and bool(got) and got[0][0] == expected[0]
    assert hits >= 0.95 * sum(bool(oracle(source, q, 1)) for q in queries(200))
    registry.close()
