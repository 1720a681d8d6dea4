"""The engine's own Gender and AgeRange audited per group against a labels CSV (Gender Shades' measurement)."""

from __future__ import annotations

import math
from typing import Any

from emulator.tools.audit.describe import Described
from emulator.tools.audit.photos import Truth

OVERALL = "overall"


def wilson(successes: int, total: int, z: float = 1.96) -> list[float] | None:
    """Wilson's 95 % interval for a proportion (None for no trials)."""
    if total == 0:
        return None
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return [max(0.0, centre - half), min(1.0, centre + half)]


def _tally(rows: list[tuple[Truth, Any]]) -> dict[str, Any]:
    """Gender accuracy, age MAE and AgeRange coverage of (truth, estimate) rows."""
    gender = [(t.gender, e.gender) for t, e in rows if t.gender and e.gender]
    right = sum(1 for truth, guess in gender if truth == guess)
    exact = [(t.age, e) for t, e in rows if t.age is not None and e.age_low is not None]
    errors = [abs((e.age_low + e.age_high) / 2 - age) for age, e in exact]
    covered = sum(1 for age, e in exact if e.age_low <= age <= e.age_high)
    brackets = [(t.age_bracket, e) for t, e in rows if t.age_bracket is not None and e.age_low is not None]
    overlap = sum(1 for (lo, hi), e in brackets if e.age_low <= hi and e.age_high >= lo)
    return {
        "gender_labelled": len(gender), "gender_accuracy": right / len(gender) if gender else None,
        "gender_accuracy_ci": wilson(right, len(gender)),
        "age_labelled": len(exact), "age_mae": sum(errors) / len(errors) if errors else None,
        "age_range_coverage": covered / len(exact) if exact else None,
        "age_range_coverage_ci": wilson(covered, len(exact)),
        "age_group_labelled": len(brackets), "age_group_overlap": overlap / len(brackets) if brackets else None,
        "age_group_overlap_ci": wilson(overlap, len(brackets)),
    }


def audit(described: Described, truth: dict[str, Truth], group_of: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Per population (overall, then each group) the attribute errors on labelled photos with a face."""
    rows = [(identity, truth[identity], est) for identity, est in zip(described.identities, described.estimates,
                                                                     strict=True) if identity in truth]
    out = {OVERALL: _tally([(t, e) for _, t, e in rows])}
    for group in sorted({group_of[i] for i, _, _ in rows if i in group_of}):
        out[group] = _tally([(t, e) for i, t, e in rows if group_of.get(i) == group])
    return out
