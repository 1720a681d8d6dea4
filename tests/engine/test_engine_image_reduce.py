"""decode_image on images larger than the detector needs: reduced while decoding, upright, ratios kept."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from emulator.engine import Engine, decode_image
from emulator.engine.resolution import working_size

ORIENTATION = 0x0112


def _encode(img: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


class Admissions:
    """An ``admit`` callback that records the pixels of every decode it lets in."""

    def __init__(self) -> None:
        self.pixels: list[int] = []

    @contextmanager
    def __call__(self, pixels: int) -> Iterator[None]:
        self.pixels.append(pixels)
        yield


def _upright_with_marker(width: int, height: int) -> Image.Image:
    """A dark image with a white block in its top-left corner, to tell orientations apart."""
    img = Image.new("RGB", (width, height), (30, 30, 30))
    img.paste((255, 255, 255), (0, 0, width // 4, height // 4))
    return img


def test_working_size_follows_rekognitions_minimum_face() -> None:
    assert working_size(1024, 768) == (1024, 768)
    assert working_size(1920, 1080) == (1920, 1080)
    assert working_size(3840, 2160) == (3840, 2160)  # its smallest face (80 px) is the detector's window
    assert working_size(6300, 6300) == (2160, 2160)
    assert working_size(8000, 2000) == (3840, 960)
    assert working_size(3840, 2160, min_face=80) == (1920, 1080)


def test_shared_photos_are_decoded_at_their_own_size(faces_dir: Path) -> None:
    for path in sorted(faces_dir.glob("*/1.jpg"))[:5]:
        with Image.open(path) as img:
            size = img.size
        assert decode_image(path.read_bytes()).shape[:2] == (size[1], size[0])


def test_huge_png_is_reduced_to_the_working_size() -> None:
    admit = Admissions()
    canvas = Image.new("RGBA", (6300, 6300), (120, 140, 160, 255))
    arr = decode_image(_encode(canvas, "PNG"), admit=admit)
    assert arr.shape == (2160, 2160, 3) and arr.dtype == np.uint8
    assert (arr == (120, 140, 160)).all()
    assert admit.pixels == [6300 * 6300]  # a PNG is decoded whole, inside the admission


def test_huge_16bit_png_is_reduced_without_losing_its_scale() -> None:
    grey = np.full((4320, 7680), 40000, dtype=np.uint16)
    arr = decode_image(_encode(Image.fromarray(grey), "PNG"))
    assert arr.shape == (2160, 3840, 3)
    assert (arr == round(40000 / 257)).all()


def test_huge_jpeg_is_decoded_at_a_reduced_scale_and_turned_upright() -> None:
    upright = _upright_with_marker(5000, 8000)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # 8000x5000 on disk, "rotate 90 CW to display"
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    admit = Admissions()
    arr = decode_image(_encode(stored, "JPEG", exif=exif.tobytes(), quality=90), admit=admit)
    assert arr.shape == (2160, 1350, 3)  # upright 5000x8000 reduced so its smallest face is 80 px
    assert admit.pixels == [4000 * 2500]  # DCT-scaled by 2: a quarter of the 40 MP is ever decoded
    assert arr[:500, :300].mean() > 240 and arr[-500:, -300:].mean() < 40  # the marker is top-left


def test_png_exif_orientation_is_not_applied_but_jpegs_is() -> None:
    stored = _upright_with_marker(120, 90)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    png = decode_image(_encode(stored, "PNG", exif=exif.tobytes()))
    jpeg = decode_image(_encode(stored, "JPEG", exif=exif.tobytes(), quality=95))
    assert png.shape == (90, 120, 3) and png[:20, :25].mean() > 240  # as stored
    assert jpeg.shape == (120, 90, 3) and jpeg[:20, -20:].mean() > 240  # turned 90 degrees clockwise


def test_reduced_face_keeps_its_place_as_ratios_of_the_original(engine: Engine, faces_dir: Path) -> None:
    data = (faces_dir / "angelina_jolie" / "1.jpg").read_bytes()
    alone = engine.faces(decode_image(data), largest_only=True, descriptors=False)[0]
    side, at = 6300, (2000, 3100)
    canvas = Image.new("RGB", (side, side), (120, 140, 160))
    canvas.paste(Image.open(io.BytesIO(data)).convert("RGB"), at)
    arr = decode_image(_encode(canvas, "PNG"))
    assert arr.shape == (2160, 2160, 3)
    found = engine.faces(arr, largest_only=True, descriptors=False)[0]
    h, w = arr.shape[:2]
    for kind, (x, y) in alone.landmarks.items():
        got_x, got_y = found.landmarks[kind]
        assert abs(got_x / w - (at[0] + x) / side) < 0.002 and abs(got_y / h - (at[1] + y) / side) < 0.002, kind
    assert abs(found.width / w - alone.width / side) < 0.25 * alone.width / side
    centre = ((found.left + found.width / 2) / w, (found.top + found.height / 2) / h)
    expected = ((at[0] + alone.left + alone.width / 2) / side, (at[1] + alone.top + alone.height / 2) / side)
    assert max(abs(centre[0] - expected[0]), abs(centre[1] - expected[1])) < 0.15 * alone.width / side
