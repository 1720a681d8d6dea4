"""dlib's CNN (MMOD) face detector rebuilt from its weights file for onnxruntime, with dlib's pyramid and NMS."""

from __future__ import annotations

import threading
from pathlib import Path

import dlib
import numpy as np

from emulator.engine.mmod.detector import OnnxMmod
from emulator.engine.mmod.onnx_loader import MmodBuildError, load

__all__ = ["MmodBuildError", "OnnxMmod", "detect_mmod", "load", "shared"]

_build_lock = threading.Lock()  # held only while the first caller builds; detection takes no lock
_shared: list[OnnxMmod] = []


def shared(cache_dir: Path | None = None, threads: int = 2) -> OnnxMmod:
    """The process-wide detector: built (or loaded from cache_dir) by the first call, reused by every later one."""
    if not _shared:
        with _build_lock:
            if not _shared:
                _shared.append(load(cache_dir=cache_dir, threads=threads))
    return _shared[0]


def detect_mmod(image: np.ndarray, upsample: int) -> list[tuple[dlib.rectangle, float]]:
    """What dlib's cnn_face_detection_model_v1(image, upsample) returns, as (rectangle, confidence) pairs."""
    return shared()(image, upsample)
