"""Stateful test: the index against a brute-force oracle through adds, deletes, rebuilds and restarts."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from emulator.index import IndexParams, IndexRegistry
from emulator.index.memsource import ArraySource
from emulator.index.synthetic import face_dataset

SPACE, POOL, IDENTITY = face_dataset(600, seed=11, faces_per_identity=6.0)
TOL = 1e-4


def oracle(source: ArraySource, query: np.ndarray, k: int, max_distance: float) -> list[tuple[int, float]]:
    """Exact search over the source's live faces."""
    labels, vectors = source.live()
    d = np.linalg.norm(vectors.astype(np.float64) - query, axis=1)
    order = np.argsort(d, kind="stable")
    return [(int(labels[i]), float(d[i])) for i in order[:k] if d[i] <= max_distance]


class IndexMachine(RuleBasedStateMachine):
    """Small params (exact_below 0, tiny buffer) so Annoy segments, buffer and tombstones all take part."""

    @initialize(in_memory=st.booleans(), background=st.booleans(), exhaustive=st.booleans())
    def setup(self, in_memory: bool, background: bool, exhaustive: bool) -> None:
        self.tmp = None if in_memory else Path(tempfile.mkdtemp(prefix="index-sm-"))
        limit = 8 if background else 10**9
        # exhaustive: segments are scanned exactly (search_k is above any size here); else Annoy's trees (on 8
        # principal components) pick the candidates that are re-ranked
        self.exhaustive = exhaustive
        self.params = IndexParams(
            n_trees=8, dims=8, search_k=5000 if exhaustive else 10, per_result=1, scan_ratio=1.0 if exhaustive else 0.0,
            buffer_limit=limit, exact_below=0, tombstone_fraction=0.2,
        )
        self.source = ArraySource()
        self.registry = IndexRegistry(self.tmp, self.params)
        self.index = self.registry.open("c1", self.source)
        self.next_row = 0
        self.deleted: set[int] = set()

    @rule(count=st.integers(1, 40))
    def add(self, count: int) -> None:
        rows = np.arange(self.next_row, self.next_row + count) % len(POOL)
        self.next_row += count
        labels = self.source.insert(POOL[rows])
        self.index.add(labels, POOL[rows])

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        labels, _ = self.source.live()
        if len(labels) == 0:
            return
        chosen = data.draw(st.lists(st.sampled_from(labels.tolist()), min_size=1, max_size=10, unique=True))
        self.source.delete(np.array(chosen, dtype=np.int64))
        self.index.remove(chosen)
        self.deleted.update(chosen)

    @rule()
    def rebuild(self) -> None:
        self.index.rebuild_now()

    @precondition(lambda self: self.tmp is not None)
    @rule()
    def restart(self) -> None:
        self.registry.close()
        self.registry = IndexRegistry(self.tmp, self.params)
        self.index = self.registry.open("c1", self.source)

    @rule(
        identity=st.integers(0, int(IDENTITY.max())), k=st.sampled_from([1, 5, 50]), seed=st.integers(0, 99)
    )
    def search(self, identity: int, k: int, seed: int) -> None:
        query = SPACE.photos(np.array([identity]), np.random.default_rng(seed))[0]
        got = self.index.search(query, k, 0.6)
        expected = oracle(self.source, query, k, 0.6)
        got_labels = [label for label, _ in got]
        assert not set(got_labels) & self.deleted, "a deleted face came back"
        assert len(set(got_labels)) == len(got_labels), "duplicate results"
        assert [d for _, d in got] == sorted(d for _, d in got)
        exact = dict(oracle(self.source, query, 10**6, 0.61))
        for label, dist in got:
            assert abs(exact[label] - dist) < TOL, "wrong distance"
        snap = self.index._snapshot
        buffered = set(snap.buffer.labels.tolist())
        cutoff = expected[-1][1] if len(expected) == k else 0.6
        must = {lab for lab, d in expected if lab in buffered and d < cutoff - TOL}
        assert must <= set(got_labels), "a buffered face was missed"
        if expected and self.exhaustive:
            assert abs(got[0][1] - expected[0][1]) < TOL, "the nearest face was missed"

    @invariant()
    def length(self) -> None:
        if hasattr(self, "index"):
            assert len(self.index) == len(self.source.live()[0])

    def teardown(self) -> None:
        if hasattr(self, "registry"):
            self.registry.close()
        if getattr(self, "tmp", None) is not None:
            shutil.rmtree(str(self.tmp), ignore_errors=True)


IndexMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
)
TestIndexMachine = IndexMachine.TestCase
