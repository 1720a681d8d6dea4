"""The evaluation as terminal text."""

from __future__ import annotations

from typing import Any


def pct(value: float | None, digits: int = 4) -> str:
    """A rate in percent, or n/a."""
    return "n/a" if value is None else f"{value:.{digits}%}"


def interval(ci: list[float] | None, digits: int = 4) -> str:
    """[low, high] in percent, or empty."""
    return "" if ci is None else f"[{ci[0]:.{digits}%}, {ci[1]:.{digits}%}]"


def _times(ratio: float | None) -> str:
    """A ratio to the best group, or n/a."""
    return "n/a" if ratio is None else f"{ratio:.2f}"


def _threshold_label(mark: dict[str, Any]) -> str:
    """'80' or 'FMR 1e-03 (at 97.12)'."""
    if "fmr_target" not in mark:
        return str(mark["name"])
    at = "n/a: too few impostor pairs" if mark["similarity"] is None else f"at {mark['similarity']:.2f}"
    return f"{mark['name']} ({at})"


def _population(name: str, pop: dict[str, Any], marks: list[dict[str, Any]], draws: int) -> list[str]:
    """Lines for one population."""
    lines = [f"{name}: {pop['photos']} photos, {pop['identities']} identities, "
             f"{pop['genuine_pairs']} genuine / {pop['impostor_pairs']} impostor pairs"]
    lines.append(f"  threshold   FMR        FNMR       (95 % CI over identities, {draws} draws)")
    for k, mark in enumerate(marks):
        ratio = ""
        if "fmr_ratio_to_best" in pop:
            fr, nr = pop["fmr_ratio_to_best"][k], pop["fnmr_ratio_to_best"][k]
            ratio = f"   x best: FMR {_times(fr)}, FNMR {_times(nr)}"
        label = _threshold_label(mark)
        if "fmr_target" in mark:
            text = (f"  {label}: FMR {pct(pop['fmr'][k])} {interval(pop['fmr_ci'][k])}  "
                    f"FNMR {pct(pop['fnmr'][k])} {interval(pop['fnmr_ci'][k])}{ratio}")
            lines.append(" ".join(text.split(" ")).rstrip())
        else:
            lines.append(f"  {label:>9}   {pct(pop['fmr'][k])}   {pct(pop['fnmr'][k])}"
                         f"   {interval(pop['fmr_ci'][k])} {interval(pop['fnmr_ci'][k])}{ratio}".rstrip())
    lines.append(f"  verification accuracy at 80: {pct(pop['verification_accuracy_80'])}")
    lines.append(f"  rank-1 identification: {pct(pop['rank1'])} of {pop['rank1_queries']} queries "
                 f"{interval(pop['rank1_ci'], 2)}".rstrip())
    return lines


def _strangers(result: dict[str, Any]) -> list[str]:
    """The --gallery-size table."""
    gallery = result["gallery_size"]
    marks = result["figures"]["thresholds"]
    lines = [f"strangers a search returns in a {gallery}-face collection (= {gallery} x FMR of the searched "
             "person's group at the threshold):"]
    for name, values in result["strangers"].items():
        if name.endswith(" ci"):
            continue
        cells = [f"{m['name']}: {'n/a' if v is None else f'{v:.3g}'}" for m, v in zip(marks, values, strict=True)]
        lines.append(f"  {name}: " + ", ".join(cells))
    return lines


def _attributes(audit: dict[str, dict[str, Any]]) -> list[str]:
    """The Gender/AgeRange table."""
    lines = ["estimated attributes against the labels (photos with a face; 95 % Wilson intervals):"]
    for name, row in audit.items():
        parts = []
        if row["gender_labelled"]:
            parts.append(f"Gender accuracy {pct(row['gender_accuracy'], 1)} of {row['gender_labelled']} "
                         f"{interval(row['gender_accuracy_ci'], 1)}")
        if row["age_labelled"]:
            parts.append(f"age MAE {row['age_mae']:.1f} y, AgeRange holds the age {pct(row['age_range_coverage'], 1)} "
                         f"of {row['age_labelled']} {interval(row['age_range_coverage_ci'], 1)}")
        if row["age_group_labelled"]:
            parts.append(f"AgeRange meets the age group {pct(row['age_group_overlap'], 1)} of "
                         f"{row['age_group_labelled']} {interval(row['age_group_overlap_ci'], 1)}")
        lines.append(f"  {name}: " + "; ".join(parts))
    return lines


def format_text(result: dict[str, Any]) -> str:
    """Human-readable text of an evaluation result (as built by the evaluate command)."""
    figures = result["figures"]
    lines = [f"detector: {result['detector']}", f"descriptor runtime: {result['descriptor']}",
             f"photos: {result['photos_found']} found, {result['photos_used']} used, "
             f"{result['from_cache']} read from the cache"]
    for name, pop in figures["populations"].items():
        lines += _population(name if name == "overall" else f"group {name}", pop, figures["thresholds"],
                             figures["bootstrap_draws"])
    if "strangers" in result:
        lines += _strangers(result)
    if "attributes" in result:
        lines += _attributes(result["attributes"])
    for key, what in (("no_face", "no face found"), ("unreadable", "unreadable")):
        if result[key]:
            lines.append(f"{what} ({len(result[key])} photos, not counted): {', '.join(result[key])}")
    if result.get("ungrouped"):
        lines.append(f"not in any group (counted in overall only): {', '.join(result['ungrouped'])}")
    return "\n".join(lines)
