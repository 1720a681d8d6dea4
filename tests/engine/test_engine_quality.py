"""Brightness, sharpness and the QualityFilter levels."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import numpy as np
import pytest

from emulator.engine import DetectedFace, Engine, Pose, Quality, quality_filter_reasons
from emulator.engine import quality as q
from emulator.engine.filters import THRESHOLDS
from tests.degraded import DARK_STOPS, DIM_STOPS, MOTION_PAST, motion_blurred, underexposed

DIM_PHOTOS = ("angelina_jolie/2.jpg", "elon_musk/2.jpg")


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
        "LOW_BRIGHTNESS": _face(quality=Quality(8, 80)),
        "LOW_SHARPNESS": _face(quality=Quality(50, 20)),
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


def _distance(a: DetectedFace, b: DetectedFace | None) -> float:
    assert a.descriptor is not None and b is not None and b.descriptor is not None
    return float(np.linalg.norm(a.descriptor - b.descriptor))


@pytest.mark.parametrize("rel", DIM_PHOTOS)
def test_dim_indoor_photo_passes_auto_and_still_matches(engine: Engine, rel: str,
                                                         identity_faces: dict[str, DetectedFace | None]) -> None:
    image = underexposed(rel, DIM_STOPS)
    face = engine.faces(image, largest_only=True)[0]
    assert 10 < face.quality.brightness < 20  # dim: the old AUTO (brightness >= 20) refused it
    assert quality_filter_reasons(face, image.shape, "AUTO") == []
    person = rel.split("/")[0]
    others = [f for other, f in identity_faces.items() if other.startswith(person + "/") and other != rel]
    assert others and all(_distance(face, f) < 0.6 for f in others)


@pytest.mark.parametrize("rel", DIM_PHOTOS)
def test_darkness_does_not_read_as_blur(engine: Engine, rel: str,
                                        identity_faces: dict[str, DetectedFace | None]) -> None:
    dim = engine.faces(underexposed(rel, DIM_STOPS), largest_only=True, descriptors=False)[0]
    ref = identity_faces[rel]
    assert ref is not None
    assert dim.quality.sharpness > ref.quality.sharpness - 5


def test_sharpness_ignores_contrast_but_not_blur(load_image: Callable[[str], np.ndarray],
                                                 identity_faces: dict[str, DetectedFace | None]) -> None:
    rel = "george_clooney/1.jpg"
    face = identity_faces[rel]
    assert face is not None
    crop = q.face_crop(load_image(rel), face.left, face.top, face.width, face.height).astype(np.float64)
    flat = (crop - crop.mean()) * 0.25 + crop.mean() * 0.25
    assert abs(q.sharpness(flat.round().astype(np.uint8)) - q.sharpness(crop.astype(np.uint8))) < 5
    # Blur along one direction only (a horizontal smear) is caught by the weakest direction.
    smear = np.mean([np.roll(crop, k, axis=1) for k in range(-10, 11)], axis=0)
    assert q.sharpness(smear.round().astype(np.uint8)) < q.sharpness(crop.astype(np.uint8)) / 3


def test_photo_darkened_past_breakdown_is_low_brightness_at_every_level(
        engine: Engine, identity_faces: dict[str, DetectedFace | None]) -> None:
    rel = DIM_PHOTOS[0]
    dark_image = underexposed(rel, DARK_STOPS)
    dark = engine.faces(dark_image, largest_only=True)[0]
    dim = engine.faces(underexposed(rel, DIM_STOPS), largest_only=True)[0]
    for level in ("LOW", "MEDIUM", "AUTO", "HIGH"):
        assert "LOW_BRIGHTNESS" in quality_filter_reasons(dark, dark_image.shape, level)
    # The descriptor drifts with the light: twice as far from the undegraded photo as the dim copy's.
    ref = identity_faces[rel]
    assert _distance(dark, ref) > 1.5 * _distance(dim, ref)


def test_motion_blur_past_breakdown_is_low_sharpness(engine: Engine,
                                                     identity_faces: dict[str, DetectedFace | None]) -> None:
    rel = DIM_PHOTOS[0]
    image = motion_blurred(rel, MOTION_PAST)
    face = engine.faces(image, largest_only=True)[0]
    assert "LOW_SHARPNESS" in quality_filter_reasons(face, image.shape, "AUTO")
    assert _distance(face, identity_faces[rel]) > 0.5  # as far from its own photo as another photo of her


def test_levels_are_nested() -> None:
    """HIGH refuses at least what MEDIUM refuses, MEDIUM what LOW refuses; AUTO is MEDIUM; NONE nothing."""
    order = ("LOW", "MEDIUM", "HIGH")
    for low, high in itertools.pairwise(order):
        a, b = THRESHOLDS[low], THRESHOLDS[high]
        assert a[0] <= b[0] and a[1] <= b[1] and a[2] <= b[2] and a[3] <= b[3] and a[4] >= b[4]
    grid = itertools.product((50.0, 90.0, 94.0, 96.0, 99.5), (16, 25, 40, 70), (2.0, 5.0, 8.0, 30.0),
                             (3.0, 10.0, 28.0, 60.0), (0.0, 35.0, 50.0, 70.0))
    for conf, side, bright, sharp, yaw in grid:
        face = _face(confidence=conf, width=side, height=side, quality=Quality(bright, sharp), pose=Pose(0, yaw, 0))
        reasons = {level: set(quality_filter_reasons(face, (1080, 1920), level)) for level in (*order, "AUTO")}
        assert reasons["LOW"] <= reasons["MEDIUM"] <= reasons["HIGH"]
        assert reasons["AUTO"] == reasons["MEDIUM"]
        assert quality_filter_reasons(face, (1080, 1920), "NONE") == []


def test_degraded_faces_are_refused_in_nested_levels(engine: Engine) -> None:
    images = [underexposed(DIM_PHOTOS[0], stops) for stops in (DIM_STOPS, 5.5, 6.5, DARK_STOPS)]
    images += [motion_blurred(DIM_PHOTOS[0], fraction) for fraction in (0.08, 0.12, MOTION_PAST)]
    seen = set()
    for image in images:
        for face in engine.faces(image, descriptors=False):
            reasons = [set(quality_filter_reasons(face, image.shape, lv)) for lv in ("LOW", "MEDIUM", "HIGH")]
            assert reasons[0] <= reasons[1] <= reasons[2]
            seen.update(reasons[2])
    assert {"LOW_BRIGHTNESS", "LOW_SHARPNESS"} <= seen
