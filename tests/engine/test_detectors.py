"""The RetinaFace detector: faces HOG misses, no faces where there are none, its scale, confidence and files."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from emulator.engine import DetectedFace, Engine, detectors, landmarks, models
from emulator.engine.descriptor import face_chips
from emulator.engine.detectors import anchors, second_look
from emulator.engine.detectors.retinaface import (
    SCORE_THRESHOLD,
    RetinaFaceDetector,
    network_scale,
    score_to_confidence,
)
from emulator.engine.ort_session import SizedSessions


@pytest.fixture(scope="session")
def retinaface(engine: Engine) -> RetinaFaceDetector:
    """The engine's own RetinaFace detector (models loaded once)."""
    detector = engine._detector  # the session engine's, not a second copy of the networks
    assert isinstance(detector, RetinaFaceDetector)
    return detector


def test_default_detector_is_retinaface(engine: Engine) -> None:
    assert engine.detector == "retinaface" == detectors.DEFAULT
    assert detectors.canonical("cnn") == "mmod"
    with pytest.raises(ValueError, match="unknown detector"):
        detectors.canonical("yolo")


def test_finds_faces_rolled_by_45_degrees(manifest: dict[str, dict[str, str]], engine: Engine,
                                          load_image: Callable[[str], np.ndarray]) -> None:
    """HOG finds 65 of the 73 identity photos rotated by -45 degrees; the face is found in every one."""
    missed, misfit = [], []
    for rel in (r for r in manifest if not r.startswith("_")):
        rotated = np.asarray(Image.fromarray(load_image(rel)).rotate(-45, resample=Image.Resampling.BILINEAR,
                                                                     expand=True))
        found = engine.faces(rotated, largest_only=True, descriptors=False)
        if not found:
            missed.append(rel)
        elif not 20 < found[0].pose.roll < 70:
            misfit.append(rel)
    assert missed == []
    assert misfit == []  # the mesh is levelled on RetinaFace's own eye points, which hold up on rolled faces


def test_hard_photos(all_faces: Callable[[str], list[DetectedFace]]) -> None:
    # The cameraman (a turned face HOG misses), a 240p frame, a face cut by the border, a blurred face.
    for rel in ("_hard/cameraman_gray.png", "_hard/obama_240p.jpg", "_hard/obama_partial_face.jpg",
                "_hard/angelina_jolie_blurred.jpg"):
        assert len(all_faces(rel)) == 1, rel
    # Seven people; the eighth candidate (a hand, score 0.82) is dropped by the second look.
    small = all_faces("_hard/voc_2008_004176_small_faces.jpg")
    assert len(small) == 7 and all(f.confidence >= 90 for f in small)
    assert not any(f.left < 130 and f.top > 180 and f.width < 40 for f in small)


def test_group_photos_find_what_hog_finds_and_more(all_faces: Callable[[str], list[DetectedFace]],
                                                   manifest: dict[str, dict[str, str]]) -> None:
    multi = sorted(r for r in manifest if r.startswith("_multi/"))
    ours = sum(len(all_faces(r)) for r in multi)
    hogs = sum(int(manifest[r]["hog_faces_upsample1"]) for r in multi)
    assert (ours, hogs) == (49, 47)


def test_second_look_removes_dog_faces(retinaface: RetinaFaceDetector, load_image: Callable[[str], np.ndarray],
                                       engine: Engine) -> None:
    dogs = load_image("_noface/dogs.jpg")
    # At full size the network alone takes three dog faces for human ones (scores up to 0.99).
    candidates = retinaface.candidates(dogs, 1.0)
    assert len(candidates) >= 3 and max(c.confidence for c in candidates) > 99
    boxes = [(c.left, c.top, c.left + c.width, c.top + c.height) for c in candidates]
    assert retinaface.second_look.keep(dogs, boxes) == [False] * len(boxes)
    # Through the engine, at any --min-face-size: no face.
    for min_face in (40, 24, 20):
        scaled = Engine.__new__(Engine)
        scaled.__dict__.update(engine.__dict__, min_face=min_face)
        assert scaled.faces(dogs, descriptors=False) == [], min_face
        assert scaled.faces(dogs, largest_only=True, descriptors=False) == [], min_face


def test_largest_with_prepares_while_the_second_look_checks(
        retinaface: RetinaFaceDetector, engine: Engine, manifest: dict[str, dict[str, str]],
        load_image: Callable[[str], np.ndarray]) -> None:
    """The overlapped path finds the face detect(largest_only) finds, and a refused candidate's preparation is
    dropped: on the dogs photo every candidate is prepared and none returned."""
    for rel in sorted(r for r in manifest if not r.startswith("_"))[:6]:
        image = load_image(rel)
        got = retinaface.largest_with(image, min_face=40, prepare=lambda face: face.shape_rect)
        assert got is not None
        assert got[0] == retinaface.detect(image, largest_only=True, min_face=40)[0] and got[1] == got[0].shape_rect
        overlapped = engine.faces(image, largest_only=True, details=False)[0]
        shapes = landmarks.predict_shapes(image, [got[0].shape_rect])
        np.testing.assert_array_equal(overlapped.descriptor, engine.describe(face_chips(image, shapes))[0])
    prepared: list[float] = []
    dogs = load_image("_noface/dogs.jpg")
    assert retinaface.largest_with(dogs, min_face=24, prepare=lambda face: prepared.append(face.area)) is None
    assert len(prepared) >= 1


