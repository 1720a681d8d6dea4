"""128-d face descriptors: aligned 150x150 chips, dlib's ResNet, and the runtime factory (onnx or dlib)."""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path
from typing import Any, Protocol

import dlib
import numpy as np

from emulator.engine import models
from emulator.limits import DESCRIPTOR_SIZE

log = logging.getLogger(__name__)

CHIP_SIZE = 150
CHIP_PADDING = 0.25
#: Runtimes for dlib's ResNet weights (--descriptor), the default first.
DESCRIPTOR_KINDS = ("onnx", "dlib")
DEFAULT_DESCRIPTOR = DESCRIPTOR_KINDS[0]


class Descriptor(Protocol):
    """Anything that turns (N, 150, 150, 3) uint8 chips into (N, 128) float32 descriptors."""

    name: str

    def compute(self, chips: np.ndarray) -> np.ndarray:
        """Descriptors for a batch of aligned chips."""
        ...


def face_chips(image: np.ndarray, shapes: list[Any]) -> np.ndarray:
    """Aligned (N, 150, 150, 3) uint8 chips for the dlib 5-point shapes, as dlib's descriptor expects."""
    if not shapes:
        return np.zeros((0, CHIP_SIZE, CHIP_SIZE, 3), dtype=np.uint8)
    detections = dlib.full_object_detections()
    for shape in shapes:
        detections.append(shape)
    chips = dlib.get_face_chips(image, detections, size=CHIP_SIZE, padding=CHIP_PADDING)
    return np.ascontiguousarray(np.stack([np.asarray(c, dtype=np.uint8) for c in chips]))


class DlibDescriptor:
    """dlib's ResNet (dlib_face_recognition_resnet_model_v1.dat) run by dlib itself; holds the GIL."""

    name = "dlib"

    def __init__(self) -> None:
        """Load (or reuse) the shared dlib model."""
        self._model = models.resnet_model()
        self._lock = threading.Lock()

    def compute(self, chips: np.ndarray) -> np.ndarray:
        """(N, 150, 150, 3) uint8 chips -> (N, 128) float32 descriptors."""
        if chips.ndim != 4 or chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(f"expected (N, {CHIP_SIZE}, {CHIP_SIZE}, 3) chips, got {chips.shape}")
        if chips.shape[0] == 0:
            return np.zeros((0, DESCRIPTOR_SIZE), dtype=np.float32)
        batch = [np.ascontiguousarray(chip, dtype=np.uint8) for chip in chips]
        with self._lock:
            vectors = self._model.compute_face_descriptor(batch)
        return np.asarray([np.asarray(v) for v in vectors], dtype=np.float32).reshape(len(batch), DESCRIPTOR_SIZE)


def make_descriptor(kind: str = DEFAULT_DESCRIPTOR, cache_dir: Path | None = None, threads: int = 2) -> Descriptor:
    """Build the descriptor runtime; "onnx" falls back to dlib (with a warning) if it can't be built."""
    if kind not in DESCRIPTOR_KINDS:
        raise ValueError(f"unknown descriptor {kind!r}; expected one of {DESCRIPTOR_KINDS}")
    if kind == "onnx":
        try:
            resnet = importlib.import_module("emulator.engine.resnet")
            build_error: type[Exception] = resnet.ResnetBuildError
            load = resnet.load
        except (ImportError, AttributeError) as exc:
            log.warning("onnx descriptor unavailable (%s); falling back to dlib", exc)
            return DlibDescriptor()
        try:
            onnx_descriptor: Descriptor = load(cache_dir=cache_dir, threads=threads)
            return onnx_descriptor
        except build_error as exc:
            log.warning("onnx descriptor could not be built (%s); falling back to dlib", exc)
            return DlibDescriptor()
    return DlibDescriptor()
