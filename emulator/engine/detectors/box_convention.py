"""Convert a RetinaFace box to the box dlib's HOG detector would give the same face.

dlib's 5-point shape model (and so the chip alignment the descriptors depend on) was trained on
HOG boxes: square, from the eyebrows to just under the lower lip.  RetinaFace's boxes (WIDER
FACE annotations) run from the hairline to the chin, so they are taller and sit higher.  Fed
raw, they move descriptors by L2 0.075 median (max 0.55).  One fixed correction, in units of
the RetinaFace box width w and height h:
    centre x += DX * w,  centre y += DY * w,  side = SIDE * sqrt(w * h)  (a square)
Its constants were fitted (medians of the per-photo ratios, matched to HOG upsample-1 boxes) on
the photos of every other identity of ../shared/faces in alphabetical order (angelina_jolie,
elon_musk, guido_van_rossum, ...: 8 identities, 39 photos) and checked on the other 7
identities (34 photos): see tests/engine/test_box_convention.py and README "Detectors".
"""

from __future__ import annotations

import math

import dlib

DX = -0.001
DY = 0.101
SIDE = 0.940


def hog_square(left: float, top: float, right: float, bottom: float) -> tuple[float, float, float]:
    """(centre x, centre y, side) of the HOG-convention square for a RetinaFace box."""
    w, h = right - left, bottom - top
    return (left + right) / 2 + DX * w, (top + bottom) / 2 + DY * w, SIDE * math.sqrt(max(w * h, 0.0))


def hog_rect(left: float, top: float, right: float, bottom: float) -> dlib.rectangle:
    """The HOG-convention box as dlib's integer rectangle (inclusive corners), ready for the 5-point model."""
    cx, cy, side = hog_square(left, top, right, bottom)
    x0, y0 = round(cx - side / 2), round(cy - side / 2)
    n = max(1, round(side))
    return dlib.rectangle(x0, y0, x0 + n - 1, y0 + n - 1)
