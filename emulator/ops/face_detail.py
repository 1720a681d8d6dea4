"""Engine faces to AWS FaceDetail, ComparedFace and BoundingBox dicts (ratios of the image)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from emulator.engine import DetectedFace

LANDMARK_TYPES = ("eyeLeft", "eyeRight", "mouthLeft", "mouthRight", "nose")


def bounding_box(face: DetectedFace, width: int, height: int) -> dict[str, float]:
    """Return the face box as ratios of the image; may fall outside [0, 1] at the edges."""
    return {
        "Width": face.width / width,
        "Height": face.height / height,
        "Left": face.left / width,
        "Top": face.top / height,
    }


def landmarks(face: DetectedFace, width: int, height: int) -> list[dict[str, Any]]:
    """Return the five default landmarks as ratios of the image."""
    return [
        {"Type": kind, "X": face.landmarks[kind][0] / width, "Y": face.landmarks[kind][1] / height}
        for kind in LANDMARK_TYPES
        if kind in face.landmarks
    ]


def compared_face(face: DetectedFace, width: int, height: int) -> dict[str, Any]:
    """Return a ComparedFace: box, confidence, landmarks, pose and quality."""
    return {
        "BoundingBox": bounding_box(face, width, height),
        "Confidence": face.confidence,
        "Landmarks": landmarks(face, width, height),
        "Pose": {"Roll": face.pose.roll, "Yaw": face.pose.yaw, "Pitch": face.pose.pitch},
        "Quality": {"Brightness": face.quality.brightness, "Sharpness": face.quality.sharpness},
    }


def face_detail(face: DetectedFace, width: int, height: int, attributes: Sequence[str] | None = None) -> dict[str, Any]:
    """Return a FaceDetail with the DEFAULT attributes, the only ones this engine computes."""
    del attributes  # AgeRange, Gender, Emotions, ... have no model here: they are left out, never invented
    return compared_face(face, width, height)
