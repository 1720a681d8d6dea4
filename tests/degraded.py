"""Degraded copies of the shared photos (dim exposure, motion blur), made as scripts/measure_quality makes them.

The steps come from that measurement (see emulator/engine/filters.py): 4 stops under leaves a face of
brightness 12-18 that still matches the person; 7 stops, or motion blur over a fifth of the face width,
is past the point where recognition breaks down.  Blur lengths are fractions of the face width the
manifest records (HOG's box), so the bytes do not depend on the detector in use.
"""

from __future__ import annotations

import functools
import io

import numpy as np
from PIL import Image

from emulator.engine import decode_image
from emulator.tools import degrade
from tests.photos import photo, row

#: a dim indoor photo: the face plainly visible, brightness ~12-18 (the old AUTO refused it)
DIM_STOPS = 4.0
#: past the breakdown: brightness under 4.5, genuine matches mostly lost
DARK_STOPS = 7.0
#: motion blur past the breakdown, as a fraction of the face width
MOTION_PAST = 0.2
SEED = 7


def face_width(path: str) -> int:
    """Width of the face box the manifest records for a photo (its first HOG box)."""
    return int(row(path)["hog_boxes_upsample1_xywh"].split(",")[2])


@functools.cache
def underexposed(path: str, stops: float) -> np.ndarray:
    """The photo as a phone camera would take it with `stops` less light (seeded sensor noise), as JPEG q90."""
    image = decode_image(photo(path))
    return degrade.jpeg_round_trip(degrade.underexpose(image, stops, np.random.default_rng(SEED)))


@functools.cache
def motion_blurred(path: str, fraction: float, angle: float = 30.0) -> np.ndarray:
    """The photo with motion blur over `fraction` of the face width, as JPEG q90."""
    image = decode_image(photo(path))
    return degrade.jpeg_round_trip(degrade.motion_blur(image, fraction * face_width(path), angle))


def jpeg(pixels: np.ndarray) -> bytes:
    """JPEG bytes of RGB pixels (quality 95), for the API."""
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=95)
    return buf.getvalue()
