"""Candidate face-quality measures, computed beside the engine's own so the measurement can compare them.

Each takes the decoded image and a detected face; the engine's measures are in emulator.engine.quality.
- ``inner_luma``: BT.601 luma sampled on a grid over the inner face placed by the landmarks (eye line to
  below the mouth, 0.75 inter-ocular distances either side of the eye midpoint): skin, not hair or
  background, and the same region whatever box convention the detector has.
- ``box_scaled``: the face box grown by a factor about its centre (a taller, looser box such as
  RetinaFace's), to see how much a measure depends on the detector's box convention.
- ``directional``: on the grey crop resized to 32-128 px, the variance of the second difference along
  0/45/90/135 degrees: blur along one direction (motion) shows in one of them, focus blur in all; divided
  by the grey variance it no longer depends on contrast (dark faces are not blurry faces).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from emulator.engine import quality
from emulator.engine.face import DetectedFace

INNER_HALF_WIDTH = 0.75
INNER_TOP = -0.35
INNER_BOTTOM = 1.35
GRID = 48
#: sizes (px) the grey face crop is resized to for the sharpness candidates
SIZES = (32, 48, 64, 128)


def inner_points(face: DetectedFace) -> npt.NDArray[np.float64]:
    """(GRID*GRID, 2) x, y sample points over the inner face, from the eye and mouth landmarks."""
    lm = face.landmarks
    eye_l, eye_r = np.array(lm["eyeLeft"]), np.array(lm["eyeRight"])
    mid = (eye_l + eye_r) / 2.0
    axis = eye_r - eye_l
    iod = max(float(np.hypot(*axis)), 1e-6)
    u = axis / iod
    v = np.array([-u[1], u[0]])
    xs = np.linspace(-INNER_HALF_WIDTH, INNER_HALF_WIDTH, GRID) * iod
    ys = np.linspace(INNER_TOP, INNER_BOTTOM, GRID) * iod
    gx, gy = np.meshgrid(xs, ys)
    return np.asarray(mid + gx.reshape(-1, 1) * u + gy.reshape(-1, 1) * v, dtype=np.float64)


def inner_luma(image: npt.NDArray[np.uint8], face: DetectedFace) -> npt.NDArray[np.float64]:
    """Luma (0-255) at the inner-face sample points (nearest pixel, clipped to the image)."""
    pts = inner_points(face)
    h, w = image.shape[:2]
    xi = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
    yi = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
    return quality.luminance(image[yi, xi])


def box_scaled(face: DetectedFace, factor: float) -> tuple[float, float, float, float]:
    """The face box grown by `factor` about its centre: left, top, width, height."""
    cx, cy = face.left + face.width / 2.0, face.top + face.height / 2.0
    w, h = face.width * factor, face.height * factor
    return cx - w / 2.0, cy - h / 2.0, w, h


def probe(image: npt.NDArray[np.uint8], face: DetectedFace) -> dict[str, float]:
    """Every candidate measure of one face, raw."""
    crop = quality.face_crop(image, face.left, face.top, face.width, face.height)
    big = quality.face_crop(image, *box_scaled(face, 1.3))
    inner = inner_luma(image, face)
    out = {
        "bright_inner": float(inner.mean() / 255.0 * 100.0),
        "bright_big": quality.brightness(big),
        "sharp_big": quality.sharpness(big),
    }
    for size in SIZES:
        g = quality.grey(crop, size)
        out[f"var{size}"] = float(g.var())
        for angle, value in zip((0, 45, 90, 135), quality.directional(g), strict=True):
            out[f"d{size}_{angle}"] = value
    gb = quality.grey(big, 64)
    out["big_var64"] = float(gb.var())
    for angle, value in zip((0, 45, 90, 135), quality.directional(gb), strict=True):
        out[f"big_d64_{angle}"] = value
    return out
