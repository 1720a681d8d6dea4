"""Blockwise pair statistics: exact against brute force, and bounded memory at 13,000 descriptors."""

from __future__ import annotations

import tracemalloc

import numpy as np

from emulator.engine.similarity import max_distance
from emulator.tools.audit import figures, pairs


def synthetic(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """n descriptors of identities with 1-6 photos each; every 50th identity has a look-alike (close centre)."""
    rng = np.random.default_rng(seed)
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(min(int(rng.integers(1, 7)), n - sum(sizes)))
    centres = rng.normal(scale=0.75 / np.sqrt(128), size=(len(sizes), 128))
    twins = centres[1::50]
    centres[1::50] = centres[0::50][: len(twins)] + rng.normal(scale=0.35 / np.sqrt(128), size=twins.shape)
    ids = np.repeat(np.arange(len(sizes)), sizes)
    vectors = centres[ids] + rng.normal(scale=0.22 / np.sqrt(128), size=(n, 128))
    return [f"p{i}" for i in ids], vectors.astype(np.float32)


def dense(vectors: np.ndarray) -> np.ndarray:
    """All distances, in float64, one row at a time (the N x N x 128 difference array would not fit)."""
    v = vectors.astype(np.float64)
    return np.stack([np.sqrt(((v - row) ** 2).sum(axis=1)) for row in v])


def brute_force(labels: list[str], vectors: np.ndarray, inside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Genuine and impostor distances (float64, dense) of the photos inside the population."""
    lab = np.asarray(labels, dtype=object)[inside]
    d = dense(vectors[inside])
    upper = np.triu(np.ones(d.shape, bool), k=1)
    same = lab[:, None] == lab[None, :]
    return d[upper & same], d[upper & ~same]


def test_blockwise_figures_equal_brute_force_on_uneven_chunks() -> None:
    labels, vectors = synthetic(1500, seed=1)
    group_of = {name: ("a" if int(name[1:]) % 3 else "b") for name in set(labels)}
    edges = [max_distance(t) for t in figures.THRESHOLDS]
    saved = pairs.CHUNK
    try:
        pairs.CHUNK = 400  # 1500 rows: 4 chunks, the last one short, so diagonal and ragged blocks are exercised
        result = figures.measure(labels, vectors, group_of, draws=0)
    finally:
        pairs.CHUNK = saved
    for name in ("overall", "a", "b"):
        inside = np.asarray([name == "overall" or group_of[lab] == name for lab in labels])
        genuine, impostor = brute_force(labels, vectors, inside)
        pop = result["populations"][name]
        assert (pop["genuine_pairs"], pop["impostor_pairs"]) == (genuine.size, impostor.size)
        for k, e in enumerate(edges):
            assert abs(pop["fmr"][k] * impostor.size - (impostor <= e).sum()) <= 1  # float32 vs float64 at the edge
            assert abs((1 - pop["fnmr"][k]) * genuine.size - (genuine <= e).sum()) <= 1
        if name == "overall":
            assert (impostor <= edges[0]).sum() > 0  # the look-alikes make false matches at 80 to count
    scan_labels = np.unique(labels, return_inverse=True)[1]
    scan = pairs.scan(vectors, scan_labels, np.full(len(labels), -1), 0, chunk=400)
    d = dense(vectors)
    np.fill_diagonal(d, np.inf)
    assert (scan.nearest == d.argmin(axis=1)).mean() > 0.999


def test_13000_descriptors_in_bounded_memory() -> None:
    """84 million pairs: counts add up, planted identities are found, and peak memory stays tens of MB."""
    n = 13_000
    labels, vectors = synthetic(n)
    group_of = {name: ("a" if int(name[1:]) % 2 else "b") for name in set(labels)}
    tracemalloc.start()
    try:
        result = figures.measure(labels, vectors, group_of, draws=100)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 300 * 2**20, peak  # an N x N float32 distance matrix alone would be 645 MiB
    sizes = np.unique(labels, return_counts=True)[1]
    genuine = int((sizes * (sizes - 1) // 2).sum())
    overall = result["populations"]["overall"]
    assert (overall["genuine_pairs"], overall["impostor_pairs"]) == (genuine, n * (n - 1) // 2 - genuine)
    a, b = result["populations"]["a"], result["populations"]["b"]
    assert a["photos"] + b["photos"] == n
    assert a["impostor_pairs"] + b["impostor_pairs"] < overall["impostor_pairs"]  # cross-group pairs: overall only
    assert overall["rank1"] == 1.0 and overall["rank1_queries"] == int(sizes[sizes >= 2].sum())
    assert 0 < overall["fmr"][0] < 1e-4  # only look-alike pairs fall within 0.6
    target = result["thresholds"][4]
    assert target["fmr_target"] == 1e-3 and overall["fmr"][4] <= 1e-3 < overall["fmr"][4] + 1e-4
    low, high = overall["fmr_ci"][0]
    assert low <= overall["fmr"][0] <= high
