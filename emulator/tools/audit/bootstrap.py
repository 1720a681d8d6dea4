"""95 % confidence intervals by resampling identities (never pairs), cheap at any number of pairs.

A draw gives each identity a weight w (how often it was drawn).  Then, exactly:
- genuine pairs = sum_i w_i n_i (n_i - 1) / 2, and those at distance <= e: sum_i w_i G_i(e);
- impostor pairs = ((sum_i w_i n_i)^2 - sum_i w_i^2 n_i^2) / 2 (pairs between distinct identities), and
  those at distance <= e: sum over identity pairs (a, b) with close impostors of w_a w_b C_ab(e);
- rank-1: sum_i w_i hits_i / sum_i w_i queries_i.
So a draw costs O(identities + identity pairs with a close impostor), not O(pairs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DRAWS = 1000
SEED = 19
_BATCH = 50


@dataclass(frozen=True)
class Sample:
    """One population's per-identity counts at the edges (distances, ascending) the intervals are wanted at."""

    photos: np.ndarray  # (I,) photos per identity
    genuine_at: np.ndarray  # (I, E) genuine pairs of identity i at distance <= edge e
    pair_a: np.ndarray  # (U,) identity pairs (a, b) with impostor pairs at distance <= the largest edge
    pair_b: np.ndarray
    pair_at: np.ndarray  # (U, E) their impostor pairs at distance <= edge e
    hits: np.ndarray  # (I,) rank-1 hits
    queries: np.ndarray  # (I,) rank-1 queries


@dataclass(frozen=True)
class Intervals:
    """(low, high) 95 % bounds per edge for FMR and FNMR (NaN where undefined), and for rank-1."""

    fmr: np.ndarray  # (E, 2)
    fnmr: np.ndarray  # (E, 2)
    rank1: tuple[float, float]
    draws: int


def _bounds(values: np.ndarray) -> np.ndarray:
    """2.5 and 97.5 percentiles along axis 0, ignoring NaN (NaN when all are)."""
    out = np.full((values.shape[1], 2), np.nan) if values.ndim == 2 else np.full((1, 2), np.nan)
    cols = values if values.ndim == 2 else values[:, None]
    for k in range(cols.shape[1]):
        finite = cols[:, k][np.isfinite(cols[:, k])]
        if finite.size:
            out[k] = np.percentile(finite, [2.5, 97.5])
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with NaN where den is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def draw_rates(sample: Sample, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FMR (D, E), FNMR (D, E) and rank-1 (D,) of D draws given as identity weights w (D, I); NaN if undefined."""
    n = sample.photos.astype(np.float64)
    gen_total = w @ (n * (n - 1) / 2)
    imp_total = ((w @ n) ** 2 - (w**2) @ (n**2)) / 2
    gen_close = w @ sample.genuine_at
    imp_close = (w[:, sample.pair_a] * w[:, sample.pair_b]) @ sample.pair_at
    return (_ratio(imp_close, imp_total[:, None]), 1.0 - _ratio(gen_close, gen_total[:, None]),
            _ratio(w @ sample.hits, w @ sample.queries))


def intervals(sample: Sample, draws: int = DRAWS, seed: int = SEED) -> Intervals:
    """Bootstrap FMR/FNMR at each edge and rank-1 over `draws` resamplings of the identities."""
    ids = len(sample.photos)
    edges = sample.genuine_at.shape[1]
    if ids == 0 or draws <= 0:
        nan = np.full((edges, 2), np.nan)
        return Intervals(nan, nan.copy(), (float("nan"), float("nan")), 0)
    rng = np.random.default_rng(seed)
    fmr, fnmr, rank1 = [], [], []
    for start in range(0, draws, _BATCH):
        w = rng.multinomial(ids, np.full(ids, 1.0 / ids), size=min(_BATCH, draws - start)).astype(np.float64)
        f, n, r = draw_rates(sample, w)
        fmr.append(f)
        fnmr.append(n)
        rank1.append(r)
    low_high = _bounds(np.concatenate(rank1))[0]
    return Intervals(_bounds(np.concatenate(fmr)), _bounds(np.concatenate(fnmr)),
                     (float(low_high[0]), float(low_high[1])), draws)
