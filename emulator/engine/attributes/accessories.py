"""Eyeglasses, Sunglasses, Beard, Mustache, FaceOccluded: designed measures on the mesh and the pixels.

No model whose weights ship in a registry package was found for these fields (face-models.md), so each is a
small logistic regression on a few pixel measures of face-mesh regions (face_regions.py defines the
regions and measures; each is taken against the same face's forehead and upper-cheek skin):
- EYEGLASSES: horizontal edges across the nose bridge (a frame's bridge), the strongest straight edge under
  each eye (lower rims), the eyes' luminance spread;
- SUNGLASSES: darkness under the eyes (lenses cover skin there), the eyes' luminance spread and texture
  (lenses hide lids, lashes and iris edges), the bridge's straight edge;
- BEARD: darkness and greyness of the upper lip, the share of nose, lip, chin and jaw pixels still
  skin-coloured;
- MUSTACHE: darkness and greyness of the upper lip, jaw darkness, chin texture;
- FACE_OCCLUDED: colour shift of nose, upper lip and chin from the skin, their texture (masks are smooth),
  jaw texture and darkness (masks, hands). AWS counts dark sunglasses as occlusion too ("covered by masks,
  dark sunglasses, cell phones, hands"): when P(Sunglasses) >= DARK_SUNGLASSES, FaceOccluded is true with
  Sunglasses' confidence. AWS's docs do not say Sunglasses implies Eyeglasses: the two are independent.
Features were chosen per field by forward selection (cross-validated AUC on the tuning half) among the
measures of its own face regions; the eye-brightness measure was left out because it reads sclera against
skin, i.e. the skin's darkness.
Each field's coefficients, intercept and isotonic calibration (logit -> P(true)) are constants below,
produced by ``scripts/measure_attributes --field accessories`` on the tuning half of
../shared/faces/_attributes. Value is P(true) >= 0.5; Confidence is 100 x P(Value is right), i.e.
100 x max(P, 1 - P). Held-out figures are in the README.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from emulator.engine.attributes.calibration import Calibration
from emulator.engine.attributes.face_regions import canonical_face, features
from emulator.engine.attributes.types import FaceAttributes, FaceView, Verdict

#: P(Sunglasses) from which the sunglasses count as dark ones for FaceOccluded (AWS: "dark sunglasses").
DARK_SUNGLASSES = 0.9


@dataclass(frozen=True)
class FieldModel:
    """One field: its feature names, logistic coefficients and intercept, and P(true | logit) knots."""

    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    calibration: Calibration


@dataclass(frozen=True)
class FieldSpec:
    """Which features a field's logistic reads."""

    features: tuple[str, ...]


FIELDS = {
    "EYEGLASSES": FieldSpec(("bridge_edges", "eye_spread", "rim_line")),
    "SUNGLASSES": FieldSpec(("under_dark", "eye_spread", "eye_texture", "bridge_line")),
    "BEARD": FieldSpec(("lip_dark", "lower_skin", "lip_desat")),
    "MUSTACHE": FieldSpec(("lip_dark", "lip_desat", "jaw_dark", "chin_texture")),
    "FACE_OCCLUDED": FieldSpec(("lower_chroma", "lower_texture", "jaw_texture", "jaw_dark")),
}

#: Fitted by scripts/measure_attributes --field accessories (tuning half).
MODELS: dict[str, FieldModel] = {
    "EYEGLASSES": FieldModel(
        ('bridge_edges', 'eye_spread', 'rim_line'),
        (2.7791, -11.244, -0.3488), 0.5525,
        Calibration((-5.059, -4.278, -3.857, -3.577, -3.38, -2.844, -2.356, -2.046, -1.676, -1.429,
                     -0.935),
                    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0246, 0.1034, 0.1293, 0.1724, 0.4483,
                     0.6897))),
    "SUNGLASSES": FieldModel(
        ('under_dark', 'eye_spread', 'eye_texture', 'bridge_line'),
        (3.3437, 2.7375, -0.9472, 0.5657), -5.2274,
        Calibration((-4.209, -3.447, -3.21, -2.935, -2.217, 0.766),
                    (0.005, 0.0349, 0.0465, 0.0952, 0.3333, 0.9762))),
    "BEARD": FieldModel(
        ('lip_dark', 'lower_skin', 'lip_desat'),
        (2.1403, -2.6122, 0.9837), -1.3692,
        Calibration((-4.023, -3.621, -3.432, -3.236, -2.988, -2.376, -1.668, -1.325, -0.897, -0.41,
                     0.597),
                    (0.0, 0.0, 0.05, 0.05, 0.0678, 0.1504, 0.3158, 0.3158, 0.5263, 0.5263,
                     0.7368))),
    "MUSTACHE": FieldModel(
        ('lip_dark', 'lip_desat', 'jaw_dark', 'chin_texture'),
        (3.7259, 1.7714, -1.5545, 1.1338), -5.2688,
        Calibration((-6.059, -5.48, -5.195, -4.971, -4.794, -4.613, -4.473, -4.35, -4.243, -3.754,
                     -3.168, -2.915, -2.238, -0.803),
                    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0062,
                     0.0741, 0.1111, 0.1111, 0.6667))),
    "FACE_OCCLUDED": FieldModel(
        ('lower_chroma', 'lower_texture', 'jaw_texture', 'jaw_dark'),
        (2.7842, -2.7897, 1.6965, 0.8825), -3.9535,
        Calibration((-3.721, -2.411, -1.996, -1.444, -0.901, -0.436, 0.11, 1.794),
                    (0.0612, 0.1429, 0.3889, 0.5833, 0.6667, 0.8333, 0.8333, 0.9583))),
}


def score(model: FieldModel, x: dict[str, float]) -> float:
    """The logistic's logit for one face's features."""
    return model.intercept + math.fsum(c * x[n] for n, c in zip(model.features, model.coefficients, strict=True))


def probability(field: str, models: dict[str, FieldModel], x: dict[str, float]) -> float:
    """Calibrated P(the field is true) for one face's features."""
    model = models[field]
    return model.calibration.probability(score(model, x))


def verdict(field: str, models: dict[str, FieldModel], x: dict[str, float]) -> Verdict:
    """The field's Value and Confidence (FACE_OCCLUDED also true for dark sunglasses)."""
    p = probability(field, models, x)
    if field == "FACE_OCCLUDED" and p < 0.5:
        sun = probability("SUNGLASSES", models, x)
        if sun >= DARK_SUNGLASSES:
            return Verdict(True, 100.0 * sun)
    return Verdict(p >= 0.5, 100.0 * max(p, 1.0 - p))


class AccessoryEstimator:
    """EYEGLASSES, SUNGLASSES, BEARD, MUSTACHE, FACE_OCCLUDED from one face's mesh and pixels."""

    fields = frozenset(FIELDS)

    def __call__(self, view: FaceView) -> FaceAttributes:
        """The five verdicts for one face (its FaceView must carry the mesh)."""
        if view.mesh is None:
            raise ValueError("the accessory estimator needs the face mesh in its FaceView")
        x = features(canonical_face(view.image, view.mesh))
        return FaceAttributes(
            eyeglasses=verdict("EYEGLASSES", MODELS, x), sunglasses=verdict("SUNGLASSES", MODELS, x),
            beard=verdict("BEARD", MODELS, x), mustache=verdict("MUSTACHE", MODELS, x),
            face_occluded=verdict("FACE_OCCLUDED", MODELS, x))
