"""Brightness and sharpness of a face region, each 0-100, measured from its pixels.

- Brightness: mean luminance (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B) of the face box,
  clipped to the image, scaled from 0-255 to 0-100.
- Sharpness: the grayscale face box is resized to 128x128 (so the measure compares faces of
  any size, and small, upscaled faces read as soft), then the variance V of its 4-neighbour
  Laplacian is mapped with ``100 * (1 - exp(-V / 150))``.  Measured on ../faces: frontal faces
  of 100+ px give V ~100-1400 (median 290, sharpness ~50-100, median 86); 37-50 px faces give
  V ~10-45 (sharpness 6-26); the Gaussian-blurred (r=6) photo gives V ~7 (sharpness ~4.5).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from emulator.engine.face import Quality

SHARPNESS_SIZE = 128
SHARPNESS_SCALE = 150.0
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float64)


def face_crop(image: np.ndarray, left: float, top: float, width: float, height: float) -> np.ndarray:
    """The face box clipped to the image (at least 1x1 pixel)."""
    h, w = image.shape[:2]
    x0 = int(min(max(math.floor(left), 0), w - 1))
    y0 = int(min(max(math.floor(top), 0), h - 1))
    x1 = int(min(max(math.ceil(left + width), x0 + 1), w))
    y1 = int(min(max(math.ceil(top + height), y0 + 1), h))
    return image[y0:y1, x0:x1]


def luminance(crop: np.ndarray) -> np.ndarray:
    """BT.601 luma of an RGB crop, float64 0-255."""
    return np.asarray(crop[..., :3], dtype=np.float64) @ _LUMA


def brightness(crop: np.ndarray) -> float:
    """Mean luminance of the crop, 0-100."""
    return float(luminance(crop).mean() / 255.0 * 100.0)


def laplacian_variance(crop: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of the crop's luma, resized to 128x128."""
    gray = Image.fromarray(np.clip(luminance(crop), 0, 255).astype(np.uint8))
    g = np.asarray(gray.resize((SHARPNESS_SIZE, SHARPNESS_SIZE), Image.Resampling.BILINEAR), dtype=np.float64)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4.0 * g[1:-1, 1:-1]
    return float(lap.var())


def sharpness(crop: np.ndarray) -> float:
    """Sharpness 0-100 from the Laplacian variance (see module docstring)."""
    return 100.0 * (1.0 - math.exp(-laplacian_variance(crop) / SHARPNESS_SCALE))


def measure(image: np.ndarray, left: float, top: float, width: float, height: float) -> Quality:
    """Brightness and sharpness of the face box in the image."""
    crop = face_crop(image, left, top, width, height)
    return Quality(brightness=brightness(crop), sharpness=sharpness(crop))
