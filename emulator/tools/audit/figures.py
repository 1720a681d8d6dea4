"""Every figure of an evaluation, overall and per group, as plain data (the JSON report is this dict)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from emulator.engine.similarity import DEFAULT_THRESHOLD, max_distance, similarity
from emulator.tools.audit import bootstrap, pairs

THRESHOLDS = (80.0, 90.0, 95.0, 99.0)
FMR_TARGETS = (1e-3, 1e-4, 1e-5)
OVERALL = "overall"
MAX_KEPT = 20_000_000  # close impostor pairs kept for exact counts and the bootstrap (12 bytes each)


def _codes(values: list[str]) -> tuple[list[str], np.ndarray]:
    """Sorted distinct values and each value's index among them."""
    names = sorted(set(values))
    index = {name: i for i, name in enumerate(names)}
    return names, np.asarray([index[v] for v in values], dtype=np.int64)


def _target_distance(cum_imp: np.ndarray, total: int, target: float) -> float | None:
    """Largest histogram edge whose share of impostor pairs closer than it is <= target (None: too few pairs)."""
    if total * target < 1:
        return None
    ok = np.nonzero(cum_imp <= target * total)[0]
    return float((ok[-1] + 1) * pairs.BIN_WIDTH) if ok.size else 0.0


def thresholds(scan: pairs.Scan) -> list[dict[str, Any]]:
    """The fixed similarity thresholds and those where the overall FMR is 1e-3, 1e-4, 1e-5."""
    out: list[dict[str, Any]] = [{"name": f"{t:g}", "similarity": t, "distance": max_distance(t)} for t in THRESHOLDS]
    cum = np.cumsum(scan.impostor_hist[0])
    for target in FMR_TARGETS:
        dist = _target_distance(cum, int(cum[-1]), target)
        out.append({"name": f"FMR {target:.0e}", "similarity": None if dist is None else similarity(dist),
                    "distance": dist, "fmr_target": target})
    return out


def _curve(scan: pairs.Scan, pop: int) -> dict[str, list[float | None]]:
    """DET curve points (similarity, FMR, FNMR) from the population's histograms, every 0.005 in distance."""
    gen, imp = np.cumsum(scan.genuine_hist[pop]), np.cumsum(scan.impostor_hist[pop])
    step = 10
    idx = np.arange(step - 1, pairs.NBINS, step)
    with np.errstate(invalid="ignore", divide="ignore"):
        fmr = imp[idx] / imp[-1] if imp[-1] else np.full(idx.size, np.nan)
        fnmr = 1.0 - gen[idx] / gen[-1] if gen[-1] else np.full(idx.size, np.nan)
    sims: list[float | None] = [similarity((k + 1) * pairs.BIN_WIDTH) for k in idx]
    return {"similarity": sims, "fmr": _finite(fmr), "fnmr": _finite(fnmr)}


def _finite(values: np.ndarray) -> list[float | None]:
    """A JSON-safe list: NaN (undefined rate) as None."""
    return [None if math.isnan(v) else float(v) for v in values]


def sample(ident: np.ndarray, members: np.ndarray, gen: pairs.Pairs, imp: pairs.Pairs, edges: np.ndarray,
            hits: np.ndarray, queries: np.ndarray) -> bootstrap.Sample:
    """Per-identity counts of one population (photo indices `members`) at the edges."""
    names, local = np.unique(ident[members], return_inverse=True)
    photos = np.bincount(local, minlength=names.size)
    remap = np.full(int(ident.max()) + 1 if ident.size else 1, -1)
    remap[names] = np.arange(names.size)
    gen_at = np.zeros((names.size, edges.size))
    g_id = remap[ident[gen.i]]
    for k, e in enumerate(edges):
        gen_at[:, k] = np.bincount(g_id[gen.d <= e], minlength=names.size)
    a, b = remap[ident[imp.i]], remap[ident[imp.j]]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pair_key, pair_index = np.unique(lo * names.size + hi, return_inverse=True)
    pair_at = np.zeros((pair_key.size, edges.size))
    for k, e in enumerate(edges):
        pair_at[:, k] = np.bincount(pair_index[imp.d <= e], minlength=pair_key.size)
    return bootstrap.Sample(photos=photos, genuine_at=gen_at, pair_a=pair_key // names.size,
                            pair_b=pair_key % names.size, pair_at=pair_at,
                            hits=np.bincount(local, weights=hits[members], minlength=names.size),
                            queries=np.bincount(local, weights=queries[members], minlength=names.size))


def _within(p: pairs.Pairs, inside: np.ndarray) -> pairs.Pairs:
    """The pairs with both photos inside the population."""
    keep = inside[p.i] & inside[p.j]
    return pairs.Pairs(p.i[keep], p.j[keep], p.d[keep])


def _rate(count: float, total: float) -> float | None:
    """count / total, None when there is nothing to divide by."""
    return count / total if total else None


