"""Value types shared by the attribute estimators: what they read (FaceView) and what they return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

#: Rekognition's eight emotion types (botocore's EmotionName enum, without UNKNOWN).
EMOTION_TYPES = ("HAPPY", "SAD", "ANGRY", "CONFUSED", "DISGUSTED", "SURPRISED", "CALM", "FEAR")

#: Every attribute name DetectFaces/IndexFaces accept besides DEFAULT and ALL (botocore's Attribute enum).
ATTRIBUTE_NAMES = (
    "AGE_RANGE", "BEARD", "EMOTIONS", "EYE_DIRECTION", "EYEGLASSES", "EYES_OPEN", "FACE_OCCLUDED", "GENDER",
    "MOUTH_OPEN", "MUSTACHE", "SMILE", "SUNGLASSES",
)


@dataclass(frozen=True)
class FaceView:
    """One detected face as the estimators see it; every array is read-only input.

    - image: the whole (H, W, 3) uint8 RGB image the face was found in;
    - box: (left, top, width, height) in pixels, as reported in BoundingBox;
    - points5: dlib's five points, shape (5, 2), in pixels (landmarks.py explains their order);
    - chip: dlib's aligned 150x150 RGB chip (the descriptor's input), or None when not computed;
    - mesh: MediaPipe's 468 points, shape (468, 3): x, y in pixels, z depth in the same scale, or None;
    - irises: the two iris centres and radii from the iris model, shape (2, 3): x, y, r in pixels, or None;
    - eyelids: the iris model's 16 eye-contour points per eye, shape (2, 16, 2) in pixels, or None (with irises).
    The eye on the image's left comes first in irises and eyelids.
    """

    image: np.ndarray
    box: tuple[float, float, float, float]
    points5: np.ndarray
    chip: np.ndarray | None = None
    mesh: np.ndarray | None = None
    irises: np.ndarray | None = None
    eyelids: np.ndarray | None = None


@dataclass(frozen=True)
class Verdict:
    """A yes/no attribute and how sure the estimate is (0-100, calibrated on labelled photos)."""

    value: bool
    confidence: float


@dataclass(frozen=True)
class AgeRange:
    """Estimated age range in years, inclusive."""

    low: int
    high: int


@dataclass(frozen=True)
class Gender:
    """Predicted gender ("Male" or "Female", Rekognition's values) and confidence 0-100."""

    value: str
    confidence: float


@dataclass(frozen=True)
class Emotion:
    """One of EMOTION_TYPES and its confidence 0-100."""

    type: str
    confidence: float


@dataclass(frozen=True)
class EyeDirection:
    """Gaze in degrees (Yaw, Pitch, Rekognition's conventions) and confidence 0-100."""

    yaw: float
    pitch: float
    confidence: float


@dataclass(frozen=True)
class FaceAttributes:
    """Every non-DEFAULT FaceDetail field; None where not asked for (never where asked and computable)."""

    age_range: AgeRange | None = None
    gender: Gender | None = None
    smile: Verdict | None = None
    eyeglasses: Verdict | None = None
    sunglasses: Verdict | None = None
    beard: Verdict | None = None
    mustache: Verdict | None = None
    eyes_open: Verdict | None = None
    mouth_open: Verdict | None = None
    face_occluded: Verdict | None = None
    emotions: tuple[Emotion, ...] | None = None  # all eight types, highest confidence first
    eye_direction: EyeDirection | None = None
    landmarks: dict[str, tuple[float, float]] = field(default_factory=dict)  # all 30 types, pixels


class Estimator(Protocol):
    """An attribute estimator: reads a FaceView, returns the FaceAttributes fields it owns (others None)."""

    fields: frozenset[str]  # the ATTRIBUTE_NAMES it computes

    def __call__(self, view: FaceView) -> FaceAttributes:
        """Estimate this estimator's fields for one face."""
        ...
