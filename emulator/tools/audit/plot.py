"""The evaluation's figure: a DET curve per population (FMR vs FNMR) and both error rates by threshold."""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from emulator.tools.audit.figures import OVERALL, THRESHOLDS  # noqa: E402

MARKERS = ("o", "s", "^", "D")
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#882255", "#44AA99")


def _floor(pops: dict[str, dict[str, Any]]) -> float:
    """Where a zero rate is drawn on the log axes: a decade below the finest rate any population can show."""
    most = max(max(p["genuine_pairs"], p["impostor_pairs"]) for p in pops.values())
    return float(10.0 ** math.floor(math.log10(0.5 / max(most, 1))))


def _percent(floor: float) -> FuncFormatter:
    """Tick labels in percent, with the floor labelled 0."""
    def label(value: float, _pos: int) -> str:
        return "0" if value <= floor * 1.0001 else f"{value * 100:g}%"
    return FuncFormatter(label)


def _colour(name: str, index: int) -> str:
    """Black for the overall population, a colour-blind-safe palette for groups."""
    return "black" if name == OVERALL else COLOURS[index % len(COLOURS)]


def _arrays(pop: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(similarity, FMR, FNMR) of a population's curve, NaN for undefined rates."""
    c = pop["curve"]
    def floats(values: list[float | None]) -> np.ndarray:
        return np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)
    return floats(c["similarity"]), floats(c["fmr"]), floats(c["fnmr"])


def _det(ax: Axes, pops: dict[str, dict[str, Any]], floor: float) -> None:
    """FNMR against FMR over all thresholds, with 80/90/95/99 marked.

    A group with impostor pairs only (one photo per person) is drawn dashed against the FNMR of all genuine
    pairs: how far right it lies is its false-match disparity at equal FNMR.
    """
    overall = pops[OVERALL]
    for i, (name, pop) in enumerate(pops.items()):
        _, fmr, fnmr = _arrays(pop)
        marks_fnmr, style = pop["fnmr"], "-"
        label = f"{name} ({pop['genuine_pairs']} genuine / {pop['impostor_pairs']} impostor pairs)"
        if np.isnan(fnmr).all() and not np.isnan(fmr).all():  # impostors only (one photo per person)
            fnmr, marks_fnmr, style = _arrays(overall)[2], overall["fnmr"], "--"
            label = f"{name} ({pop['impostor_pairs']} impostor pairs; FNMR of all genuine pairs)"
        if np.isnan(fmr).all() or np.isnan(fnmr).all():
            continue
        colour = _colour(name, i)
        ax.step(np.maximum(fmr, floor), np.maximum(fnmr, floor), where="post", color=colour, lw=1.6, ls=style,
                label=label)
        for marker, x, y in zip(MARKERS, pop["fmr"][: len(THRESHOLDS)], marks_fnmr[: len(THRESHOLDS)], strict=True):
            if x is not None and y is not None:
                ax.plot(max(x, floor), max(y, floor), marker=marker, ms=8, color=colour, mec="white", ls="none")
    for marker, t in zip(MARKERS, THRESHOLDS, strict=True):
        ax.plot([], [], marker=marker, color="grey", ls="none", label=f"threshold {t:g}")
    ax.set(xscale="log", yscale="log", xlim=(floor * 0.8, 1.2), ylim=(floor * 0.8, 1.2),
           xlabel="false match rate (impostor pairs accepted)", ylabel="false non-match rate (genuine pairs rejected)",
           title="DET curve: lower left is better")
    ax.xaxis.set_major_formatter(_percent(floor))
    ax.yaxis.set_major_formatter(_percent(floor))
    ax.axhspan(floor * 0.8, floor * 1.6, color="0.92", zorder=0)
    ax.axvspan(floor * 0.8, floor * 1.6, color="0.92", zorder=0)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")  # the corner no DET curve reaches


def _by_threshold(ax: Axes, pops: dict[str, dict[str, Any]], floor: float) -> None:
    """FMR (solid) and FNMR (dashed) against the similarity threshold."""
    for i, (name, pop) in enumerate(pops.items()):
        sims, fmr, fnmr = _arrays(pop)
        colour = _colour(name, i)
        if not np.isnan(fmr).all():
            ax.plot(sims, np.maximum(fmr, floor), color=colour, lw=1.6, label=f"{name}: false match")
        if not np.isnan(fnmr).all():
            ax.plot(sims, np.maximum(fnmr, floor), color=colour, lw=1.6, ls="--", label=f"{name}: false non-match")
    for t in THRESHOLDS:
        ax.axvline(t, color="grey", lw=0.8, ls=":")
    ax.set(yscale="log", xlim=(40, 100), ylim=(floor * 0.8, 1.2), xlabel="similarity threshold",
           ylabel="error rate", title="Error rates by threshold (Rekognition default: 80)")
    ax.yaxis.set_major_formatter(_percent(floor))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper center")


def plot_png(pops: dict[str, dict[str, Any]], title: str = "") -> bytes:
    """The two-panel figure as PNG bytes."""
    floor = _floor(pops)
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6.5), layout="constrained")
    _det(left, pops, floor)
    _by_threshold(right, pops, floor)
    if title:
        fig.suptitle(title)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=100)
    plt.close(fig)
    return out.getvalue()