def _population(scan: pairs.Scan, pop: int, inside: np.ndarray, ident: np.ndarray, gen_all: pairs.Pairs,
                imp_all: pairs.Pairs, edges: np.ndarray, limit: float, hits: np.ndarray, queries: np.ndarray,
                draws: int) -> dict[str, Any]:
    """Counts, rates and intervals of one population."""
    gen, imp = _within(gen_all, inside), _within(imp_all, inside)
    gen_total, imp_total = int(scan.genuine_hist[pop].sum()), int(scan.impostor_hist[pop].sum())
    cum_imp = np.cumsum(scan.impostor_hist[pop])
    fmr: list[float | None] = []
    fnmr: list[float | None] = []
    for e in edges:
        if math.isnan(e):
            fmr.append(None)
            fnmr.append(None)
            continue
        close = int((imp.d <= e).sum()) if e <= limit else int(cum_imp[min(int(e / pairs.BIN_WIDTH), pairs.NBINS - 1)])
        fmr.append(_rate(close, imp_total))
        matched = int((gen.d <= e).sum())
        fnmr.append(None if not gen_total else 1.0 - matched / gen_total)
    finite = np.where(np.isnan(edges), -1.0, edges)
    ci = bootstrap.intervals(sample(ident, np.nonzero(inside)[0], gen, imp, finite, hits, queries), draws)
    usable = [not math.isnan(e) and e <= limit for e in edges]
    n_queries = int(queries[inside].sum())
    d80 = max_distance(DEFAULT_THRESHOLD)
    right = int((gen.d <= d80).sum()) + imp_total - int((imp.d <= d80).sum())
    return {
        "photos": int(inside.sum()), "identities": int(np.unique(ident[inside]).size),
        "genuine_pairs": gen_total, "impostor_pairs": imp_total, "fmr": fmr, "fnmr": fnmr,
        "fmr_ci": [_pair(ci.fmr[k]) if usable[k] and imp_total else None for k in range(edges.size)],
        "fnmr_ci": [_pair(ci.fnmr[k]) if usable[k] and gen_total else None for k in range(edges.size)],
        "verification_accuracy_80": _rate(right, gen_total + imp_total),
        "rank1": _rate(float(hits[inside].sum()), n_queries), "rank1_queries": n_queries,
        "rank1_ci": _pair(np.asarray(ci.rank1)) if n_queries else None,
        "curve": _curve(scan, pop),
    }


def _pair(bounds: np.ndarray) -> list[float] | None:
    """[low, high] or None when undefined."""
    return None if np.isnan(bounds).any() else [float(bounds[0]), float(bounds[1])]


def _ratios(pops: dict[str, dict[str, Any]], groups: list[str], key: str) -> None:
    """Each group's rate divided by the lowest (best) group's rate, per threshold (None if the best is 0)."""
    for k in range(len(pops[OVERALL][key])):
        rates = [pops[g][key][k] for g in groups if pops[g][key][k] is not None]
        best = min(rates) if rates else None
        for g in groups:
            value = pops[g][key][k]
            ratio = None if value is None or not best else value / best
            pops[g].setdefault(f"{key}_ratio_to_best", []).append(ratio)


def measure(identities: list[str], vectors: np.ndarray, group_of: dict[str, str] | None,
            draws: int = bootstrap.DRAWS) -> dict[str, Any]:
    """Thresholds and per-population figures (overall first, then each group) of labelled descriptors."""
    _, ident = _codes(identities)
    group_names = sorted({group_of[i] for i in identities if i in group_of}) if group_of else []
    gindex = {g: k for k, g in enumerate(group_names)}
    group = np.asarray([gindex.get((group_of or {}).get(i, ""), -1) if group_of else -1
                        for i in identities], dtype=np.int64)
    scan = pairs.scan(vectors, ident, group, len(group_names))
    marks = thresholds(scan)
    edges = np.asarray([np.nan if m["distance"] is None else m["distance"] for m in marks])
    cum = np.cumsum(scan.impostor_hist[0])
    room = np.nonzero(cum <= MAX_KEPT)[0]
    cap = float((room[-1] + 1) * pairs.BIN_WIDTH) if room.size else 0.0
    limit = min(float(np.nanmax(edges)), cap)
    imp = pairs.close_impostors(vectors, ident, limit)
    counts = np.bincount(ident, minlength=int(ident.max()) + 1 if ident.size else 0)
    queries = (counts[ident] >= 2).astype(np.float64) if ident.size else np.zeros(0)
    hits = (ident[scan.nearest] == ident).astype(np.float64) * queries if ident.size else np.zeros(0)
    pops: dict[str, dict[str, Any]] = {}
    for pop, name in enumerate([OVERALL, *group_names]):
        inside = np.ones(ident.size, bool) if pop == 0 else group == pop - 1
        pops[name] = _population(scan, pop, inside, ident, scan.genuine, imp, edges, limit, hits, queries, draws)
    for key in ("fmr", "fnmr"):
        _ratios(pops, group_names, key)
    return {"thresholds": marks, "populations": pops, "groups": group_names, "bootstrap_draws": draws,
            "kept_impostor_limit": limit}


def strangers(figures: dict[str, Any], gallery: int) -> dict[str, list[list[float] | float | None]]:
    """Expected strangers above each threshold in a gallery of `gallery` faces: gallery x FMR(population, t)."""
    out: dict[str, list[Any]] = {}
    for name, pop in figures["populations"].items():
        out[name] = [None if f is None else gallery * f for f in pop["fmr"]]
        out[name + " ci"] = [None if c is None else [gallery * c[0], gallery * c[1]] for c in pop["fmr_ci"]]
    return out
