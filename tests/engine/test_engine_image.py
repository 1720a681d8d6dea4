"""decode_image: formats, EXIF orientation, modes, size limits, decompression bombs."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emulator.engine import ImageTooLarge, ImageTooSmall, InvalidImageFormat, decode_image


def _encode(img: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _gradient(w: int = 120, h: int = 90) -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.uint8)[None, :].repeat(h, 0)
    return Image.fromarray(np.stack([x, x[::-1, ::-1], np.full_like(x, 40)], axis=2))


def test_jpeg_and_png_decode_to_rgb_uint8() -> None:
    for fmt in ("JPEG", "PNG"):
        arr = decode_image(_encode(_gradient(), fmt))
        assert arr.shape == (90, 120, 3) and arr.dtype == np.uint8


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "LA", "I;16", "CMYK"])
def test_modes_are_converted_to_rgb(mode: str) -> None:
    img = _gradient()
    gray = np.asarray(img.convert("L"))
    if mode == "I;16":
        img = Image.fromarray((gray.astype(np.uint16) * 257).astype(np.uint16))
    else:
        img = img.convert(mode)
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    arr = decode_image(_encode(img, fmt))
    assert arr.shape == (90, 120, 3) and arr.dtype == np.uint8
    if mode == "I;16":
        assert np.abs(arr[..., 0].astype(int) - gray).max() <= 1  # scaled down, not clipped


def test_transparent_png_is_composited_on_white() -> None:
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    assert (decode_image(_encode(img, "PNG")) == 255).all()


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_formats_rejected(fmt: str) -> None:
    with pytest.raises(InvalidImageFormat):
        decode_image(_encode(_gradient().convert("RGB"), fmt))


GARBAGE = [b"", b"\xff\xd8", b"hello world, not an image", b"\x89PNG\r\n\x1a\n" + b"\0" * 40]


@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_rejected(data: bytes) -> None:
    with pytest.raises(InvalidImageFormat):
        decode_image(data)


def test_truncated_jpeg_rejected(faces_dir: Path) -> None:
    data = (faces_dir / "angelina_jolie" / "4.jpg").read_bytes()
    with pytest.raises(InvalidImageFormat):
        decode_image(data[: len(data) // 2])


def test_truncated_png_rejected() -> None:
    data = _encode(_gradient(400, 300), "PNG")
    with pytest.raises(InvalidImageFormat):
        decode_image(data[: len(data) // 2])


def test_too_small() -> None:
    with pytest.raises(ImageTooSmall):
        decode_image(_encode(_gradient(79, 200), "PNG"))
    with pytest.raises(ImageTooSmall):
        decode_image(_encode(_gradient(200, 79), "JPEG"))
    assert decode_image(_encode(_gradient(80, 80), "PNG")).shape == (80, 80, 3)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height, with one tiny (invalid) IDAT: never decodable."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\0" * 16))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def test_decompression_bomb_refused_before_decoding() -> None:
    with pytest.raises(ImageTooLarge):
        decode_image(_png_header_only(100_000, 100_000))
    # Over our cap but under PIL's own limits: still ours.
    with pytest.raises(ImageTooLarge):
        decode_image(_png_header_only(8000, 6000))


def test_pixel_cap_is_adjustable() -> None:
    with pytest.raises(ImageTooLarge):
        decode_image(_encode(_gradient(200, 200), "PNG"), max_pixels=10_000)


def test_exif_orientation_applied(faces_dir: Path) -> None:
    original = Image.open(faces_dir / "angelina_jolie" / "4.jpg")
    rotated = original.transpose(Image.Transpose.ROTATE_90)  # stored sideways
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    arr = decode_image(_encode(rotated, "JPEG", exif=exif.tobytes(), quality=95))
    assert arr.shape == (original.height, original.width, 3)
