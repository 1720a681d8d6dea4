"""Labelled attribute photos (../shared/faces/_attributes) as FaceViews, and the fixed tuning/held-out split."""

from __future__ import annotations

import csv
import functools
import hashlib
from pathlib import Path

import numpy as np

from emulator.engine import Engine, decode_image, landmarks
from emulator.engine.attributes.types import FaceView
from tests.photos import faces_root


def attributes_root() -> Path:
    """The labelled attribute photos' folder."""
    return faces_root() / "_attributes"


@functools.cache
def rows() -> tuple[dict[str, str], ...]:
    """MANIFEST.csv rows of the labelled photos."""
    with open(attributes_root() / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def held_out(path: str) -> bool:
    """The measuring half: sha256 of the manifest path odd (tuning: even); fixed, shared by all estimators."""
    return hashlib.sha256(path.encode()).digest()[-1] % 2 == 1


def padded(image: np.ndarray) -> tuple[np.ndarray, int]:
    """The image with a quarter of its larger side added on every edge (edge pixels repeated), and that pad.

    Many labelled photos are tight crops, where the detector misses the face without room around it.
    """
    pad = max(image.shape[:2]) // 4
    return np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="edge"), pad


def face_view(engine: Engine, path: str) -> FaceView | None:
    """The largest face of a labelled photo as the estimators see it (padded image), or None if none found."""
    image, _ = padded(decode_image((attributes_root() / path).read_bytes()))
    found = engine._detector.detect(image, largest_only=True, min_face=engine.min_face)
    if not found:
        return None
    face = found[0]
    shape = landmarks.predict_shapes(image, [face.shape_rect])[0]
    return FaceView(image=image, box=(face.left, face.top, face.width, face.height),
                    points5=landmarks.shape_points(shape))

