"""Decode JPEG/PNG bytes into an orientation-corrected RGB numpy array, refusing anything unsafe."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps

from emulator.engine.errors import ImageTooLarge, ImageTooSmall, InvalidImageFormat

#: Smallest accepted side, in pixels (Rekognition's documented minimum image size).
MIN_SIDE = 80
#: Largest accepted image, in pixels (width × height, read from the header before decoding).
#: 40 MP holds any camera photo that fits Rekognition's 5 MB / 15 MB byte limits while capping
#: the decoded buffer at ~120 MB of RGB; more than that is refused as ImageTooLarge.
MAX_PIXELS = 40_000_000

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def sniff_format(data: bytes) -> str | None:
    """Return "JPEG" or "PNG" from the magic bytes, or None for anything else."""
    if data.startswith(_JPEG_MAGIC):
        return "JPEG"
    if data.startswith(_PNG_MAGIC):
        return "PNG"
    return None


def decode_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode JPEG/PNG bytes to an (H, W, 3) uint8 RGB array with EXIF orientation applied."""
    fmt = sniff_format(bytes(data[:8]))
    if fmt is None:
        raise InvalidImageFormat("not a JPEG or PNG image")
    with warnings.catch_warnings():
        # PIL's own bomb check warns at ~89 MP and raises at ~179 MP; ours runs first and is
        # stricter, so silence the warning and treat PIL's error as ours.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=[fmt])
        except Image.DecompressionBombError as exc:
            raise ImageTooLarge("image resolution is too large") from exc
        except Exception as exc:  # noqa: BLE001 - PIL raises many types for bad data
            raise InvalidImageFormat("image cannot be decoded") from exc
        with img:
            width, height = img.size
            if width * height > max_pixels:
                raise ImageTooLarge(f"image has {width}x{height} pixels, more than {max_pixels}")
            if width <= 0 or height <= 0:
                raise InvalidImageFormat("image has no pixels")
            try:
                img.load()
            except Image.DecompressionBombError as exc:
                raise ImageTooLarge("image resolution is too large") from exc
            except Exception as exc:  # noqa: BLE001 - truncated or corrupt data
                raise InvalidImageFormat("image cannot be decoded") from exc
            rgb = _to_rgb(_oriented(img))
            array = np.asarray(rgb, dtype=np.uint8)
    if array.ndim != 3 or array.shape[2] != 3:
        raise InvalidImageFormat("image cannot be converted to RGB")
    if array.shape[0] < MIN_SIDE or array.shape[1] < MIN_SIDE:
        raise ImageTooSmall(f"image is {array.shape[1]}x{array.shape[0]}, under {MIN_SIDE} px on a side")
    return np.ascontiguousarray(array)


def _oriented(img: Image.Image) -> Image.Image:
    """Apply the EXIF Orientation tag; a malformed EXIF block leaves the image as stored."""
    try:
        oriented = ImageOps.exif_transpose(img)
    except Exception:  # noqa: BLE001 - bad EXIF must not make a good image unusable
        return img
    return oriented if oriented is not None else img


def _to_rgb(img: Image.Image) -> Image.Image:
    """Convert any PIL mode (L, P, LA, RGBA, I;16, I, F, CMYK...) to 8-bit RGB; alpha over white."""
    mode = img.mode
    if mode == "RGB":
        return img
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float32)  # float32: a 40 MP 16-bit image stays under 200 MB
        if mode.startswith("I;16"):
            arr = arr / 257.0
        elif mode == "I":
            arr = arr / 257.0 if arr.max(initial=0) > 255 else arr
        else:  # "F": assume 0..1 floats if so, else clip to 0..255
            arr = arr * 255.0 if arr.max(initial=0) <= 1.0 else arr
        gray = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
        return Image.fromarray(gray).convert("RGB")
    if mode == "P":
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")
