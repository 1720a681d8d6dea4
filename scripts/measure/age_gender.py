"""AgeRange and Gender on fairface (7 race groups, age groups) and utkface (5 race groups, exact ages).

Tunes on the even-hash half: GENDER_CALIBRATION (isotonic fit of P(right | logit margin)) and
AGE_LOG_HALF_WIDTH (the AGE_RANGE_COVERAGE quantile of |log(true + 1) - log(mean + 1)| on utkface).
Reports on the other half: gender accuracy overall, per race group, per gender and per race x gender
(the Gender Shades measurement), the calibration's reliability, age MAE and AgeRange coverage per group.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from _common import faces_root, is_tuning, rows, table, views

from emulator.engine import Engine
from emulator.engine.attributes import age_gender as ag
from emulator.engine.attributes.calibration import Calibration, fit_isotonic, reliability

SETS = ("fairface", "utkface")


@dataclass
class Sample:
    """One labelled face and the networks' raw outputs."""

    set: str
    race: str
    gender: str  # "male" / "female"
    age: int | None  # utkface
    group: tuple[int, int] | None  # fairface's age group, inclusive
    tune: bool
    gender_z: np.ndarray  # logits
    age_z: np.ndarray


def age_group(label: str) -> tuple[int, int] | None:
    """FairFace's "20-29" / "70+" as an inclusive (low, high)."""
    if not label:
        return None
    if label.endswith("+"):
        return int(label[:-1]), 200
    low, high = label.split("-")
    return int(low), int(high)


def collect(args: argparse.Namespace) -> tuple[list[Sample], dict[str, tuple[int, int]]]:
    """Run both networks on the largest face of every photo; count photos and faces found per set."""
    engine = Engine()
    gender, age = ag.GenderEstimator(), ag.AgeRangeEstimator()
    root = faces_root(args.faces)
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    out: list[Sample] = []
    for row, view in views(engine, root, rows(root, SETS, args.limit)):
        found[row["set"]][0] += 1
        if view is None:
            continue
        found[row["set"]][1] += 1
        out.append(Sample(row["set"], row["race"], row["gender"], int(row["age"]) if row["age"] else None,
                          age_group(row["age_group"]), is_tuning(row["path"]),
                          gender.network.logits(view), age.network.logits(view)))
    return out, {k: (v[0], v[1]) for k, v in found.items()}


def gender_right(s: Sample) -> bool:
    """Whether the classifier's larger output names the labelled gender."""
    return ag.gender_of(s.gender_z).value.lower() == s.gender


def choose_half_width(tune: list[Sample]) -> float:
    """The split-conformal half-width: the target quantile of the log-age residuals on utkface's tuning half."""
    residuals = [abs(np.log1p(s.age) - np.log1p(ag.expected_age(s.age_z))) for s in tune if s.age is not None]
    return round(float(np.quantile(residuals, ag.AGE_RANGE_COVERAGE, method="higher")), 4)


def covered(s: Sample, half_width: float) -> bool:
    """Whether AgeRange holds the true age (utkface) or overlaps the labelled age group (fairface)."""
    r = ag.age_range_of(s.age_z, half_width)
    if s.age is not None:
        return r.low <= s.age <= r.high
    assert s.group is not None
    return r.low <= s.group[1] and s.group[0] <= r.high


def age_error(s: Sample) -> float:
    """Years from the expected age to the true age (utkface) or to the labelled group (fairface; 0 inside)."""
    e = ag.expected_age(s.age_z)
    if s.age is not None:
        return abs(e - s.age)
    assert s.group is not None
    return max(0.0, s.group[0] - e, e - s.group[1] - 1)


def by(samples: list[Sample], key: Callable[[Sample], str]) -> dict[str, list[Sample]]:
    """Samples grouped by a key, groups sorted by name."""
    out: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        out[key(s)].append(s)
    return dict(sorted(out.items()))


def report(held: list[Sample], half_width: float, calibration: Calibration) -> None:
    """Print the held-out figures per set and group."""
    for name in SETS:
        part = [s for s in held if s.set == name]
        if not part:
            continue
        print(f"\n### {name}: {len(part)} held-out faces\n")
        lines: list[list[object]] = []
        groups = [("all", part), *by(part, lambda s: s.race).items(), *by(part, lambda s: s.gender).items(),
                  *by(part, lambda s: f"{s.race} {s.gender}").items()]
        for label, group in groups:
            acc = np.mean([gender_right(s) for s in group])
            mae = np.mean([age_error(s) for s in group])
            cov = np.mean([covered(s, half_width) for s in group])
            width = np.mean([(lambda r: r.high - r.low)(ag.age_range_of(s.age_z, half_width)) for s in group])
            lines.append([label, len(group), f"{100 * acc:.1f} %", f"{mae:.1f}", f"{100 * cov:.1f} %",
                          f"{width:.1f}"])
        age_col = "age MAE (years)" if name == "utkface" else "years outside the age group"
        cov_col = "AgeRange holds the age" if name == "utkface" else "AgeRange overlaps the group"
        print(table(["group", "faces", "gender right", age_col, cov_col, "AgeRange width"], lines))
    stated = [calibration.probability(ag.gender_margin(s.gender_z)) for s in held]
    print("\n### Gender Confidence reliability (held-out, both sets)\n")
    print(table(["stated (mean)", "observed right", "faces"],
                [[f"{100 * p:.1f}", f"{100 * o:.1f}", n]
                 for p, o, n in reliability(stated, [gender_right(s) for s in held])]))


def run(args: argparse.Namespace) -> int:
    """Collect, tune on the even half, report on the other half."""
    samples, found = collect(args)
    print("## AgeRange and Gender (scripts/measure_attributes --field age_gender)\n")
    print(table(["set", "photos", "largest face found"], [[k, v[0], v[1]] for k, v in sorted(found.items())]))
    tune = [s for s in samples if s.tune]
    held = [s for s in samples if not s.tune]
    calibration = fit_isotonic([ag.gender_margin(s.gender_z) for s in tune], [gender_right(s) for s in tune])
    half_width = choose_half_width(tune)
    print(f"\nTuned on {len(tune)} faces; measured on {len(held)} others.")
    print("\nConstants for emulator/engine/attributes/age_gender.py:\n")
    print(f"AGE_LOG_HALF_WIDTH = {half_width}")
    print("GENDER_CALIBRATION = Calibration(\n    scores=(" + ", ".join(f"{v:.3f}" for v in calibration.scores)
          + "),\n    probabilities=(" + ", ".join(f"{v:.4f}" for v in calibration.probabilities) + "))")
    report(held, half_width, calibration)
    return 0
