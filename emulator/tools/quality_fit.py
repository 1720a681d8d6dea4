"""Measures compared and thresholds fitted: where the genuine-match rate falls by each level's tolerance.

Per reason, the probes of the families that degrade that property (darkening for brightness; focus and
motion blur for sharpness; smaller faces for the box) plus the undegraded photos are pooled; each genuine
pair is (the probe's measure, matched at Similarity 80 or not).  An isotonic (non-decreasing) fit of the
match rate on the measure gives, for each level, the smallest measure value above which the fitted rate
stays within the level's tolerance of the undegraded rate:
    HIGH   loses at most 2 points   (refuse at the first measurable loss)
    MEDIUM loses at most 10 points  (AUTO: refuse where recognition has broken down)
    LOW    loses at most 50 points  (refuse only faces lost about as often as they are matched)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from emulator.engine import quality
from emulator.tools.quality_stats import MATCH, Columns, Floats, Table, auc, rate, threshold_for

LOSS = {"LOW": 0.50, "MEDIUM": 0.10, "HIGH": 0.02}
BRIGHT_FAMILIES = ("orig", "dark")
FAMILY_NAMES = ("dark", "gauss", "motion", "small")
#: smaller faces are SMALL_BOUNDING_BOX's business; the per-family columns still show them
SHARP_FAMILIES = ("orig", "gauss", "motion")
BOX_FAMILIES = ("orig", "small")


@dataclass(frozen=True)
class Measure:
    """A named candidate measure computed from a run's columns."""

    name: str
    families: tuple[str, ...]
    compute: Callable[[Columns], Floats]

    @property
    def shown(self) -> tuple[str, ...]:
        """Families whose own fit the comparison shows (sharpness measures are also shown on small faces)."""
        return ("gauss", "motion", "small") if "gauss" in self.families else self.families[1:]


def _directional(c: Columns, prefix: str, var: str, how: str) -> Floats:
    """Second-difference variance over grey variance: the mean or the minimum over the four directions."""
    d = np.stack([c[f"{prefix}_{angle}"] for angle in (0, 45, 90, 135)])
    v = np.maximum(c[var], 1e-9)
    return np.asarray((d.min(axis=0) if how == "min" else d.mean(axis=0)) / v, dtype=np.float64)


def _directional_at(size: int, how: str) -> Callable[[Columns], Floats]:
    """The directional candidate at one crop size, as a column function."""
    def compute(c: Columns) -> Floats:
        return _directional(c, f"d{size}", f"var{size}", how)
    return compute


def _sharpness_now(c: Columns) -> Floats:
    """quality.sharpness as the code now computes it, from the recorded 64-px second differences."""
    ratio = _directional(c, f"d{quality.SHARPNESS_SIZE}", f"var{quality.SHARPNESS_SIZE}", "min")
    ratio = np.where(c[f"var{quality.SHARPNESS_SIZE}"] < 1e-9, 0.0, ratio)
    return np.asarray(100.0 * (1.0 - np.exp(-ratio / quality.SHARPNESS_SCALE)), dtype=np.float64)


MEASURES = (
    Measure("brightness (engine)", BRIGHT_FAMILIES, lambda c: c["brightness"]),
    Measure("bright_inner", BRIGHT_FAMILIES, lambda c: c["bright_inner"]),
    Measure("bright_big (box x1.3)", BRIGHT_FAMILIES, lambda c: c["bright_big"]),
    Measure("sharpness (quality.py)", SHARP_FAMILIES, _sharpness_now),
    Measure("sharpness (recorded)", SHARP_FAMILIES, lambda c: c["sharpness"]),
    Measure("sharp_big (box x1.3)", SHARP_FAMILIES, lambda c: c["sharp_big"]),
    *(Measure(f"{how} {size}", SHARP_FAMILIES, _directional_at(size, how))
      for size in (32, 48, 64, 128) for how in ("mean", "min")),
    Measure("min 64 big", SHARP_FAMILIES, lambda c: _directional(c, "big_d64", "big_var64", "min")),
    Measure("box width px", BOX_FAMILIES, lambda c: c["width"]),
)


def measure_named(name: str) -> Measure:
    """The candidate measure with this name."""
    return next(m for m in MEASURES if m.name == name)


def genuine_points(t: Table, split: str, measure: Measure, families: tuple[str, ...] | None = None
                   ) -> tuple[Floats, Floats, float]:
    """(measure of each genuine pair's probe, matched 0/1) over the families, and the undegraded rate."""
    probes = t.select(split, families or measure.families)
    pairs = t.pairs(probes)
    values = measure.compute(t.cols)[pairs.genuine_probe]
    matched = (pairs.genuine < MATCH).astype(np.float64)
    base = rate(t.pairs(t.select(split, ("orig",))).genuine)
    return values, matched, base


def measure_auc(t: Table, split: str, measure: Measure) -> float:
    """AUC of the measure for telling matched genuine pairs from lost ones."""
    values, matched, _ = genuine_points(t, split, measure)
    return auc(values, matched > 0.5)


def fit_thresholds(t: Table, split: str, measure: Measure, families: tuple[str, ...] | None = None
                   ) -> dict[str, float]:
    """Per level, the measure value below which the fitted genuine-match rate loses more than LOSS."""
    values, matched, base = genuine_points(t, split, measure, families)
    return {level: threshold_for(values, matched, base - loss) for level, loss in LOSS.items()}


def compare_measures(t: Table, split: str) -> list[str]:
    """Per candidate: AUC on its families, and the MEDIUM threshold fitted on each family alone.

    A measure that tracks recognition puts the breakdown at the same value whatever caused it (focus
    blur, motion blur, a smaller face); "dark" shows what share of darkened faces that still match the
    measure would refuse at its pooled MEDIUM threshold (a sharpness that reads dark faces as blurry).
    """
    lines = [f"## Candidate measures ({split} split): AUC matched vs lost genuine pairs; MEDIUM threshold "
             "fitted per family; share of darkened, still matching faces refused",
             "measure                  AUC    pooled  " + "  ".join(f"{f:>7s}" for f in FAMILY_NAMES) + "  dark"]
    for m in MEASURES:
        pooled = fit_thresholds(t, split, m)["MEDIUM"]
        per = [fit_thresholds(t, split, m, ("orig", f))["MEDIUM"] if f in m.shown else float("nan")
               for f in FAMILY_NAMES]
        lines.append(f"{m.name:24s} {measure_auc(t, split, m):.3f}  {pooled:6.3g}  "
                     + "  ".join(f"{v:7.3g}" for v in per) + f"  {_dark_refused(t, split, m, pooled):5.1%}")
    return lines


def _dark_refused(t: Table, split: str, m: Measure, threshold: float) -> float:
    """Share of darkened faces with a genuine match that the measure refuses at `threshold`."""
    probes = t.select(split, ("dark",))
    pairs = t.pairs(probes)
    good = np.unique(pairs.genuine_probe[pairs.genuine < MATCH])
    return float((m.compute(t.cols)[good] < threshold).mean()) if good.size else float("nan")
