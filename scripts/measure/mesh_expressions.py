"""EyesOpen, MouthOpen and Smile from the face mesh (emulator/engine/attributes/expressions.py).

Tunes on the even-hash half: each field's isotonic P(true | score) and Smile's logistic weights; reports on
the other half: accuracy of Value and the reliability of Confidence. Labels: lfw_kumar_attributes' weak
eyes_open/smile (and its 56 "mouth wide open" positives), genki4k's and lfw_emotion's human smile labels,
scripts/measure/mouth_labels.csv (lips apart or not, judged by eye on mouth crops; see its header note in
expressions.py). The networks' outputs are cached (_mesh_features.py) so refits are quick.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import cast

import numpy as np
from _common import table
from _mesh_features import collect
from _mesh_fit import fit_logistic, knots, verdict_report

from emulator.engine.attributes import expressions as ex
from emulator.engine.attributes import face_geometry as geometry
from emulator.engine.attributes.calibration import fit_isotonic
from emulator.engine.attributes.emotions import eight_way

MOUTH_LABELS = Path(__file__).resolve().parent / "mouth_labels.csv"


def samples(args: argparse.Namespace) -> list[dict[str, object]]:
    """One dict per face found: its labels, split and the raw scores of the three fields."""
    data = collect(args)
    with open(MOUTH_LABELS, newline="", encoding="utf-8") as fh:
        mouth = {r["path"]: r["mouth_open"] for r in csv.DictReader(fh)}
    out = []
    for i, raw in enumerate(data["row"]):
        if not data["found"][i]:
            continue
        row = json.loads(str(raw))
        mesh = data["mesh"][i]
        head = geometry.head_frame(mesh)
        happy = float(eight_way(data["logits"][i])[0])
        out.append({
            "set": row["set"], "tune": bool(data["tune"][i]), "smile": row["smile"], "eyes": row["eyes_open"],
            "mouth": mouth.get(row["path"]) or row["mouth_open"],
            "eyes_score": ex.eyes_score(mesh, data["contour"][i][:, :16, :2]),
            "gap": geometry.mouth_gap(head), "smile_x": ex.smile_features(head, happy),
        })
    return out


def fit_verdict(name: str, tune: list[dict[str, object]], held: list[dict[str, object]], label: str,
                score: str) -> str:
    """Fit P(true | score) on the tuning faces with the label, report on the held-out ones; print knots."""
    t = [s for s in tune if s[label]]
    h = [s for s in held if s[label]]
    calibration = fit_isotonic([float(s[score]) for s in t], [s[label] == "true" for s in t])  # type: ignore
    print(knots(name, calibration))
    _, text = verdict_report(f"{name}", [calibration.probability(float(s[score])) for s in h],  # type: ignore
                             [s[label] == "true" for s in h])
    return f"tuned on {len(t)} faces\n" + text


def run(args: argparse.Namespace) -> int:
    """Collect (or read the cache), tune on the even half, report on the other half."""
    found = samples(args)
    tune = [s for s in found if s["tune"]]
    held = [s for s in found if not s["tune"]]
    print("## EyesOpen, MouthOpen, Smile (scripts/measure_attributes --field mesh_expressions)\n")
    print("Constants for emulator/engine/attributes/expressions.py:\n")
    reports = [fit_verdict("EYES_OPEN", tune, held, "eyes", "eyes_score"),
               fit_verdict("MOUTH_OPEN", tune, held, "mouth", "gap")]
    t = [s for s in tune if s["smile"]]
    weights = fit_logistic(np.array([s["smile_x"] for s in t]), np.array([s["smile"] == "true" for s in t], float))
    print("SMILE_WEIGHTS = (" + ", ".join(f"{w:.4f}" for w in weights) + ")")
    for s in found:
        s["smile_score"] = ex.smile_score(s["smile_x"], tuple(weights))  # type: ignore[arg-type]
    reports.append(fit_verdict("SMILE", tune, held, "smile", "smile_score"))
    for r in reports:
        print("\n" + r)
    calibration = fit_isotonic([float(s["smile_score"]) for s in t], [s["smile"] == "true" for s in t])  # type: ignore
    lines = []
    for name in ("genki4k", "lfw_kumar_attributes", "lfw_emotion"):
        h = [s for s in held if s["smile"] and s["set"] == name]
        right = [(calibration.probability(float(s["smile_score"])) >= 0.5) == (s["smile"] == "true")  # type: ignore
                 for s in h]
        lines.append([name, len(h), f"{100 * np.mean(right):.1f} %"])
    print("\nSmile per set (held-out)\n\n" + table(["set", "faces", "right"], lines))
    mouth = [s for s in held if s["mouth"] and s["set"] == "lfw_kumar_attributes" and s["mouth"] == "true"]
    recall = np.mean([ex.MOUTH_OPEN.probability(cast(float, s["gap"])) >= 0.5 for s in mouth])
    print(f"\nMouthOpen recall on lfw's held-out 'mouth wide open' photos: {100 * recall:.1f} % of {len(mouth)}"
          " (with the constants in expressions.py)")
    return 0
