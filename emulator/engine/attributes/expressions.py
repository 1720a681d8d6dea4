"""EyesOpen, MouthOpen and Smile from the face mesh's geometry in the head's frame (face_geometry.py).

Each Value/Confidence comes from one raw score and an isotonic fit of P(label is true | score) on the tuning
half of ../shared/faces/_attributes (scripts/measure_attributes --field mesh_expressions prints the knots
below and the held-out figures in README): Value is P >= 0.5, Confidence is 100 x P(Value is right), i.e.
100 max(P, 1 - P).

- EyesOpen: face_geometry.lid_opening, the iris model's lid height over eye width (pose-corrected);
  labels: lfw (Kumar et al.'s classifier scores, weak).
- MouthOpen: the inner-lip gap over the mouth width; labels: scripts/measure/mouth_labels.csv (lips apart or
  not, judged by eye from mouth crops of 96 lfw/genki4k photos chosen at random) and lfw's 56 "mouth wide
  open" positives.
- Smile: a logistic combination of the corner lift (corners above the mid-lip point, over the mouth width),
  the mouth's width over the eyes', the inner-lip gap and the log-odds of the emotion network's HAPPY share
  (the network runs again here, on its own session), with SMILE_WEIGHTS fitted on genki4k's and lfw's
  tuning halves, then its own isotonic calibration: Smile is its own estimate, not a copy of Emotions
  (geometry alone: 91 % right on genki4k's held-out half; with HAPPY: 95 %).
"""

from __future__ import annotations

import math

import numpy as np

from emulator.engine import pose
from emulator.engine.attributes import face_geometry as geometry
from emulator.engine.attributes.calibration import Calibration
from emulator.engine.attributes.emotions import EmotionEstimator, eight_way
from emulator.engine.attributes.types import EMOTION_TYPES, FaceAttributes, FaceView, Verdict

#: P(eyes open | mean eye aspect ratio): knots from scripts/measure_attributes --field mesh_expressions.
EYES_OPEN = Calibration(
    scores=(0.1513, 0.2025, 0.2324, 0.2471, 0.2686, 0.2832, 0.2901, 0.2989, 0.3387, 0.4158),
    probabilities=(0.2069, 0.7586, 0.9310, 0.9310, 0.9425, 0.9655, 0.9655, 0.9655, 0.9957, 1.0000))
#: P(mouth open | inner-lip gap over mouth width).
MOUTH_OPEN = Calibration(
    scores=(0.0189, 0.0285, 0.0373, 0.0655, 0.0898, 0.0995, 0.1285, 0.1491, 0.1564, 0.1742, 0.2063, 0.2310,
            0.2528, 0.2768, 0.2984, 0.3240, 0.3482, 0.3842, 0.4045, 0.4413),
    probabilities=(0.0000, 0.0000, 0.2500, 0.2500, 0.5000, 0.7500, 0.7500, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000,
                   1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000))
#: Smile's logistic weights: intercept, corner lift, mouth width, inner-lip gap, log-odds of HAPPY.
SMILE_WEIGHTS = (-4.3048, 53.1753, 6.4516, -3.7062, 0.6381)
#: P(smiling | the logistic score).
SMILE = Calibration(
    scores=(-8.0480, -6.8144, -6.1326, -5.6615, -4.6894, -3.6479, -3.0679, -2.4707, -1.6648, -0.4365, 1.2178,
            2.7141, 3.8104, 4.5432, 5.1463, 5.7538, 6.6208, 8.1215),
    probabilities=(0.0000, 0.0000, 0.0000, 0.0000, 0.0056, 0.0500, 0.0667, 0.0667, 0.1667, 0.3833, 0.7500,
                   0.9167, 0.9833, 1.0000, 1.0000, 1.0000, 1.0000, 1.0000))


def verdict(probability: float) -> Verdict:
    """Value = P >= 0.5; Confidence = 100 x P(Value is right)."""
    value = probability >= 0.5
    return Verdict(value=value, confidence=100.0 * (probability if value else 1.0 - probability))


def eyes_score(mesh: np.ndarray, eyelids: np.ndarray) -> float:
    """The pose-corrected lid opening of the two eyes."""
    head = pose.mesh_pose(mesh)
    return geometry.lid_opening(eyelids, head.yaw, head.pitch)


def happy_logodds(happy: float) -> float:
    """log(p / (1 - p)) of the emotion network's HAPPY share, clipped away from 0 and 1."""
    p = min(max(happy, 1e-4), 1.0 - 1e-4)
    return math.log(p / (1.0 - p))


def smile_features(head: np.ndarray, happy: float) -> tuple[float, float, float, float]:
    """(corner lift, mouth width over eye width, inner-lip gap over mouth width, HAPPY log-odds)."""
    return geometry.corner_lift(head), geometry.mouth_width(head), geometry.mouth_gap(head), happy_logodds(happy)


def smile_score(features: tuple[float, ...], weights: tuple[float, ...] = SMILE_WEIGHTS) -> float:
    """The logistic model's log-odds of a smile."""
    return float(weights[0] + sum(w * f for w, f in zip(weights[1:], features, strict=True)))


def _head(view: FaceView) -> np.ndarray:
    """The view's mesh in the head's frame (ValueError when the engine gave none)."""
    if view.mesh is None:
        raise ValueError("mesh estimators need the face mesh in their FaceView")
    return geometry.head_frame(view.mesh)


class EyesOpenEstimator:
    """EYES_OPEN from the eye aspect ratio."""

    fields = frozenset({"EYES_OPEN"})

    def __call__(self, view: FaceView) -> FaceAttributes:
        """EyesOpen of one face."""
        if view.mesh is None or view.eyelids is None:
            raise ValueError("EyesOpenEstimator needs the face mesh and the eyelids in its FaceView")
        return FaceAttributes(eyes_open=verdict(EYES_OPEN.probability(eyes_score(view.mesh, view.eyelids))))


class MouthOpenEstimator:
    """MOUTH_OPEN from the inner-lip gap."""

    fields = frozenset({"MOUTH_OPEN"})

    def __call__(self, view: FaceView) -> FaceAttributes:
        """MouthOpen of one face."""
        return FaceAttributes(mouth_open=verdict(MOUTH_OPEN.probability(geometry.mouth_gap(_head(view)))))


class SmileEstimator:
    """SMILE from the mouth's shape and the emotion network's HAPPY share."""

    fields = frozenset({"SMILE"})

    def __init__(self) -> None:
        """Load the emotion network (its own session)."""
        self._emotions = EmotionEstimator()

    def happy(self, view: FaceView) -> float:
        """The emotion network's HAPPY share for the face."""
        share = eight_way(self._emotions.view_logits(view))
        return float(share[EMOTION_TYPES.index("HAPPY")])

    def __call__(self, view: FaceView) -> FaceAttributes:
        """Smile of one face."""
        score = smile_score(smile_features(_head(view), self.happy(view)))
        return FaceAttributes(smile=verdict(SMILE.probability(score)))
