"""The quality measurement's report: per degradation step, per band of the measure, fitted thresholds."""

from __future__ import annotations

from typing import Any

import numpy as np

from emulator.engine.filters import GRADED_LEVELS as LEVELS
from emulator.engine.filters import THRESHOLDS
from emulator.tools.quality_fit import LOSS, Measure, compare_measures, fit_thresholds, measure_named
from emulator.tools.quality_run import FAMILIES
from emulator.tools.quality_stats import Floats, Table, rate
from emulator.tools.quality_survey import columns, refusal_table

BRIGHT_EDGES = (0, 3, 5, 7, 9, 11, 13, 15, 18, 21, 25, 30, 40, 60, 101)
SHARP_EDGES = (0, 1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 70, 101)
BOX_EDGES = (0, 18, 22, 26, 30, 37, 43, 50, 60, 80, 100, 10000)
#: the confidence AUTO (= MEDIUM) asks for: dim faces the detector scores lower are refused for LOW_CONFIDENCE
AUTO_CONFIDENCE = THRESHOLDS["AUTO"][0]
#: index of each reason's minimum in filters.THRESHOLDS
COLUMN = {"brightness": 2, "sharpness": 3}


def _med(values: Floats) -> str:
    """Median to one decimal, '-' when empty."""
    return f"{np.nanmedian(values):.1f}" if values.size else "-"


def steps_table(det: Table, orc: Table, split: str, bright: Measure, sharp: Measure) -> list[str]:
    """Per family and step: found, median quality, and for detected and oracle faces the genuine rates."""
    db, ds, ob, os_ = (m.compute(t.cols) for t in (det, orc) for m in (bright, sharp))
    lines = [f"## Per degradation step ({split} split). found: largest face at the expected box; conf<95: found "
             "faces AUTO refuses for LOW_CONFIDENCE; "
             "genuine/false: match rate at Similarity 80; oracle: the face taken at its known box",
             "family   step    n  found  conf<95  bright  sharp  genuine | oracle: bright  sharp  d_self med/p90  "
             "genuine  false"]
    for family, (_, values) in [("orig", ("", (0.0,)))] + list(FAMILIES.items()):
        for value in values:
            rows = np.flatnonzero((det.split == split) & (det.family == family) & (det.value == value))
            if not rows.size:
                continue
            found = rows[det.detected[rows]]
            pd = det.pairs(found)
            orows = np.flatnonzero((orc.split == split) & (orc.family == family) & (orc.value == value))
            po = orc.pairs(orows)
            d = f"{np.median(po.self_distance):.3f}/{np.percentile(po.self_distance, 90):.3f}"
            low_conf = float((det.cols["confidence"][found] < AUTO_CONFIDENCE).mean()) if found.size else float("nan")
            lines.append(f"{family:6s} {value:6.3g} {rows.size:4d}  {found.size / rows.size:5.1%}  {low_conf:6.1%}  "
                         f"{_med(db[found]):>6s}  {_med(ds[found]):>5s}  "
                         f"{rate(pd.genuine):6.1%} |         {_med(ob[orows]):>6s}  "
                         f"{_med(os_[orows]):>5s}  {d:>14s}  {rate(po.genuine):6.1%}  "
                         f"{rate(po.impostor):5.2%}")
    return lines


def bands_table(t: Table, split: str, measure: Measure, edges: tuple[float, ...], values: Floats) -> list[str]:
    """Per band of a measure over its families: probes, self distance, genuine and false match rates."""
    lines = [f"## By band of {measure.name} ({split} split; families {'+'.join(measure.families)})",
             "band          probes  d_self med  genuine@80 (pairs)  false@80"]
    probes = t.select(split, measure.families)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = probes[(values[probes] >= lo) & (values[probes] < hi)]
        if not inside.size:
            continue
        p = t.pairs(inside)
        lines.append(f"[{lo:5.1f},{hi:5.1f})  {inside.size:6d}  {np.median(p.self_distance):10.3f}  "
                     f"{rate(p.genuine):9.1%} ({p.genuine.size:5d})  {rate(p.impostor):7.2%}")
    return lines


