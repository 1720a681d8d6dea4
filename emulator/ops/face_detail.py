"""Engine faces to AWS FaceDetail, ComparedFace and BoundingBox dicts (ratios of the image).

Which fields: DEFAULT (or no Attributes) gives BoundingBox, Confidence, the five default Landmarks, Pose and
Quality; each named attribute adds its member to DEFAULT's; ALL (with or without DEFAULT) adds every member
and the other landmark types. Numbers as AWS sends them: confidences and angles are float32 values, AgeRange
whole years. A member is present when the engine computed it (every estimator the engine registers).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from emulator.engine import LANDMARK_NAMES, DetectedFace
from emulator.engine.attributes.registry import ALL
from emulator.engine.attributes.types import FaceAttributes, Verdict

#: Attributes that ComparedFace carries in CompareFaces (botocore's ComparedFace members beyond DEFAULT's).
COMPARED_ATTRIBUTES = frozenset({"EMOTIONS", "SMILE"})
_VERDICTS = (("Smile", "smile"), ("Eyeglasses", "eyeglasses"), ("Sunglasses", "sunglasses"), ("Beard", "beard"),
             ("Mustache", "mustache"), ("EyesOpen", "eyes_open"), ("MouthOpen", "mouth_open"))


def requested(attributes: Iterable[str] | None) -> frozenset[str]:
    """The engine's attribute names for an Attributes / DetectionAttributes list (ALL -> all of them)."""
    names = frozenset(attributes or ())
    if "ALL" in names:
        return ALL
    return names - {"DEFAULT"}


def f32(value: float) -> float:
    """A number as AWS sends it: the nearest float32 value."""
    return float(np.float32(value))


def bounding_box(face: DetectedFace, width: int, height: int) -> dict[str, float]:
    """Return the face box as ratios of the image; may fall outside [0, 1] at the edges."""
    return {
        "Width": face.width / width,
        "Height": face.height / height,
        "Left": face.left / width,
        "Top": face.top / height,
    }


def landmarks(face: DetectedFace, width: int, height: int) -> list[dict[str, Any]]:
    """Return the five default landmarks, then any other types the engine computed, as ratios of the image."""
    extra = face.attributes.landmarks if face.attributes is not None else {}
    points = {**{kind: face.landmarks[kind] for kind in LANDMARK_NAMES if kind in face.landmarks}, **extra}
    return [{"Type": kind, "X": x / width, "Y": y / height} for kind, (x, y) in points.items()]


def compared_face(face: DetectedFace, width: int, height: int) -> dict[str, Any]:
    """Return a ComparedFace: box, confidence, landmarks, pose, quality, and Emotions/Smile when computed."""
    out: dict[str, Any] = {
        "BoundingBox": bounding_box(face, width, height),
        "Confidence": face.confidence,
        "Landmarks": landmarks(face, width, height),
    }
    if face.quality is not None:  # always, for faces detected with details (every path that renders a FaceDetail)
        out["Quality"] = {"Brightness": face.quality.brightness, "Sharpness": face.quality.sharpness}
    if face.pose is not None:
        out["Pose"] = {"Roll": face.pose.roll, "Yaw": face.pose.yaw, "Pitch": face.pose.pitch}
    attrs = face.attributes
    if attrs is not None:
        if attrs.emotions is not None:
            out["Emotions"] = _emotions(attrs)
        if attrs.smile is not None:
            out["Smile"] = _verdict(attrs.smile)
    return out


def face_detail(face: DetectedFace, width: int, height: int) -> dict[str, Any]:
    """Return a FaceDetail: DEFAULT's members and every attribute the engine computed for this face."""
    out = compared_face(face, width, height)
    attrs = face.attributes
    if attrs is None:
        return out
    out.update(_attribute_members(attrs))
    return out


def _attribute_members(attrs: FaceAttributes) -> dict[str, Any]:
    """The FaceDetail members beyond DEFAULT's that the attributes hold, in AWS's shapes."""
    out: dict[str, Any] = {}
    if attrs.age_range is not None:
        out["AgeRange"] = {"Low": int(attrs.age_range.low), "High": int(attrs.age_range.high)}
    if attrs.gender is not None:
        out["Gender"] = {"Value": attrs.gender.value, "Confidence": f32(attrs.gender.confidence)}
    for member, name in _VERDICTS:
        verdict = getattr(attrs, name)
        if verdict is not None:
            out[member] = _verdict(verdict)
    if attrs.emotions is not None:
        out["Emotions"] = _emotions(attrs)
    if attrs.face_occluded is not None:
        out["FaceOccluded"] = _verdict(attrs.face_occluded)
    if attrs.eye_direction is not None:
        gaze = attrs.eye_direction
        out["EyeDirection"] = {"Yaw": f32(gaze.yaw), "Pitch": f32(gaze.pitch), "Confidence": f32(gaze.confidence)}
    return out


def _verdict(verdict: Verdict) -> dict[str, Any]:
    """{Value, Confidence} for a yes/no attribute."""
    return {"Value": bool(verdict.value), "Confidence": f32(verdict.confidence)}


def _emotions(attrs: FaceAttributes) -> list[dict[str, Any]]:
    """[{Type, Confidence}] for every emotion, in the estimator's order (highest confidence first)."""
    return [{"Type": e.type, "Confidence": f32(e.confidence)} for e in attrs.emotions or ()]
