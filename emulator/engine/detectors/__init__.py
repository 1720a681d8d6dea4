"""Face detectors behind one interface, chosen by name (``--detector``): retinaface (default), hog, mmod."""

from __future__ import annotations

from pathlib import Path

from emulator.engine.detectors.base import FaceBox, FaceDetector

#: Names accepted by --detector, the default first.
DETECTORS = ("retinaface", "hog", "mmod")
#: Other names for the same detectors (``cnn`` was --detector's name for MMOD before it had one).
ALIASES = {"cnn": "mmod"}
CHOICES = DETECTORS + tuple(ALIASES)
DEFAULT = DETECTORS[0]


def canonical(name: str) -> str:
    """The detector's own name for a --detector value; ValueError for an unknown one."""
    resolved = ALIASES.get(name, name)
    if resolved not in DETECTORS:
        raise ValueError(f"unknown detector {name!r}; expected one of {CHOICES}")
    return resolved


def check_model_files(name: str) -> None:
    """Raise models.ModelNotFound, naming the file, if a model the detector needs is missing (loads nothing)."""
    from emulator.engine import models

    resolved = canonical(name)
    if resolved == "retinaface":
        from emulator.engine.detectors.retinaface_net import MODEL_FILE as RETINAFACE
        from emulator.engine.detectors.second_look import MODEL_FILE as CENTERFACE

        for filename in (RETINAFACE, CENTERFACE):
            if not (models.WEIGHTS_DIR / filename).is_file():
                models.vendored_model(filename)  # raises ModelNotFound with the path and the remedy
    elif resolved == "mmod":
        models.model_path(models.MMOD)
    models.model_path(models.SHAPE_PREDICTOR_5)


def make_detector(name: str, threads: int = 2, cache_dir: Path | None = None) -> FaceDetector:
    """Load the named detector (threads: onnxruntime intra-op threads, as the descriptor's; cache_dir: built models)."""
    resolved = canonical(name)
    if resolved == "hog":
        from emulator.engine.detectors.hog import HogDetector

        return HogDetector()
    if resolved == "mmod":
        from emulator.engine.detectors.mmod import MmodDetector

        return MmodDetector(threads, cache_dir)
    from emulator.engine.detectors.retinaface import RetinaFaceDetector

    return RetinaFaceDetector(threads)


__all__ = ["ALIASES", "CHOICES", "DEFAULT", "DETECTORS", "FaceBox", "FaceDetector", "canonical", "check_model_files",
           "make_detector"]
