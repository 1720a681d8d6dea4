"""Eyeglasses, Sunglasses, Beard, Mustache and FaceOccluded: fit each field's logistic and calibration, report.

Photos (../shared/faces/_attributes): lfw_kumar_attributes (eyeglasses, sunglasses, beard, mustache; weak
labels), sunglasses_selfies (sunglasses true), face_mask (face_occluded true/false) and, for the bias check,
fairface's women and children (beard and mustache near-certainly false, no masks).
Tunes on the even-hash half: per field, a logistic regression on its few features (accessories.FIELDS;
Newton's method with a small ridge on standardised features, written back in raw units), fitted on the
field's labelled photos plus fairface's women and children counted as false for every field (no beard or
mustache; masks and sunglasses are rare there: without them the fit learnt LFW's and the selfies' skin and
photo style, and called a quarter of fairface's Black women occluded or sunglassed), then an isotonic map
from its logit to P(true), fitted on the field's own labelled photos only (so P keeps their base
rate). Reports on the other half: accuracy, balanced accuracy, AUC of P(true), the Confidence's reliability,
and the share of fairface women and children given each field per race group (the bias check).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from _common import faces_root, is_tuning, rows, table, views

from emulator.engine import Engine
from emulator.engine.attributes import accessories as acc
from emulator.engine.attributes.calibration import Calibration, fit_isotonic, reliability
from emulator.engine.attributes.face_regions import canonical_face, features

SETS = ("lfw_kumar_attributes", "sunglasses_selfies", "face_mask", "fairface")
#: The manifest column holding each field's label.
LABELS = {"EYEGLASSES": "eyeglasses", "SUNGLASSES": "sunglasses", "BEARD": "beard", "MUSTACHE": "mustache",
          "FACE_OCCLUDED": "face_occluded"}
RIDGE = 1e-2


@dataclass
class Sample:
    """One labelled face's features."""

    row: dict[str, str]
    tune: bool
    x: dict[str, float]

    def label(self, field: str) -> bool | None:
        """The photo's label for the field (None when it carries none; false for fairface women and children)."""
        if self.bias_group() is not None:
            return False  # assumed: near-certainly no beard or mustache, and masks or sunglasses are rare there
        value = self.row[LABELS[field]]
        return None if not value else value == "true"

    def bias_group(self) -> str | None:
        """fairface's race for women and children (where a beard or mustache is near-certainly absent)."""
        r = self.row
        if r["set"] == "fairface" and (r["gender"] == "female" or r["age_group"] in ("0-2", "3-9", "10-19")):
            return r["race"]
        return None


def wanted(row: dict[str, str]) -> bool:
    """The photos this measurement uses."""
    return row["set"] != "fairface" or row["gender"] == "female" or row["age_group"] in ("0-2", "3-9", "10-19")


