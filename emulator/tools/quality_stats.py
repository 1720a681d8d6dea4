"""Pair distances and rates for the quality measurement: genuine and impostor pairs of degraded probes.

A probe is one degraded (or original) photo whose largest face was found at the expected place (box IoU
>= 0.3 with the undegraded box).  Its genuine pairs are the undegraded photos of the same person, its
impostor pairs the undegraded photos of everyone else in the same split; a pair matches when the
descriptor distance is below 0.6 (Similarity 80).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from emulator.engine.similarity import max_distance

MATCH = max_distance(80.0)
MIN_IOU = 0.3
Floats = npt.NDArray[np.float64]
Columns = dict[str, Floats]


@dataclass
class Pairs:
    """Distances of the probes' pairs, with the probe each pair belongs to."""

    genuine: Floats
    genuine_probe: npt.NDArray[np.int64]
    impostor: Floats
    impostor_probe: npt.NDArray[np.int64]
    self_distance: Floats


class Table:
    """Records as columns (numpy arrays), with the photo's identity and split joined in."""

    def __init__(self, result: dict[str, Any], mode: str = "detected") -> None:
        """Index the records of a run made in one mode ("detected" or "oracle")."""
        keep = [i for i, r in enumerate(result["records"]) if r.get("mode", "detected") == mode]
        recs = [result["records"][i] for i in keep]
        photos = result["photos"]
        self.mode = mode
        self.n = len(recs)
        self.desc = np.asarray(result["descriptors"], dtype=np.float64)[keep]
        self.photo = np.array([r["photo"] for r in recs], dtype=np.int64)
        self.family = np.array([r["family"] for r in recs])
        self.value = np.array([r["value"] for r in recs], dtype=np.float64)
        self.detected = np.array([r["detected"] and r.get("iou", 0.0) >= MIN_IOU for r in recs])
        self.split = np.array([photos[p]["split"] for p in self.photo])
        self.source = np.array([photos[p]["source"] for p in self.photo])
        ident = [photos[p]["identity"] for p in range(len(photos))]
        codes = {name: i for i, name in enumerate(sorted({i for i in ident if i is not None}))}
        self.photo_ident = np.array([codes[i] if i is not None else -1 - k for k, i in enumerate(ident)])
        self.ref = np.zeros(len(photos), dtype=np.int64)
        for i in np.flatnonzero(self.family == "orig"):
            self.ref[self.photo[i]] = i
        self.photo_split = np.array([p["split"] for p in photos])
        self.cols: Columns = {}
        keys = {k for r in recs for k in r if isinstance(r[k], float) and k not in ("value", "iou")}
        for key in sorted(keys):
            self.cols[key] = np.array([float(r.get(key, np.nan)) for r in recs], dtype=np.float64)

    def select(self, split: str, families: tuple[str, ...]) -> npt.NDArray[np.int64]:
        """Indices of the found probes of these families (orig included if named) in a split."""
        mask = self.detected & (self.split == split) & np.isin(self.family, families)
        return np.flatnonzero(mask)

    def pairs(self, probes: npt.NDArray[np.int64]) -> Pairs:
        """Genuine and impostor distances of each probe against the undegraded photos of its split."""
        g, gp, imp, ip, selfd = [], [], [], [], []
        for i in probes:
            p = self.photo[i]
            gallery = np.flatnonzero((self.photo_split == self.photo_split[p]) & (np.arange(len(self.ref)) != p))
            d = np.linalg.norm(self.desc[self.ref[gallery]] - self.desc[i], axis=1)
            same = self.photo_ident[gallery] == self.photo_ident[p]
            g.append(d[same])
            gp.append(np.full(int(same.sum()), i))
            imp.append(d[~same])
            ip.append(np.full(int((~same).sum()), i))
            selfd.append(float(np.linalg.norm(self.desc[self.ref[p]] - self.desc[i])))
        return Pairs(_cat(g, np.float64), _cat(gp, np.int64), _cat(imp, np.float64), _cat(ip, np.int64),
                     np.array(selfd, dtype=np.float64))


def _cat(parts: list[Any], dtype: Any) -> Any:
    """Concatenate arrays (an empty array of dtype when there are none)."""
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


def rate(distances: Floats) -> float:
    """Fraction of pairs that match at Similarity 80 (nan when there are none)."""
    return float((distances < MATCH).mean()) if distances.size else float("nan")


def isotonic(x: Floats, y: Floats) -> tuple[Floats, Floats]:
    """Non-decreasing least-squares fit of y on x (pool adjacent violators): sorted x and fitted y."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order].astype(np.float64)
    level: list[float] = []
    weight: list[float] = []
    count: list[int] = []
    for v in ys:
        level.append(float(v))
        weight.append(1.0)
        count.append(1)
        while len(level) > 1 and level[-2] > level[-1]:
            w = weight[-2] + weight[-1]
            merged = (level[-2] * weight[-2] + level[-1] * weight[-1]) / w
            c = count[-2] + count[-1]
            del level[-2:], weight[-2:], count[-2:]
            level.append(merged)
            weight.append(w)
            count.append(c)
    return xs, np.repeat(np.array(level, dtype=np.float64), np.array(count, dtype=np.int64))


def threshold_for(x: Floats, matched: Floats, floor: float) -> float:
    """Smallest measure value above which the fitted genuine-match rate stays >= floor (0 if everywhere)."""
    xs, fit = isotonic(x, matched)
    below = np.flatnonzero(fit < floor)
    if below.size == 0:
        return 0.0
    last = below[-1]
    if last + 1 >= xs.size:
        return float("inf")
    return float((xs[last] + xs[last + 1]) / 2.0)


def auc(score: Floats, positive: npt.NDArray[np.bool_]) -> float:
    """Probability that a positive has a higher score than a negative (ties count half)."""
    pos, neg = score[positive], score[~positive]
    if not pos.size or not neg.size:
        return float("nan")
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = ((ends - counts + 1 + ends) / 2.0)[inverse]
    return float((ranks[positive].sum() - pos.size * (pos.size + 1) / 2) / (pos.size * neg.size))
