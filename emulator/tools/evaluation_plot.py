"""The evaluate command's figure: a DET curve (FMR vs FNMR) and both error rates against the threshold."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from emulator.engine.evaluate import THRESHOLDS  # noqa: E402
from emulator.tools.evaluation_extra import OVERALL, PairScores  # noqa: E402

GRID = np.unique(np.concatenate([np.linspace(0.0, 100.0, 2001), np.asarray(THRESHOLDS)]))
MARKERS = ("o", "s", "^", "D")
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")


def _floor(scores: dict[str, PairScores]) -> float:
    """Where a zero rate is drawn on the log axes: a decade below the finest rate any population can show."""
    pairs = max(max(s.genuine.size, s.impostor.size) for s in scores.values())
    return float(10.0 ** math.floor(math.log10(0.5 / max(pairs, 1))))


def _percent(floor: float) -> FuncFormatter:
    """Tick labels in percent, with the floor labelled 0."""
    def label(value: float, _pos: int) -> str:
        if value <= floor * 1.0001:
            return "0"
        return f"{value * 100:g}%"
    return FuncFormatter(label)


def _zero_band(ax: Axes, floor: float, x: bool) -> None:
    """Shade the strip where rates of exactly 0 are drawn, so it doesn't read as one more decade."""
    ax.axhspan(floor * 0.8, floor * 1.6, color="0.92", zorder=0)
    if x:
        ax.axvspan(floor * 0.8, floor * 1.6, color="0.92", zorder=0)


def _colour(name: str, index: int) -> str:
    """Black for the overall population, a colour-blind-safe palette for groups."""
    return "black" if name == OVERALL else COLOURS[index % len(COLOURS)]


def _det(ax: Axes, scores: dict[str, PairScores], floor: float) -> None:
    """FNMR against FMR over all thresholds, with 80/90/95/99 marked."""
    for i, (name, s) in enumerate(scores.items()):
        fmr, fnmr = s.rates(GRID)
        if np.isnan(fmr).all() or np.isnan(fnmr).all():
            continue
        colour = _colour(name, i)
        label = f"{name} ({s.genuine.size} genuine / {s.impostor.size} impostor pairs)"
        ax.step(np.maximum(fmr, floor), np.maximum(fnmr, floor), where="post", color=colour, lw=1.8, label=label)
        at_fmr, at_fnmr = s.rates(np.asarray(THRESHOLDS))
        for marker, x, y in zip(MARKERS, at_fmr, at_fnmr, strict=True):
            ax.plot(max(x, floor), max(y, floor), marker=marker, ms=8, color=colour, mec="white", mew=0.8, ls="none")
    for marker, t in zip(MARKERS, THRESHOLDS, strict=True):
        ax.plot([], [], marker=marker, color="grey", ls="none", label=f"threshold {t:g}")
    ax.set(xscale="log", yscale="log", xlim=(floor * 0.8, 1.2), ylim=(floor * 0.8, 1.2),
           xlabel="false match rate (impostor pairs accepted)", ylabel="false non-match rate (genuine pairs rejected)",
           title="DET curve: lower left is better")
    ax.xaxis.set_major_formatter(_percent(floor))
    ax.yaxis.set_major_formatter(_percent(floor))
    _zero_band(ax, floor, x=True)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")


def _by_threshold(ax: Axes, scores: dict[str, PairScores], floor: float) -> None:
    """FMR (solid) and FNMR (dashed) against the similarity threshold."""
    for i, (name, s) in enumerate(scores.items()):
        fmr, fnmr = s.rates(GRID)
        colour = _colour(name, i)
        if not np.isnan(fmr).all():
            ax.plot(GRID, np.maximum(fmr, floor), color=colour, lw=1.8, label=f"{name}: false match")
        if not np.isnan(fnmr).all():
            ax.plot(GRID, np.maximum(fnmr, floor), color=colour, lw=1.8, ls="--", label=f"{name}: false non-match")
    for t in THRESHOLDS:
        ax.axvline(t, color="grey", lw=0.8, ls=":")
        ax.annotate(f"{t:g}", (t, 1.0), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=8)
    ax.set(yscale="log", xlim=(40, 100), ylim=(floor * 0.8, 1.2), xlabel="similarity threshold",
           ylabel="error rate", title="Error rates by threshold (Rekognition default: 80)")
    ax.yaxis.set_major_formatter(_percent(floor))
    _zero_band(ax, floor, x=False)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center")


def plot_rates(scores: dict[str, PairScores], path: Path, title: str = "") -> None:
    """Write the two-panel PNG for the overall population and each group."""
    floor = _floor(scores)
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6.5), layout="constrained")
    _det(left, scores, floor)
    _by_threshold(right, scores, floor)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=110)
    plt.close(fig)
