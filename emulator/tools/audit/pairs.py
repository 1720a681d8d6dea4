"""Statistics of every pair of N descriptors in bounded memory: chunk by chunk float32 matrix products.

Never an N x N array: the photos are cut into chunks of CHUNK rows and each pair of chunks gives a
CHUNK x CHUNK distance block, which is folded into distance histograms (overall and per group), the
list of genuine pairs, each photo's nearest other photo, and (second pass) the impostor pairs closer
than a given distance.  Memory: a few blocks plus what is kept (genuine pairs, close impostors).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

BIN_WIDTH = 0.0005
MAX_DISTANCE = 2.0
NBINS = int(round(MAX_DISTANCE / BIN_WIDTH)) + 1  # bin k: k*w <= d < (k+1)*w; the last one holds d >= 2
CHUNK = 1024


@dataclass(frozen=True)
class Pairs:
    """Pairs of photo indices (i < j) and their distances."""

    i: np.ndarray
    j: np.ndarray
    d: np.ndarray

    @staticmethod
    def join(parts: list[Pairs]) -> Pairs:
        """One Pairs from several."""
        if not parts:
            return Pairs(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float32))
        return Pairs(np.concatenate([p.i for p in parts]), np.concatenate([p.j for p in parts]),
                     np.concatenate([p.d for p in parts]))


@dataclass(frozen=True)
class Scan:
    """First pass: histograms per population (0 = overall, g + 1 = group g), genuine pairs, nearest photo."""

    genuine_hist: np.ndarray  # (populations, NBINS) int64
    impostor_hist: np.ndarray  # (populations, NBINS) int64
    genuine: Pairs
    nearest: np.ndarray  # (N,) index of each photo's nearest other photo (-1 when alone)


def _blocks(n: int, chunk: int) -> Iterator[tuple[int, int, int, int]]:
    """(r0, r1, c0, c1) for every pair of chunks with c0 >= r0."""
    starts = range(0, n, chunk)
    for r0 in starts:
        for c0 in starts:
            if c0 >= r0:
                yield r0, min(r0 + chunk, n), c0, min(c0 + chunk, n)


def _prepared(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centred float32 descriptors (distances unchanged, less cancellation) and their squared norms."""
    v = np.asarray(vectors, dtype=np.float64)
    x = (v - v.mean(axis=0)) if len(v) else v
    x32 = np.ascontiguousarray(x, dtype=np.float32)
    return x32, (x32 * x32).sum(axis=1)


def _distances(x: np.ndarray, sq: np.ndarray, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
    """The (r1-r0, c1-c0) float32 distance block."""
    d: np.ndarray = x[r0:r1] @ x[c0:c1].T
    d *= -2.0
    d += sq[r0:r1, None]
    d += sq[None, c0:c1]
    np.maximum(d, 0.0, out=d)
    np.sqrt(d, out=d)
    return d


def _upper(r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
    """Mask of the block's pairs with row index < column index."""
    return np.arange(r0, r1)[:, None] < np.arange(c0, c1)[None, :]


def scan(vectors: np.ndarray, identity: np.ndarray, group: np.ndarray, groups: int, chunk: int = CHUNK) -> Scan:
    """Histograms of genuine/impostor distances overall and within each group, genuine pairs, nearest photos.

    identity: (N,) int codes; group: (N,) int codes in [0, groups) or -1 for photos in no group.
    """
    n = len(identity)
    x, sq = _prepared(vectors)
    pops = groups + 1
    counts = np.zeros(pops * 2 * NBINS, np.int64)  # [population within which the pair lies (0: none), same, bin]
    kept: list[Pairs] = []
    best = np.full(n, np.inf, np.float32)
    nearest = np.full(n, -1, np.int64)
    for r0, r1, c0, c1 in _blocks(n, chunk):
        d = _distances(x, sq, r0, r1, c0, c1)
        same = identity[r0:r1, None] == identity[None, c0:c1]
        key = np.minimum((d * (1.0 / BIN_WIDTH)).astype(np.int64), NBINS - 1)
        key += same * NBINS
        if groups:
            gr, gc = group[r0:r1, None], group[None, c0:c1]
            key += np.where((gr == gc) & (gr >= 0), gr + 1, 0) * (2 * NBINS)
        if r0 == c0:
            valid = _upper(r0, r1, c0, c1)
            counts += np.bincount(key[valid], minlength=counts.size)
            rows, cols = np.nonzero(same & valid)
        else:
            counts += np.bincount(key.ravel(), minlength=counts.size)
            rows, cols = np.nonzero(same)
        kept.append(Pairs((rows + r0).astype(np.int32), (cols + c0).astype(np.int32), d[rows, cols]))
        if r0 == c0:
            np.fill_diagonal(d, np.inf)
        at = d.argmin(axis=1)
        _closer(best, nearest, r0, d[np.arange(d.shape[0]), at], at + c0)
        if r0 != c0:
            at = d.argmin(axis=0)
            _closer(best, nearest, c0, d[at, np.arange(d.shape[1])], at + r0)
    hist = counts.reshape(pops, 2, NBINS)
    within = np.concatenate([hist.sum(axis=0, keepdims=True), hist[1:]])  # overall, then each group
    return Scan(within[:, 1].copy(), within[:, 0].copy(), Pairs.join(kept), nearest)


def _closer(best: np.ndarray, nearest: np.ndarray, start: int, dist: np.ndarray, index: np.ndarray) -> None:
    """Update the nearest photo of rows start.. where this block holds a closer one."""
    span = slice(start, start + len(dist))
    better = dist < best[span]
    best[span] = np.where(better, dist, best[span])
    nearest[span] = np.where(better, index, nearest[span])


def close_impostors(vectors: np.ndarray, identity: np.ndarray, limit: float, chunk: int = CHUNK) -> Pairs:
    """Second pass: the impostor pairs at distance <= limit (the caller bounds how many there are)."""
    n = len(identity)
    x, sq = _prepared(vectors)
    kept: list[Pairs] = []
    for r0, r1, c0, c1 in _blocks(n, chunk):
        d = _distances(x, sq, r0, r1, c0, c1)
        mask = _upper(r0, r1, c0, c1) & (d <= limit) & (identity[r0:r1, None] != identity[None, c0:c1])
        rows, cols = np.nonzero(mask)
        kept.append(Pairs((rows + r0).astype(np.int32), (cols + c0).astype(np.int32), d[rows, cols]))
    return Pairs.join(kept)
