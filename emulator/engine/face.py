"""Value types the engine returns: one detected face with its box, landmarks, pose, quality, descriptor, attributes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulator.engine.attributes.types import FaceAttributes
from emulator.engine.pose import Pose


@dataclass(frozen=True)
class Quality:
    """Image quality of the face region, each 0-100."""

    brightness: float
    sharpness: float


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One face: box in pixels of the orientation-corrected image (may extend past its edges)."""

    left: float
    top: float
    width: float
    height: float
    confidence: float
    landmarks: dict[str, tuple[float, float]]
    pose: Pose | None  # None when the caller skipped the face mesh (Engine.faces(details=False))
    quality: Quality | None  # None with details=False, like pose
    descriptor: np.ndarray | None
    attributes: FaceAttributes | None = None  # the asked non-DEFAULT fields; None when none were asked

    @property
    def measured_quality(self) -> Quality:
        """The face's quality measures; ValueError for a face detected with details=False."""
        if self.quality is None:
            raise ValueError("the face was detected without details: no quality measures")
        return self.quality

    @property
    def area(self) -> float:
        """Box area in square pixels."""
        return self.width * self.height

    @property
    def right(self) -> float:
        """x of the box's right edge (exclusive)."""
        return self.left + self.width

    @property
    def bottom(self) -> float:
        """y of the box's bottom edge (exclusive)."""
        return self.top + self.height
