"""What every face detector returns, and the interface the engine calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np

#: What the engine computes from a face while the detector still verifies it (its landmarks and descriptor).
Prepared = TypeVar("Prepared")


@dataclass(frozen=True)
class FaceBox:
    """One face found: the box reported to clients, its confidence, and the box dlib's 5-point model is fed."""

    left: float
    top: float
    width: float
    height: float
    confidence: float  # 0-100, as Rekognition reports it
    shape_rect: Any  # dlib.rectangle in the convention dlib's 5-point model was trained on (HOG's boxes)
    eyes: tuple[tuple[float, float], tuple[float, float]] | None = None  # the detector's own eye centres, if any

    @property
    def area(self) -> float:
        """Box area in square pixels."""
        return self.width * self.height


class FaceDetector(Protocol):
    """Finds faces in an (H, W, 3) uint8 RGB image, largest box first."""

    name: str

    def detect(self, image: np.ndarray, *, largest_only: bool, min_face: int) -> list[FaceBox]:
        """Every face down to Rekognition's proportional minimum of `min_face` px, or only the largest."""
        ...

    def largest_with(self, image: np.ndarray, *, min_face: int,
                     prepare: Callable[[FaceBox], Prepared]) -> tuple[FaceBox, Prepared] | None:
        """The largest face (as detect with largest_only) and prepare(face); None when there is no face.

        A detector that verifies its candidates may run prepare on a candidate while it verifies it.
        """
        ...


def prepare_after(detector: FaceDetector, image: np.ndarray, min_face: int,
                  prepare: Callable[[FaceBox], Prepared]) -> tuple[FaceBox, Prepared] | None:
    """largest_with for a detector with nothing to overlap: detect the largest face, then prepare it."""
    found = detector.detect(image, largest_only=True, min_face=min_face)
    return (found[0], prepare(found[0])) if found else None


def largest_first(found: list[FaceBox]) -> list[FaceBox]:
    """Largest box first; ties broken by higher confidence, then position, for a stable order."""
    return sorted(found, key=lambda f: (-f.area, -f.confidence, f.top, f.left))
