"""The resolution the face detector needs: images larger than it are reduced while they are decoded.

Rekognition promises to find faces of 40x40 px in a 1920x1080 image, and proportionally larger faces
in larger images: the smallest face to find is ``min_face * max(1, W/1920, H/1080)`` px. The detector
finds faces of ``DETECTOR_NATIVE_FACE`` px (its 80x80 window) without upsampling, so an image whose
smallest face is larger than that window carries more pixels than detection can use: it is scaled by
``DETECTOR_NATIVE_FACE / smallest face``, and the smallest face lands exactly on the window. Below that
the detector upsamples by itself, so reducing further would only be undone. With min_face 40 this
leaves every image up to 3840x2160 untouched and brings larger ones down to fit in 3840x2160.

Bounding boxes and landmarks are ratios of the image's width and height, and the reduced image covers
the whole original, so ratios measured on it are ratios of the original.
A detector with another native face size changes ``DETECTOR_NATIVE_FACE`` (or this function) only.
"""

from __future__ import annotations

#: Rekognition's documented minimum face, in pixels of a 1920x1080 image.
AWS_MIN_FACE = 40
AWS_REFERENCE_SIZE = (1920, 1080)
#: Smallest face the detector finds at the image's own scale (HOG's and MMOD's 80x80 window).
DETECTOR_NATIVE_FACE = 80


def smallest_face(width: int, height: int, min_face: float = AWS_MIN_FACE) -> float:
    """Side in pixels of the smallest face to find in a width x height image (Rekognition's rule)."""
    ref_w, ref_h = AWS_REFERENCE_SIZE
    return float(min_face) * max(1.0, width / ref_w, height / ref_h)


def working_scale(width: int, height: int, min_face: float = AWS_MIN_FACE) -> float:
    """Scale (at most 1) at which the smallest face to find is the detector's native face size."""
    return min(1.0, DETECTOR_NATIVE_FACE / smallest_face(width, height, min_face))


def working_size(width: int, height: int, min_face: float = AWS_MIN_FACE) -> tuple[int, int]:
    """The (width, height) the detector needs for a width x height image; the image's own size if smaller."""
    scale = working_scale(width, height, min_face)
    if scale >= 1.0:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))
