"""The identity bootstrap's closed form equals recounting the pairs of an explicitly resampled set."""

from __future__ import annotations

import numpy as np

from emulator.tools.audit import bootstrap, figures, pairs


def test_a_draw_equals_recounting_the_resampled_identities() -> None:
    rng = np.random.default_rng(5)
    sizes = [1, 2, 3, 4, 2, 1, 3, 5]
    ident = np.repeat(np.arange(len(sizes)), sizes)
    centres = rng.normal(scale=0.045, size=(len(sizes), 128))  # identities close enough for false matches
    vectors = (centres[ident] + rng.normal(scale=0.02, size=(ident.size, 128))).astype(np.float32)
    edges = np.asarray([0.4, 0.6, 0.7, 0.8])
    scan = pairs.scan(vectors, ident, np.full(ident.size, -1), 0, chunk=7)
    close = pairs.close_impostors(vectors, ident, float(edges.max()), chunk=7)
    hits = (ident[scan.nearest] == ident).astype(float)
    queries = (np.bincount(ident)[ident] >= 2).astype(float)
    sample = figures.sample(ident, np.arange(ident.size), scan.genuine, close, edges, hits * queries, queries)
    weights = np.asarray([2, 0, 1, 3, 0, 1, 1, 0], dtype=float)
    fmr, fnmr, rank1 = bootstrap.draw_rates(sample, weights[None, :])

    copies = [(i, k) for i in range(len(sizes)) for k in range(int(weights[i]))]
    gen: list[float] = []
    imp: list[float] = []
    for x, (i, k) in enumerate(copies):
        for j, m in copies[x:]:
            for p in np.nonzero(ident == i)[0]:
                for q in np.nonzero(ident == j)[0]:
                    d = float(np.linalg.norm(vectors[p].astype(float) - vectors[q]))
                    if (i, k) == (j, m) and p < q:
                        gen.append(d)  # within one copy of an identity
                    elif i != j:
                        imp.append(d)  # between copies of different identities
    g, m_ = np.asarray(gen), np.asarray(imp)
    assert np.allclose(fmr[0], [(m_ <= e).mean() for e in edges], atol=1e-6)
    assert np.allclose(fnmr[0], [(g > e).mean() for e in edges], atol=1e-6)
    assert 0 < fmr[0][-1] < 1  # some impostors fall under the edges, so the check is not vacuous
    expected = sum(weights[i] * hits[p] * queries[p] for p, i in enumerate(ident)) / \
        sum(weights[i] * queries[p] for p, i in enumerate(ident))
    assert abs(rank1[0] - expected) < 1e-12


def test_intervals_cover_the_point_estimate_and_narrow_with_more_identities() -> None:
    rng = np.random.default_rng(3)
    widths = []
    for count in (20, 400):
        ident = np.repeat(np.arange(count), 2)
        centres = rng.normal(scale=0.033, size=(count, 128))
        vectors = (centres[ident] + rng.normal(scale=0.02, size=(ident.size, 128))).astype(np.float32)
        result = figures.measure([f"i{i}" for i in ident], vectors, None, draws=300)
        pop = result["populations"]["overall"]
        low, high = pop["fmr_ci"][0]
        assert low <= pop["fmr"][0] <= high and pop["fmr"][0] > 0
        widths.append(high - low)
    assert widths[1] < widths[0]
