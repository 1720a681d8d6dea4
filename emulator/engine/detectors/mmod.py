"""dlib's MMOD CNN detector (``--detector mmod``, alias ``cnn``), its weights rebuilt for onnxruntime (engine/mmod)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from emulator.engine import detect
from emulator.engine.detectors.base import FaceBox, Prepared, prepare_after
from emulator.engine.detectors.hog import dlib_boxes


class MmodDetector:
    """dlib's CNN (mmod_human_face_detector.dat) on onnxruntime: dlib's boxes and scores, no lock; HOG-like boxes."""

    name = "mmod"

    def __init__(self, threads: int = 2, cache_dir: Path | None = None) -> None:
        """Build or load the ONNX rebuild now, so a missing or broken .dat is an MmodBuildError at start-up."""
        from emulator.engine import mmod

        mmod.shared(cache_dir=cache_dir, threads=threads)

    def detect(self, image: np.ndarray, *, largest_only: bool, min_face: int) -> list[FaceBox]:
        """Faces down to the proportional minimum, largest first."""
        return dlib_boxes(detect.detect(image, largest_only=largest_only, detector="mmod", min_face=min_face))

    def largest_with(self, image: np.ndarray, *, min_face: int,
                     prepare: Callable[[FaceBox], Prepared]) -> tuple[FaceBox, Prepared] | None:
        """The largest face, then prepare(face)."""
        return prepare_after(self, image, min_face, prepare)
