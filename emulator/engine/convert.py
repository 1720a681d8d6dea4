"""Any decoded PIL image to 8-bit RGB, optionally reduced strip by strip so no full-size copy is ever made.

Converting first and reducing after would copy the whole decoded image once or twice (RGBA -> composite
-> RGB, 16-bit -> floats -> 8-bit), which for a 40 MP image is hundreds of MB. Here a reduced image is
built from horizontal strips of the decoded one: each strip is converted to the fewest 8-bit channels it
needs (L for grey modes, RGB otherwise) and resampled into its rows of the output, with enough rows of
margin for the filter, so the result equals resampling the whole converted image. Grey output becomes
RGB only at the reduced size.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

#: Source pixels converted at a time while reducing (a strip of 1 MP RGBA is 4 MB).
STRIP_PIXELS = 1 << 20
RESAMPLE = Image.Resampling.LANCZOS
_SUPPORT = 3.0  # LANCZOS's half-width, in output pixels
_GREY = ("1", "L", "I;16", "I;16B", "I;16L", "I;16N", "I", "F")
_ALPHA = ("RGBA", "LA", "PA", "RGBa", "La")


def peak(img: Image.Image) -> float:
    """The largest sample of a 32-bit grey image (its scaling depends on the whole image); 0 otherwise."""
    if img.mode not in ("I", "F"):
        return 0.0
    low_high = img.getextrema()
    return float(low_high[1]) if isinstance(low_high[1], (int, float)) else 0.0


def to_8bit(img: Image.Image, top: float) -> Image.Image:
    """Convert to "L" (grey modes) or "RGB" (the rest; alpha over white); ``top`` is ``peak`` of the whole image."""
    mode = img.mode
    if mode in ("L", "RGB"):
        return img
    if mode == "1":
        return img.convert("L")
    if mode in _GREY:
        return Image.fromarray(_grey8(img, top))
    if mode == "P":
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in _ALPHA:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")


def _grey8(img: Image.Image, top: float) -> np.ndarray:
    """8-bit grey from a 16- or 32-bit grey image: 16-bit by integer rounding, 32-bit through float32."""
    if img.mode.startswith("I;16"):
        wide = np.asarray(img).astype(np.uint32)  # (v + 128) // 257 == rint(v / 257) for 0..65535
        wide += 128
        wide //= 257
        return wide.astype(np.uint8)
    arr = np.asarray(img, dtype=np.float32)
    if img.mode == "I":
        arr = arr / 257.0 if top > 255 else arr
    else:  # "F": 0..1 floats are scaled up, anything else is clipped to 0..255
        arr = arr * 255.0 if top <= 1.0 else arr
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)


def to_rgb(img: Image.Image) -> Image.Image:
    """The whole image as 8-bit RGB (for images already at the working size)."""
    out = to_8bit(img, peak(img))
    return out if out.mode == "RGB" else out.convert("RGB")


def reduce_to_rgb(img: Image.Image, size: tuple[int, int], extent: tuple[float, float]) -> Image.Image:
    """Resample the ``extent`` (width, height from the top-left corner) of img to ``size``, as 8-bit RGB."""
    width, height = img.size
    out_w, out_h = size
    ext_w, ext_h = extent
    top = peak(img)
    out = Image.new("L" if img.mode in _GREY else "RGB", size)
    rows_per_out = ext_h / out_h  # source rows per output row
    margin = math.ceil(_SUPPORT * max(1.0, rows_per_out)) + 2
    step = max(1, int(STRIP_PIXELS / (width * rows_per_out)))
    for first in range(0, out_h, step):
        last = min(out_h, first + step)
        y0, y1 = first * rows_per_out, last * rows_per_out
        crop_top = max(0, math.floor(y0) - margin)
        crop_bottom = min(height, math.ceil(y1) + margin)
        strip = to_8bit(img.crop((0, crop_top, width, crop_bottom)), top)
        part = strip.resize((out_w, last - first), RESAMPLE, box=(0.0, y0 - crop_top, ext_w, y1 - crop_top))
        out.paste(part, (0, first))
        del strip, part
    return out if out.mode == "RGB" else out.convert("RGB")