def _largest_face_count(engine: Engine, image: np.ndarray, out: Any) -> None:
    """In a forked child: how many largest faces the engine finds (put on the queue)."""
    out.put(len(engine.faces(image, largest_only=True)))


def test_a_forked_child_runs_second_looks_of_its_own(engine: Engine, load_image: Callable[[str], np.ndarray],
                                                     manifest: dict[str, dict[str, str]]) -> None:
    """The second-look threads do not survive fork: a child that inherited a started pool must not wait forever
    for them (before the at-fork reset it hung)."""
    image = load_image(sorted(r for r in manifest if not r.startswith("_"))[0])
    assert len(engine.faces(image, largest_only=True)) == 1  # the parent's pool is running
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    child = context.Process(target=_largest_face_count, args=(engine, image, out))
    child.start()
    child.join(120)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0
    assert out.get(timeout=5) == 1


def test_second_look_keeps_every_real_face(retinaface: RetinaFaceDetector, manifest: dict[str, dict[str, str]],
                                           load_image: Callable[[str], np.ndarray]) -> None:
    for rel in (r for r in manifest if not r.startswith("_")):
        image = load_image(rel)
        height, width = image.shape[:2]
        top = retinaface.candidates(image, network_scale(width, height, 40))[0]
        assert retinaface.second_look.keep(image, [(top.left, top.top, top.left + top.width,
                                                    top.top + top.height)]) == [True], rel


def test_network_scale_follows_the_proportional_minimum() -> None:
    assert network_scale(640, 480, 40) == pytest.approx(0.6)
    assert network_scale(1920, 1080, 40) == pytest.approx(0.6)
    assert network_scale(3840, 2160, 40) == pytest.approx(0.3)
    assert network_scale(1920, 1080, 80) == pytest.approx(0.3)
    assert network_scale(640, 480, 20) == pytest.approx(1.2)
    assert network_scale(640, 480, 5) == 2.0


def test_confidence_mapping() -> None:
    assert score_to_confidence(SCORE_THRESHOLD) == pytest.approx(90.0)
    assert score_to_confidence(0.999) == pytest.approx(99.955, abs=0.001)
    values = [score_to_confidence(p) for p in np.linspace(0.0, 1.0, 101)]
    assert values == sorted(values) and values[0] == 0.0 and values[-1] == 100.0


def test_anchor_decoding_and_nms() -> None:
    priors = anchors.anchors(64, 96)
    # Strides 8/16/32 with two sizes each: 2 * (8*12 + 4*6 + 2*3) anchors, the first centred on (4, 4).
    assert priors.shape == (252, 3) and tuple(priors[0]) == (4.0, 4.0, 16.0) and tuple(priors[1]) == (4.0, 4.0, 32.0)
    loc = np.zeros((2, 4), dtype=np.float32)
    loc[1] = (1.0, 0.0, np.log(2.0) / 0.2, 0.0)
    boxes, points = anchors.decode(loc, np.zeros((2, 10), dtype=np.float32), priors[:2])
    assert np.allclose(boxes[0], (-4, -4, 12, 12)) and np.allclose(points[0], 4.0)
    assert np.allclose(boxes[1], (7.2 - 32, 4 - 16, 7.2 + 32, 4 + 16))
    overlapping = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], dtype=np.float64)
    assert anchors.nms(overlapping, np.array([0.9, 0.95, 0.8]), 0.4).tolist() == [1, 2]


def test_missing_model_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(models, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(models.ModelNotFound, match="retinaface_mnet025.onnx.*scripts/vendor_models"):
        Engine()


def test_serve_stops_at_start_up_without_the_model_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from emulator.cli import main as cli_main

    monkeypatch.setattr(models, "WEIGHTS_DIR", tmp_path)
    assert cli_main(["serve", "--in-memory", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "retinaface_mnet025.onnx" in err and "scripts/vendor_models" in err


def test_second_look_crops_only_the_region_yet_match_the_whole_image_transform(
        load_image: Callable[[str], np.ndarray]) -> None:
    """Cutting the region first (a 2-px rim for the bilinear taps) gives the crop PIL makes from the whole image."""
    image = load_image("_multi/two_people_biden_obama.jpg")
    height, width = image.shape[:2]
    whole = Image.fromarray(image)
    regions = [second_look._crop(box) for box in [(100.0, 80.0, 180.5, 175.25), (-30.0, -20.0, 50.0, 60.0),
                                                  (width - 40.0, height - 40.0, width + 30.0, height + 50.0),
                                                  (0.0, 0.0, float(width), float(height))]]
    regions.append((width + 10.0, 0.0, width + 50.0, 40.0))  # wholly outside: black
    for region in regions:
        expected = np.asarray(whole.transform((second_look.CROP_SIZE, second_look.CROP_SIZE), Image.Transform.EXTENT,
                                              region, Image.Resampling.BILINEAR))
        assert np.array_equal(second_look._crop_pixels(image, region), expected), region


def test_small_inputs_run_on_one_thread_large_ones_on_all() -> None:
    """One thread for a single crop or a small pass (faster there), the configured threads from four crops on."""
    sessions = SizedSessions(models.vendored_model(second_look.MODEL_FILE), threads=2)
    assert sessions.small is not sessions.large
    assert sessions.for_input((1, 3, 96, 96)) is sessions.small
    assert sessions.for_input((1, 3, 160, 192)) is sessions.small
    assert sessions.for_input((4, 3, 96, 96)) is sessions.large
    assert sessions.for_input((1, 3, 288, 384)) is sessions.large
    single = SizedSessions(models.vendored_model(second_look.MODEL_FILE), threads=1)
    assert single.small is single.large
