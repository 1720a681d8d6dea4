"""Brightness, sharpness and the QualityFilter levels."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from emulator.engine import DetectedFace, Engine, Pose, Quality, quality_filter_reasons
from emulator.engine import quality as q


def test_blurred_photo_is_less_sharp(all_faces: Callable[[str], list[DetectedFace]],
                                     identity_faces: dict[str, DetectedFace | None]) -> None:
    blurred = all_faces("_hard/angelina_jolie_blurred.jpg")
    assert len(blurred) == 1
    sharp = [f.quality.sharpness for rel, f in identity_faces.items()
             if f and rel.startswith("angelina_jolie/")]
    assert blurred[0].quality.sharpness < min(sharp)
    assert blurred[0].quality.sharpness < 10 < min(sharp)
    assert "LOW_SHARPNESS" in quality_filter_reasons(blurred[0], (800, 600), "AUTO")


def test_darkened_copy_is_darker(engine: Engine, load_image: Callable[[str], np.ndarray],
                                 identity_faces: dict[str, DetectedFace | None]) -> None:
    rel = "george_clooney/1.jpg"
    dark = (load_image(rel).astype(np.float32) * 0.4).astype(np.uint8)
    found = engine.faces(dark, largest_only=True, descriptors=False)
    ref = identity_faces[rel]
    assert found and ref is not None
    assert found[0].quality.brightness < ref.quality.brightness * 0.5


def test_measures_on_synthetic_crops() -> None:
    black = np.zeros((100, 100, 3), dtype=np.uint8)
    white = np.full((100, 100, 3), 255, dtype=np.uint8)
    assert q.brightness(black) == 0.0 and q.brightness(white) == pytest.approx(100.0)
    assert q.sharpness(white) == 0.0
    checker = (np.indices((100, 100)).sum(axis=0) % 2 * 255).astype(np.uint8)
    assert q.sharpness(np.stack([checker] * 3, axis=2)) > 99
    # Boxes past the edge are clipped, never empty.
    assert q.face_crop(white, -50, -50, 60, 60).shape == (10, 10, 3)
    assert q.face_crop(white, 200, 200, 10, 10).size > 0


def _face(**changes: object) -> DetectedFace:
    base = DetectedFace(left=100, top=100, width=200, height=200, confidence=99.9,
                        landmarks={}, pose=Pose(0, 0, 0), quality=Quality(50, 80), descriptor=None)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("level", ["NONE", "AUTO", "LOW", "MEDIUM", "HIGH"])
def test_good_face_passes_every_level(level: str) -> None:
    assert quality_filter_reasons(_face(), (1080, 1920), level) == []


def test_each_reason_and_strictness() -> None:
    shape = (1080, 1920)
    cases = {
        "LOW_CONFIDENCE": _face(confidence=96.0),
        "SMALL_BOUNDING_BOX": _face(width=40, height=40),
        "LOW_BRIGHTNESS": _face(quality=Quality(25, 80)),
        "LOW_SHARPNESS": _face(quality=Quality(50, 10)),
        "EXTREME_POSE": _face(pose=Pose(0, 40, 0)),
    }
    for reason, face in cases.items():
        assert quality_filter_reasons(face, shape, "HIGH") == [reason]
        assert quality_filter_reasons(face, shape, "LOW") == []
        assert quality_filter_reasons(face, shape, "NONE") == []
    terrible = _face(confidence=50.0, width=10, height=10, quality=Quality(1, 0.5), pose=Pose(0, 80, 80))
    assert len(quality_filter_reasons(terrible, shape, "LOW")) == 5
    assert quality_filter_reasons(terrible, shape, "NONE") == []
    auto = quality_filter_reasons(terrible, shape, "AUTO")
    assert auto == quality_filter_reasons(terrible, shape, "MEDIUM")
    # The box minimum grows with the image, like Rekognition's 40 px in 1920x1080.
    small = _face(width=50, height=50)
    assert quality_filter_reasons(small, (1080, 1920), "MEDIUM") == []
    assert quality_filter_reasons(small, (2160, 3840), "MEDIUM") == ["SMALL_BOUNDING_BOX"]
    with pytest.raises(ValueError):
        quality_filter_reasons(small, shape, "ULTRA")
