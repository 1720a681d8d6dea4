"""dlib's MMOD CNN detector (``--detector mmod``, alias ``cnn``), run by dlib itself for now.

The slot for the same weights rebuilt as an ONNX graph (emulator/engine/mmod/): when that runtime
lands, MmodDetector.detect calls it instead of detect.detect(detector="cnn").
"""

from __future__ import annotations

import numpy as np

from emulator.engine import detect
from emulator.engine.detectors.base import FaceBox
from emulator.engine.detectors.hog import dlib_boxes


class MmodDetector:
    """dlib's CNN (mmod_human_face_detector.dat), serialised behind detect.py's lock; slow but HOG-like boxes."""

    name = "mmod"

    def detect(self, image: np.ndarray, *, largest_only: bool, min_face: int) -> list[FaceBox]:
        """Faces down to the proportional minimum, largest first."""
        return dlib_boxes(detect.detect(image, largest_only=largest_only, detector="cnn", min_face=min_face))
