"""Images larger than the detector needs, through the API: boxes and landmarks stay ratios of the original."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.photos import photo

SIDE, AT = 6300, (2000, 3100)


def _centre(box: dict[str, float]) -> tuple[float, float]:
    return box["Left"] + box["Width"] / 2, box["Top"] + box["Height"] / 2


def test_face_in_a_40mp_png_is_reported_where_it_was_pasted(rekognition: Any) -> None:
    data = photo("angelina_jolie/1.jpg")
    face = Image.open(io.BytesIO(data)).convert("RGB")
    alone = rekognition.detect_faces(Image={"Bytes": data})["FaceDetails"][0]
    canvas = Image.new("RGB", (SIDE, SIDE), (120, 140, 160))
    canvas.paste(face, AT)
    buf = io.BytesIO()
    canvas.save(buf, "PNG")
    details = rekognition.detect_faces(Image={"Bytes": buf.getvalue()})["FaceDetails"]
    assert len(details) == 1
    found = details[0]

    def moved(x: float, y: float) -> tuple[float, float]:  # a ratio of the photo -> a ratio of the canvas
        return (AT[0] + x * face.width) / SIDE, (AT[1] + y * face.height) / SIDE

    width = alone["BoundingBox"]["Width"] * face.width / SIDE
    assert abs(found["BoundingBox"]["Width"] - width) < 0.25 * width
    cx, cy = moved(*_centre(alone["BoundingBox"]))
    got = _centre(found["BoundingBox"])
    assert abs(got[0] - cx) < 0.15 * width and abs(got[1] - cy) < 0.15 * width
    expected = {mark["Type"]: moved(mark["X"], mark["Y"]) for mark in alone["Landmarks"]}
    for mark in found["Landmarks"]:
        x, y = expected[mark["Type"]]
        assert abs(mark["X"] - x) < 0.002 and abs(mark["Y"] - y) < 0.002, mark["Type"]