def collect(args: argparse.Namespace) -> tuple[list[Sample], dict[str, list[int]]]:
    """Features of the largest face of every photo; photos and faces found per set."""
    engine = Engine(threads=1)
    root = faces_root(args.faces)
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    out = []
    for row, view in views(engine, root, [r for r in rows(root, SETS, args.limit) if wanted(r)]):
        found[row["set"]][0] += 1
        if view is None or view.mesh is None:
            continue
        found[row["set"]][1] += 1
        out.append(Sample(row, is_tuning(row["path"]), features(canonical_face(view.image, view.mesh))))
    return out, found


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Ridge-regularised logistic regression by Newton's method: (coefficients in raw units, intercept)."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.column_stack([np.ones(len(x)), (x - mean) / std])
    w = np.zeros(z.shape[1])
    penalty = RIDGE * len(x) * np.diag([0.0] + [1.0] * x.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty @ w
        hess = z.T @ (z * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    coef = w[1:] / std
    return coef, float(w[0] - coef @ mean)


def logit(model: acc.FieldModel, s: Sample) -> float:
    """The model's score for one sample."""
    return acc.score(model, s.x)


def fit_field(field: str, tune: list[Sample]) -> acc.FieldModel:
    """The field's logistic on its labelled tuning photos, then the isotonic P(true | logit) on the same."""
    names = acc.FIELDS[field].features
    labelled = [s for s in tune if s.label(field) is not None]
    x = np.array([[s.x[n] for n in names] for s in labelled])
    y = np.array([bool(s.label(field)) for s in labelled], dtype=np.float64)
    coef, intercept = fit_logistic(x, y)
    model = acc.FieldModel(names, tuple(round(float(c), 4) for c in coef), round(intercept, 4),
                           Calibration((0.0,), (0.5,)))
    own = [s for s in labelled if s.bias_group() is None]  # calibrated on the field's own labelled sets
    calibration = fit_isotonic([logit(model, s) for s in own], [bool(s.label(field)) for s in own])
    rounded = Calibration(tuple(round(v, 3) for v in calibration.scores),
                          tuple(round(v, 4) for v in calibration.probabilities))
    return acc.FieldModel(names, model.coefficients, model.intercept, rounded)


def print_model(field: str, model: acc.FieldModel) -> None:
    """The constants for accessories.py (knots wrapped at ten per line)."""
    def wrapped(values: tuple[float, ...]) -> str:
        rows = [", ".join(repr(v) for v in values[i:i + 10]) for i in range(0, len(values), 10)]
        return "(" + (",\n" + " " * 21).join(rows) + ("," if len(values) == 1 else "") + ")"

    print(f'    "{field}": FieldModel(\n        {model.features!r},\n        {model.coefficients!r}, '
          f"{model.intercept!r},\n        Calibration({wrapped(model.calibration.scores)},\n"
          f"                    {wrapped(model.calibration.probabilities)})),")


def rate(right: list[bool], which: list[int]) -> str:
    """Share right among the chosen indices, as a percentage ("-" when none)."""
    return f"{100 * np.mean([right[i] for i in which]):.1f} %" if which else "-"


def auc(positive: list[float], negative: list[float]) -> float:
    """P(a true photo's P(true) exceeds a false photo's), ties counting half (Mann-Whitney)."""
    pos, neg = np.asarray(positive)[:, None], np.asarray(negative)[None, :]
    return float(np.mean((pos > neg) + 0.5 * (pos == neg)))


def report_field(field: str, models: dict[str, acc.FieldModel], held: list[Sample]) -> None:
    """Held-out accuracy per set, balanced accuracy and reliability of the Confidence."""
    labelled = [s for s in held if s.label(field) is not None]
    verdicts = [acc.verdict(field, models, s.x) for s in labelled]
    truth = [bool(s.label(field)) for s in labelled]
    right = [v.value == t for v, t in zip(verdicts, truth, strict=True)]
    lines: list[list[object]] = []
    for name in sorted({s.row["set"] for s in labelled}):
        idx = [i for i, s in enumerate(labelled) if s.row["set"] == name]
        pos = [i for i in idx if truth[i]]
        neg = [i for i in idx if not truth[i]]
        lines.append([name, len(idx), len(pos), rate(right, idx), rate(right, pos), rate(right, neg)])
    pos = [i for i, t in enumerate(truth) if t]
    neg = [i for i, t in enumerate(truth) if not t]
    p_true = [v.confidence / 100 if v.value else 1 - v.confidence / 100 for v in verdicts]
    balanced = 50 * (np.mean([right[i] for i in pos]) + np.mean([right[i] for i in neg]))
    lines.append(["all", len(labelled), len(pos), rate(right, list(range(len(right)))), rate(right, pos),
                  rate(right, neg)])
    print(f"\n### {field}: held-out\n")
    print(table(["set", "faces", "labelled true", "right", "right on true", "right on false"], lines))
    ranking = auc([p_true[i] for i in pos], [p_true[i] for i in neg])
    print(f"\nBalanced accuracy {balanced:.1f} %; AUC of P(true) {ranking:.3f}")
    stated = [v.confidence / 100 for v in verdicts]
    print("\nConfidence reliability (held-out):\n")
    print(table(["stated (mean)", "observed right", "faces"],
                [[f"{100 * p:.1f}", f"{100 * o:.1f}", n] for p, o, n in reliability(stated, right)]))


def report_bias(models: dict[str, acc.FieldModel], held: list[Sample]) -> None:
    """Beard / Mustache / FaceOccluded called true on held-out fairface women and children, per race group."""
    groups: dict[str, list[Sample]] = defaultdict(list)
    for s in held:
        group = s.bias_group()
        if group:
            groups[group].append(s)
    lines = []
    for group, part in sorted(groups.items()):
        cells: list[object] = [group, len(part)]
        for field in ("BEARD", "MUSTACHE", "FACE_OCCLUDED", "SUNGLASSES"):
            cells.append(f"{100 * np.mean([acc.verdict(field, models, s.x).value for s in part]):.1f} %")
        lines.append(cells)
    print("\n### False positives on fairface women and children (held-out; truth near-certainly false)\n")
    print(table(["race group", "faces", "Beard true", "Mustache true", "FaceOccluded true", "Sunglasses true"],
                lines))


def run_on(samples: list[Sample]) -> dict[str, acc.FieldModel]:
    """Fit on the tuning half, print the constants and the held-out figures."""
    tune = [s for s in samples if s.tune]
    held = [s for s in samples if not s.tune]
    print(f"\nTuned on {len(tune)} faces; measured on {len(held)} others.")
    models = {field: fit_field(field, tune) for field in acc.FIELDS}
    print("\nConstants for emulator/engine/attributes/accessories.py:\n\nMODELS = {")
    for field, model in models.items():
        print_model(field, model)
    print("}")
    for field in acc.FIELDS:
        report_field(field, models, held)
    report_bias(models, held)
    return models


def run(args: argparse.Namespace) -> int:
    """Collect, tune on the even half, report on the other half."""
    samples, found = collect(args)
    print("## Eyeglasses, Sunglasses, Beard, Mustache, FaceOccluded (scripts/measure_attributes --field accessories)\n")
    print(table(["set", "photos", "largest face found"], [[k, v[0], v[1]] for k, v in sorted(found.items())]))
    run_on(samples)
    return 0
