"""Controlled photo degradations for measuring recognition: a dim camera exposure, blur, a smaller face.

``underexpose`` models what a phone does in a dim room rather than scaling pixel values: the sRGB photo is
taken back to linear light, the exposure is cut by ``stops`` (each stop halves the light), the sensor adds
photon shot noise (Poisson, approximated by a Gaussian of variance = signal in electrons) and read noise per
colour channel, and the result is encoded back to sRGB.  ``full_well`` is the number of electrons that reach
full scale at the exposure of the original photo: 1000 e- is a small phone sensor at a raised ISO, the usual
case indoors; larger values give cleaner photos.  Every function returns uint8 RGB of the input's size; the
randomness comes from the ``rng`` passed in, so runs repeat exactly.
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

RGB = npt.NDArray[np.uint8]


def srgb_to_linear(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """sRGB-encoded values 0-1 to linear light 0-1 (IEC 61966-2-1)."""
    return np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Linear light 0-1 to sRGB-encoded values 0-1."""
    values = np.clip(values, 0.0, 1.0)
    return np.where(values <= 0.0031308, values * 12.92, 1.055 * values ** (1 / 2.4) - 0.055)


def underexpose(image: RGB, stops: float, rng: np.random.Generator, full_well: float = 1000.0,
                read_noise: float = 3.0) -> RGB:
    """The photo as a camera would record it with `stops` less light: darker, with sensor noise."""
    linear = srgb_to_linear(np.asarray(image, dtype=np.float64) / 255.0)
    electrons = linear * full_well * 2.0 ** -stops
    noisy = electrons + rng.standard_normal(electrons.shape) * np.sqrt(electrons + read_noise ** 2)
    out = linear_to_srgb(noisy / full_well)
    return np.asarray(np.round(out * 255.0), dtype=np.uint8)


def gaussian_blur(image: RGB, sigma: float) -> RGB:
    """Gaussian blur with standard deviation `sigma` pixels (out of focus)."""
    if sigma <= 0:
        return image
    return np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(sigma)))


def motion_blur(image: RGB, length: float, angle_deg: float) -> RGB:
    """Linear motion blur: the mean of the image shifted along a `length`-pixel line at `angle_deg`."""
    steps = max(1, int(round(length)))
    if steps <= 1:
        return image
    src = np.asarray(image, dtype=np.float64)
    h, w = src.shape[:2]
    padded = np.pad(src, ((steps, steps), (steps, steps), (0, 0)), mode="edge")
    acc = np.zeros_like(src)
    dx, dy = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    for t in np.linspace(-(steps - 1) / 2, (steps - 1) / 2, steps):
        ox, oy = int(round(t * dx)) + steps, int(round(t * dy)) + steps
        acc += padded[oy:oy + h, ox:ox + w]
    return np.asarray(np.round(acc / steps), dtype=np.uint8)


def shrink(image: RGB, factor: float) -> RGB:
    """The photo scaled down by `factor` (< 1) and centred on a canvas of its own size and mean colour."""
    if factor >= 1.0:
        return image
    h, w = image.shape[:2]
    small = Image.fromarray(image).resize((max(1, round(w * factor)), max(1, round(h * factor))),
                                          Image.Resampling.LANCZOS)
    fill = tuple(int(v) for v in np.asarray(image).reshape(-1, 3).mean(axis=0))
    canvas = Image.new("RGB", (w, h), fill)
    canvas.paste(small, ((w - small.width) // 2, (h - small.height) // 2))
    return np.asarray(canvas)


def jpeg_round_trip(image: RGB, quality: int = 90) -> RGB:
    """Encode as JPEG and decode again, as a camera or phone saves the photo."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as decoded:
        return np.asarray(decoded.convert("RGB"))
