"""dlib's HOG detector (``--detector hog``), with detect.py's scale strategy, as a FaceDetector."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from emulator.engine import detect
from emulator.engine.detectors.base import FaceBox, Prepared, prepare_after


def dlib_boxes(found: list[detect.Detection]) -> list[FaceBox]:
    """dlib detections as FaceBoxes: the reported box and the 5-point model's box are the same rectangle."""
    return [FaceBox(left=float(d.left), top=float(d.top), width=float(d.width), height=float(d.height),
                    confidence=detect.score_to_confidence(d.score), shape_rect=d.rect) for d in found]


class HogDetector:
    """HOG: frontal faces only; 40-px faces need dlib's upsampling (see detect.py)."""

    name = "hog"

    def detect(self, image: np.ndarray, *, largest_only: bool, min_face: int) -> list[FaceBox]:
        """Faces down to the proportional minimum, largest first."""
        return dlib_boxes(detect.detect(image, largest_only=largest_only, detector="hog", min_face=min_face))

    def largest_with(self, image: np.ndarray, *, min_face: int,
                     prepare: Callable[[FaceBox], Prepared]) -> tuple[FaceBox, Prepared] | None:
        """The largest face, then prepare(face)."""
        return prepare_after(self, image, min_face, prepare)
