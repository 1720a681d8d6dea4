"""Brightness and sharpness of a face region, each 0-100 (higher: brighter, sharper), from its pixels.

- Brightness: mean luminance (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B) of the face box,
  clipped to the image, scaled from 0-255 to 0-100.
- Sharpness: the grey face box resized to 64x64; for each direction 0, 45, 90 and 135 degrees the
  variance of the second difference along it; r = the smallest of the four over the variance of the
  grey crop (0 for a flat crop); sharpness = ``100 * (1 - exp(-r / 0.033))``.

Both were chosen by ``scripts/measure_quality`` (see filters.py for the method): how well a measure
separates degraded faces that still match the person (Similarity 80) from those that do not (AUC
over genuine pairs), and whether the breakdown falls at one value whatever the cause.
- Brightness as the box mean: AUC 0.951 on darkened photos; the landmark-placed inner face 0.949,
  a 1.3x larger box 0.948 (medians 47.6 and 44.9 on ordinary photos, so a looser detector box
  shifts it little).  Kept.
- Sharpness replaces the Laplacian variance of a 128x128 crop, ``100 * (1 - exp(-V / 150))``, which
  read contrast as sharpness (a face darkened 4 stops fell from 88 to 38 with no blur; 28 % of
  darkened faces that still matched read below the fitted AUTO bar) and missed motion blur: the
  AUTO breakdown fell at 3.4 for focus blur but 31.7 for motion blur, so faces blurred by motion
  that matched 73 % passed AUTO's old 5.  Dividing by the contrast removes darkness; the weakest
  direction catches blur along one direction; 64 px is about the detail the descriptor uses (a
  128-px crop called small and soft web photos blurry).  Breakdown now 13.4 (focus) / 26.3
  (motion), AUC 0.846 against 0.757; darkened faces that match: none below the AUTO bar.
- 0.033 puts the median undegraded identity photo at 86 (the old scale's median); LFW, GENKI-4K
  and FairFace photos have medians near 65, a Gaussian blur of 3 % of the face width ~7.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from emulator.engine.face import Quality

#: side (px) the grey face box is resized to before its second differences are taken
SHARPNESS_SIZE = 64
#: r (see module docstring) at which sharpness reaches 63.2 (1 - 1/e of 100)
SHARPNESS_SCALE = 0.033
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


def grey(crop: np.ndarray, size: int = SHARPNESS_SIZE) -> np.ndarray:
    """The crop's luma as uint8 resized (Pillow's antialiased bilinear) to size x size, float64."""
    gray = Image.fromarray(np.clip(luminance(crop), 0, 255).astype(np.uint8))
    return np.asarray(gray.resize((size, size), Image.Resampling.BILINEAR), dtype=np.float64)


def directional(g: np.ndarray) -> tuple[float, float, float, float]:
    """Variance of the second difference along 0, 45, 90 and 135 degrees (diagonals per unit length)."""
    c = g[1:-1, 1:-1]
    along_x = g[1:-1, :-2] + g[1:-1, 2:] - 2.0 * c
    along_y = g[:-2, 1:-1] + g[2:, 1:-1] - 2.0 * c
    diag = (g[:-2, :-2] + g[2:, 2:] - 2.0 * c) / 2.0
    anti = (g[:-2, 2:] + g[2:, :-2] - 2.0 * c) / 2.0
    return float(along_x.var()), float(diag.var()), float(along_y.var()), float(anti.var())


def detail_ratio(crop: np.ndarray) -> float:
    """r: the weakest direction's second-difference variance over the grey variance (0 for a flat crop)."""
    g = grey(crop)
    contrast = float(g.var())
    if contrast < 1e-9:
        return 0.0
    return min(directional(g)) / contrast


def sharpness(crop: np.ndarray) -> float:
    """Sharpness 0-100 from the detail ratio (see module docstring)."""
    return 100.0 * (1.0 - math.exp(-detail_ratio(crop) / SHARPNESS_SCALE))


def measure(image: np.ndarray, left: float, top: float, width: float, height: float) -> Quality:
    """Brightness and sharpness of the face box in the image."""
    crop = face_crop(image, left, top, width, height)
    return Quality(brightness=brightness(crop), sharpness=sharpness(crop))