def check_table(t: Table, split: str, bright: dict[str, float], sharp: dict[str, float],
                bright_values: Floats, sharp_values: Floats, title: str) -> list[str]:
    """Per level and family: share refused for brightness / sharpness, genuine rate of kept and refused."""
    lines = [f"## {title} ({split} split)",
             "level   family  refused(bright/sharp)  genuine@80 kept / refused  false@80 kept"]
    for level in LEVELS:
        for family in ("orig", *FAMILIES):
            probes = t.select(split, (family,))
            if not probes.size:
                continue
            low_b = bright_values[probes] < bright[level]
            low_s = sharp_values[probes] < sharp[level]
            kept, refused = probes[~(low_b | low_s)], probes[low_b | low_s]
            pk, pr = t.pairs(kept), t.pairs(refused)
            lines.append(f"{level:6s}  {family:6s}  {low_b.mean():6.1%} / {low_s.mean():6.1%}        "
                         f"{rate(pk.genuine):7.1%} / {rate(pr.genuine):7.1%}      {rate(pk.impostor):6.2%}")
    return lines


def fitted(t: Table, split: str, bright_name: str, sharp_name: str) -> tuple[dict[str, float], dict[str, float]]:
    """Brightness and sharpness thresholds per level fitted on a split."""
    return fit_thresholds(t, split, measure_named(bright_name)), fit_thresholds(t, split, measure_named(sharp_name))


def render(result: dict[str, Any], settings: dict[str, Any], survey: list[dict[str, Any]] | None = None,
           bright_name: str = "brightness (engine)", sharp_name: str = "sharpness (quality.py)") -> str:
    """The whole report as text: thresholds are fitted on oracle faces of the tune split."""
    det, orc = Table(result, "detected"), Table(result, "oracle")
    counts = {s: int((det.family == "orig")[det.source == s].sum()) for s in sorted(set(det.source.tolist()))}
    lines = [f"# Quality measurement: photos used {counts}, {det.n + orc.n} records; settings {settings}",
             f"match = descriptor distance < 0.6 (Similarity 80); level tolerances (genuine-rate loss) {LOSS}"]
    bm, sm = measure_named(bright_name), measure_named(sharp_name)
    lines += steps_table(det, orc, "report", bm, sm)
    lines += compare_measures(orc, "tune")
    lines += bands_table(orc, "report", bm, BRIGHT_EDGES, bm.compute(orc.cols))
    lines += bands_table(orc, "report", sm, SHARP_EDGES, sm.compute(orc.cols))
    bright, sharp = fitted(orc, "tune", bright_name, sharp_name)
    box = fit_thresholds(orc, "tune", measure_named("box width px"))
    lines += bands_table(orc, "report", measure_named("box width px"), BOX_EDGES, orc.cols["width"])
    lines.append("## Thresholds fitted on the tune split (oracle faces); box: px of this detector's boxes")
    for level in LEVELS:
        lines.append(f"{level:6s}  {bright_name} < {bright[level]:.2f}   {sharp_name} < {sharp[level]:.2f}   "
                     f"box width < {box[level]:.0f} (filters.py: {THRESHOLDS[level][1]:.0f})")
    for table in (orc, det):
        lines += check_table(table, "report", bright, sharp, bm.compute(table.cols), sm.compute(table.cols),
                             f"Fitted thresholds checked on {table.mode} faces")
    code_b = {lv: THRESHOLDS[lv][COLUMN["brightness"]] for lv in LEVELS}
    code_s = {lv: THRESHOLDS[lv][COLUMN["sharpness"]] for lv in LEVELS}
    lines += check_table(det, "report", code_b, code_s, bm.compute(det.cols), sm.compute(det.cols),
                         f"filters.py thresholds {code_b} {code_s} on the same measures, detected faces")
    if survey:
        cols = columns(survey)
        lines += refusal_table(survey, bm.compute(cols), sm.compute(cols),
                               {lv: (code_b[lv], code_s[lv]) for lv in LEVELS},
                               f"Undegraded photos refused by filters.py's thresholds ({bright_name}, {sharp_name})")
        lines += refusal_table(survey, bm.compute(cols), sm.compute(cols),
                               {lv: (bright[lv], sharp[lv]) for lv in LEVELS},
                               f"Undegraded photos refused by the fitted thresholds ({bright_name}, {sharp_name})")
    return "\n".join(lines)
