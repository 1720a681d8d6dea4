"""Decode JPEG/PNG bytes into an RGB numpy array at the resolution the detector needs, refusing anything unsafe.

Memory: the pixels to be decoded are known from the header before any is decoded, so the caller may admit
the decode against a budget (``admit``). A JPEG larger than the working size is decoded at a reduced DCT
scale (PIL's draft mode); other images are decoded whole and reduced strip by strip (see convert.py), and
the full-size image is released before admission ends. Only the small result outlives the call.

Orientation: a JPEG's EXIF Orientation is applied, as Rekognition does; a PNG's eXIf chunk is ignored
(Rekognition leaves PNGs as stored).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager

import numpy as np
from PIL import Image

from emulator.engine.convert import reduce_to_rgb, to_rgb
from emulator.engine.errors import ImageTooLarge, ImageTooSmall, InvalidImageFormat
from emulator.engine.resolution import AWS_MIN_FACE, working_size

#: Smallest accepted side, in pixels (Rekognition's documented minimum image size).
MIN_SIDE = 80
#: Largest accepted image, in pixels (width × height, read from the header before decoding).
#: 40 MP holds any camera photo that fits Rekognition's 5 MB / 15 MB byte limits; more than that is
#: refused as ImageTooLarge. Larger images are reduced to the detector's working size while decoding.
MAX_PIXELS = 40_000_000
#: Called with the number of pixels about to be decoded; the decode runs inside the context it returns.
Admit = Callable[[int], AbstractContextManager[object]]

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ORIENTATION_TAG = 0x0112
#: EXIF Orientation -> the transpose that displays the image upright (as ImageOps.exif_transpose).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_SIDES = (5, 6, 7, 8)


def sniff_format(data: bytes) -> str | None:
    """Return "JPEG" or "PNG" from the magic bytes, or None for anything else."""
    if data.startswith(_JPEG_MAGIC):
        return "JPEG"
    if data.startswith(_PNG_MAGIC):
        return "PNG"
    return None


def decode_image(data: bytes, *, max_pixels: int = MAX_PIXELS, min_face: float = AWS_MIN_FACE,
                 admit: Admit | None = None) -> np.ndarray:
    """Decode to an upright (H, W, 3) uint8 RGB array, reduced to the detector's working size for min_face."""
    fmt = sniff_format(bytes(data[:8]))
    if fmt is None:
        raise InvalidImageFormat("not a JPEG or PNG image")
    with warnings.catch_warnings():
        # PIL's own bomb check warns at ~89 MP and raises at ~179 MP; ours runs first and is
        # stricter, so silence the warning and treat PIL's error as ours.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        img = _open(data, fmt)
        with img:
            width, height = img.size
            if width * height > max_pixels:
                raise ImageTooLarge(f"image has {width}x{height} pixels, more than {max_pixels}")
            if width <= 0 or height <= 0:
                raise InvalidImageFormat("image has no pixels")
            orientation = _orientation(img) if fmt == "JPEG" else 1
            swap = orientation in _SWAPS_SIDES
            upright = working_size(*((height, width) if swap else (width, height)), min_face=min_face)
            size = (upright[1], upright[0]) if swap else upright
            extent = (float(width), float(height))
            if size != (width, height) and fmt == "JPEG":
                extent = _draft(img, size)
            with admit(img.size[0] * img.size[1]) if admit is not None else contextlib.nullcontext():
                try:
                    array = _pixels(img, size, extent, orientation)
                finally:
                    img.close()  # the full-size pixels go before admission ends, even on failure
    if array.ndim != 3 or array.shape[2] != 3:
        raise InvalidImageFormat("image cannot be converted to RGB")
    if min(width, height) < MIN_SIDE:
        raise ImageTooSmall(f"image is {width}x{height}, under {MIN_SIDE} px on a side")
    return array


def _open(data: bytes, fmt: str) -> Image.Image:
    """Open the image lazily (header only), mapping PIL's errors to ours."""
    try:
        return Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge("image resolution is too large") from exc
    except Exception as exc:  # noqa: BLE001 - PIL raises many types for bad data
        raise InvalidImageFormat("image cannot be decoded") from exc


def _orientation(img: Image.Image) -> int:
    """The EXIF Orientation tag (1-8); 1 when absent or when the EXIF block is malformed."""
    try:
        value = img.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - bad EXIF must not make a good image unusable
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def _draft(img: Image.Image, size: tuple[int, int]) -> tuple[float, float]:
    """Ask the JPEG decoder for the smallest DCT scale still at least ``size``; return what it covers."""
    try:
        drafted = img.draft(None, size)
    except Exception:  # noqa: BLE001 - a decoder that cannot scale decodes at full size
        drafted = None
    if drafted is None:
        return float(img.size[0]), float(img.size[1])
    box = drafted[1]
    return float(box[2] - box[0]), float(box[3] - box[1])


def _pixels(img: Image.Image, size: tuple[int, int], extent: tuple[float, float], orientation: int) -> np.ndarray:
    """Load, convert to RGB at ``size`` and orient; the array is a copy that shares nothing with img."""
    try:
        img.load()
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge("image resolution is too large") from exc
    except Exception as exc:  # noqa: BLE001 - truncated or corrupt data
        raise InvalidImageFormat("image cannot be decoded") from exc
    if size == img.size and extent == (float(size[0]), float(size[1])):
        rgb = to_rgb(img)
    else:
        rgb = reduce_to_rgb(img, size, extent)
    if orientation in _TRANSPOSE:
        rgb = rgb.transpose(_TRANSPOSE[orientation])
    return np.asarray(rgb, dtype=np.uint8)
