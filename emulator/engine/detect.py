"""Face detection with dlib (``--detector hog``, and CNN MMOD for ``mmod``/``cnn``) and its small-face strategy.

Strategy (measured on this machine, dlib-bin 20.0.1, 2 vCPU; see the engine report):
HOG's window is 80x80 px, so at upsample 0 it finds faces of ~80 px and up; each 2x upsample
halves that and costs ~4x the time (1024x768: 0.10 s at upsample 0, 0.46 s at upsample 1).
Rekognition promises faces of 40x40 px in a 1920x1080 image, and proportionally larger faces
in larger images.  So the detection scale is ``f = 80 / min_face`` where
``min_face = 40 * max(1, W/1920, H/1080)``, clamped to [1, 2]:
- images up to 1920x1080 get f = 2 (dlib's own upsample=1 pass), finding 40-px faces;
- larger images get 1 < f < 2 (the image is resized by f, then one upsample-0 pass);
- from 3840x2160 up, f = 1 (upsample 0 already finds the proportional minimum).
All faces: one pass at f (its pyramid also covers every larger face, so no second pass).
Largest face only: a cheap pass at f = 1 first; the pass at f runs only if that finds nothing.

Confidence: dlib's detector score s (an SVM margin for HOG, the MMOD score for CNN; 0 is
the detection threshold) is mapped with the logistic ``100 / (1 + exp(-(ln 9 + s ln 11)))``:
s = 0 -> 90, s = 1 -> 99, s = 2 -> 99.92; real frontal faces score 0.5-3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import dlib
import numpy as np
from PIL import Image

from emulator.engine import models
from emulator.engine.resolution import AWS_MIN_FACE, smallest_face

#: Smallest face HOG/MMOD finds without upsampling, in pixels.
DETECTOR_WINDOW = 80
#: "cnn" is the old name of "mmod" (dlib's CNN face detector), kept as an alias.
DETECTORS = ("hog", "mmod", "cnn")
MMOD_DETECTORS = ("mmod", "cnn")

_CONF_A = math.log(9.0)
_CONF_B = math.log(11.0)


@dataclass(frozen=True)
class Detection:
    """A raw detector hit: integer pixel box (dlib rectangle, inclusive corners) and score."""

    rect: Any  # dlib.rectangle in full-image coordinates
    score: float

    @property
    def left(self) -> int:
        """Left column."""
        return int(self.rect.left())

    @property
    def top(self) -> int:
        """Top row."""
        return int(self.rect.top())

    @property
    def width(self) -> int:
        """Width in pixels (dlib corners are inclusive)."""
        return int(self.rect.right() - self.rect.left() + 1)

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.rect.bottom() - self.rect.top() + 1)

    @property
    def area(self) -> int:
        """Box area in square pixels."""
        return self.width * self.height


def score_to_confidence(score: float) -> float:
    """Map a dlib detector score to 0-100 (90 at the detection threshold 0, 99 at score 1)."""
    z = _CONF_A + _CONF_B * score
    if z < -700:
        return 0.0
    return 100.0 / (1.0 + math.exp(-z))


def detection_scale(width: int, height: int, min_face: int = AWS_MIN_FACE) -> float:
    """Scale at which the detector's 80-px window matches Rekognition's proportional minimum face."""
    return min(2.0, max(1.0, DETECTOR_WINDOW / smallest_face(width, height, min_face)))


def detect(image: np.ndarray, *, largest_only: bool = False, detector: str = "hog",
           min_face: int = AWS_MIN_FACE) -> list[Detection]:
    """Find faces in an RGB image, largest first, following the module's scale strategy."""
    if detector not in DETECTORS:
        raise ValueError(f"unknown detector {detector!r}; expected one of {DETECTORS}")
    height, width = image.shape[:2]
    scale = detection_scale(width, height, min_face)
    if largest_only or scale <= 1.0:
        found = _run(image, 1.0, detector)
        if found or scale <= 1.0:
            return _sorted(found)
    return _sorted(_run(image, scale, detector))


def _sorted(found: list[Detection]) -> list[Detection]:
    """Largest box first; ties broken by higher score, then position, for a stable order."""
    return sorted(found, key=lambda d: (-d.area, -d.score, d.top, d.left))


def _run(image: np.ndarray, scale: float, detector: str) -> list[Detection]:
    """One detector pass at the given scale; boxes are mapped back to image coordinates."""
    upsample = 0
    work = image
    factor = 1.0
    if scale >= 2.0:
        upsample = 1
    elif scale > 1.0:
        h, w = image.shape[:2]
        new_size = (max(1, round(w * scale)), max(1, round(h * scale)))
        work = np.asarray(Image.fromarray(image).resize(new_size, Image.Resampling.BILINEAR))
        factor = w / new_size[0]
    if detector == "hog":
        with models.hog_detector_lease() as hog:
            rects, scores, _ = hog.run(work, upsample, 0.0)
        hits = list(zip(rects, scores, strict=True))
    else:
        from emulator.engine.mmod import detect_mmod  # onnx and onnxruntime load only when MMOD is used

        hits = detect_mmod(work, upsample)
    out = []
    for rect, score in hits:
        if factor != 1.0:
            rect = dlib.rectangle(
                round(rect.left() * factor), round(rect.top() * factor),
                round((rect.right() + 1) * factor) - 1, round((rect.bottom() + 1) * factor) - 1,
            )
        out.append(Detection(rect=rect, score=float(score)))
    return out
