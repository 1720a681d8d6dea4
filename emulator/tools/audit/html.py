"""`--report DIR`: one self-contained HTML page (no network resources) and a JSON file of every figure."""

from __future__ import annotations

import base64
import json
from html import escape
from pathlib import Path
from typing import Any

from emulator.tools.audit.report import interval, pct

STYLE = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
         "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
         "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.note{color:#555;font-size:90%}")


def _table(header: list[str], rows: list[list[str]]) -> str:
    """An HTML table of already formatted cells."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _ratio(value: float | None) -> str:
    """A ratio to the best group."""
    return "n/a" if value is None else f"{value:.2f}"


def _population(name: str, pop: dict[str, Any], marks: list[dict[str, Any]]) -> str:
    """One population's section."""
    rows = []
    for k, m in enumerate(marks):
        sim = "n/a" if m["similarity"] is None else f"{m['similarity']:.2f}"
        rows.append([m["name"], sim, pct(pop["fmr"][k]), interval(pop["fmr_ci"][k]), pct(pop["fnmr"][k]),
                     interval(pop["fnmr_ci"][k]), _ratio(pop.get("fmr_ratio_to_best", [None] * len(marks))[k]),
                     _ratio(pop.get("fnmr_ratio_to_best", [None] * len(marks))[k])])
    header = ["threshold", "similarity", "FMR", "95 % CI", "FNMR", "95 % CI", "FMR / best group", "FNMR / best group"]
    summary = (f"{pop['photos']} photos, {pop['identities']} identities, {pop['genuine_pairs']} genuine and "
               f"{pop['impostor_pairs']} impostor pairs; rank-1 identification {pct(pop['rank1'], 2)} of "
               f"{pop['rank1_queries']} queries {interval(pop['rank1_ci'], 2)}; verification accuracy at 80 "
               f"{pct(pop['verification_accuracy_80'])}")
    return f"<h3>{escape(name)}</h3><p>{escape(summary)}</p>{_table(header, rows)}"


def _strangers(result: dict[str, Any]) -> str:
    """The --gallery-size section."""
    marks = result["figures"]["thresholds"]
    rows = []
    for name, values in result["strangers"].items():
        if name.endswith(" ci"):
            continue
        cis = result["strangers"][name + " ci"]
        rows.append([name] + [("n/a" if v is None else f"{v:.3g}") + ("" if c is None else f" [{c[0]:.3g}, {c[1]:.3g}]")
                              for v, c in zip(values, cis, strict=True)])
    return (f"<h2>Strangers per search in a {result['gallery_size']}-face collection</h2>"
            f"<p class=note>Expected number of other people scoring above the threshold = collection size × "
            f"FMR of the searched person's group (pairs within the group), with its 95 % interval.</p>"
            + _table(["population"] + [m["name"] for m in marks], rows))


def _attributes(audit: dict[str, dict[str, Any]]) -> str:
    """The Gender/AgeRange section."""
    rows = [[name, f"{pct(r['gender_accuracy'], 1)} {interval(r['gender_accuracy_ci'], 1)}",
             str(r["gender_labelled"]), "n/a" if r["age_mae"] is None else f"{r['age_mae']:.1f}",
             f"{pct(r['age_range_coverage'], 1)} {interval(r['age_range_coverage_ci'], 1)}", str(r["age_labelled"]),
             f"{pct(r['age_group_overlap'], 1)} {interval(r['age_group_overlap_ci'], 1)}", str(r["age_group_labelled"])]
            for name, r in audit.items()]
    header = ["population", "Gender accuracy", "photos", "age MAE (years)", "AgeRange holds the age", "photos",
              "AgeRange meets the age group", "photos"]
    return "<h2>Estimated attributes against the labels</h2>" + _table(header, rows)


def render(result: dict[str, Any], png: bytes) -> str:
    """The whole page."""
    figures = result["figures"]
    parts = [f"<!doctype html><html><head><meta charset=utf-8><title>Face recognition audit: "
             f"{escape(result['root'])}</title><style>{STYLE}</style></head><body>",
             f"<h1>Face recognition audit: {escape(result['root'])}</h1>",
             f"<p>detector {escape(result['detector'])}, descriptor runtime {escape(result['descriptor'])}; "
             f"{figures['bootstrap_draws']} bootstrap draws over identities.</p>",
             f"<img alt='DET curves and error rates by threshold' style='max-width:100%' "
             f"src='data:image/png;base64,{base64.b64encode(png).decode()}'>", "<h2>Error rates</h2>"]
    for name, pop in figures["populations"].items():
        parts.append(_population(name, pop, figures["thresholds"]))
    if "strangers" in result:
        parts.append(_strangers(result))
    if "attributes" in result:
        parts.append(_attributes(result["attributes"]))
    for key, what in (("no_face", "Photos with no face found"), ("unreadable", "Unreadable photos"),
                      ("ungrouped", "Identities in no group (overall only)")):
        if result.get(key):
            parts.append(f"<h2>{what} ({len(result[key])})</h2><p class=note>{escape(', '.join(result[key]))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(folder: Path, result: dict[str, Any], png: bytes) -> tuple[Path, Path]:
    """report.html and report.json in folder (created); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    page, data = folder / "report.html", folder / "report.json"
    page.write_text(render(result, png), encoding="utf-8")
    data.write_text(json.dumps(result, indent=1, allow_nan=False), encoding="utf-8")
    return page, data
