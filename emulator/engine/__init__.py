"""The face engine: image bytes -> faces (box, landmarks, pose, quality, descriptor); pure, no web code."""

from __future__ import annotations

from emulator.engine.engine import MAX_FACES, Engine
from emulator.engine.errors import ImageError, ImageTooLarge, ImageTooSmall, InvalidImageFormat
from emulator.engine.face import DetectedFace, Quality
from emulator.engine.filters import quality_filter_reasons
from emulator.engine.image import MAX_PIXELS, MIN_SIDE, decode_image
from emulator.engine.landmarks import LANDMARK_NAMES
from emulator.engine.pose import Pose
from emulator.engine.similarity import DEFAULT_THRESHOLD, max_distance, similarity

__all__ = [
    "DEFAULT_THRESHOLD",
    "LANDMARK_NAMES",
    "MAX_FACES",
    "MAX_PIXELS",
    "MIN_SIDE",
    "DetectedFace",
    "Engine",
    "ImageError",
    "ImageTooLarge",
    "ImageTooSmall",
    "InvalidImageFormat",
    "Pose",
    "Quality",
    "decode_image",
    "max_distance",
    "quality_filter_reasons",
    "similarity",
]
