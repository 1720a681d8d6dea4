"""The ONNX rebuild of dlib's CNN face detector finds dlib's boxes with dlib's scores, caches safely, fails loudly."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlib  # type: ignore[import-untyped,unused-ignore]
import numpy as np
import numpy.typing as npt
import onnx  # type: ignore[import-untyped,unused-ignore]
import pytest

from emulator import cli
from emulator.config import Settings
from emulator.engine import Engine, decode_image, detect, mmod, models
from emulator.engine.dlibnet.format import Conv
from emulator.engine.mmod import onnx_loader
from emulator.engine.mmod.detector import OnnxMmod
from emulator.engine.mmod.graph import build_model
from emulator.engine.mmod.network import MmodNet, parse
from emulator.engine.mmod.onnx_loader import MmodBuildError
from emulator.engine.mmod.selfcheck import scene
from emulator.tools import evaluate_cli
from tests.photos import photo
from tests.support import start_live_server

#: Photos (manifest path, upsampling) compared with dlib-bin: dlib takes seconds on each, so only a few.
PHOTOS = (("_multi/voc_2008_002506.jpg", 0), ("_multi/selfie_many_people.jpg", 0), ("_hard/obama_240p.jpg", 1))
BOX_TOLERANCE = 2
SCORE_TOLERANCE = 1e-3

Image = npt.NDArray[np.uint8]
Found = list[tuple[tuple[int, int, int, int], float]]


def _plain(found: Any) -> Found:
    """(left, top, right, bottom), score pairs, best score first."""
    pairs = [((int(r.left()), int(r.top()), int(r.right()), int(r.bottom())), float(s)) for r, s in found]
    return sorted(pairs, key=lambda p: -p[1])


@pytest.fixture(scope="module")
def detector(tmp_path_factory: pytest.TempPathFactory) -> OnnxMmod:
    """The ONNX detector, built (and checked against dlib) into a private cache folder."""
    return mmod.load(cache_dir=tmp_path_factory.mktemp("mmod-cache"), threads=2)


@pytest.fixture(scope="module")
def images() -> dict[str, Image]:
    """The compared photos, decoded once."""
    return {path: decode_image(photo(path)) for path, _ in PHOTOS}


@pytest.fixture(scope="module")
def dlib_found(images: dict[str, Image]) -> dict[str, Found]:
    """dlib-bin's own cnn_face_detection_model_v1 on each compared photo (the slow part, computed once)."""
    model = dlib.cnn_face_detection_model_v1(str(models.model_path(models.MMOD)))
    return {path: _plain((d.rect, d.confidence) for d in model(images[path], up)) for path, up in PHOTOS}


def test_parse_finds_dlibs_network() -> None:
    """The .dat is loss_mmod with one 80x80 window over 7 convs (bn frozen into 6 affines) on a pyramid_down<6>."""
    net = parse(models.model_path(models.MMOD).read_bytes())
    kinds = [layer.kind for layer in net.layers]
    assert kinds.count("con") == 7 and kinds.count("affine") == 6 and kinds.count("relu") == 6
    assert [(w.width, w.height) for w in net.options.windows] == [(80, 80)]
    assert net.options.overlaps_nms.iou == pytest.approx(0.3383, abs=1e-4) and net.options.overlaps_nms.covered == 1
    assert net.input.mean == pytest.approx((122.782, 117.001, 104.298), abs=1e-3)
    assert (net.input.padding, net.input.outer_padding) == (10, 11)
    strides = [layer.stride for layer in net.layers if isinstance(layer, Conv)]
    assert strides == [(2, 2)] * 3 + [(1, 1)] * 4


@pytest.mark.parametrize("path,upsample", PHOTOS)
def test_same_boxes_and_scores_as_dlib(detector: OnnxMmod, images: dict[str, Image], dlib_found: dict[str, Found],
                                       path: str, upsample: int) -> None:
    """Every face dlib-bin finds is found with the same box (within 2 px) and score, and nothing else."""
    ours, theirs = _plain(detector(images[path], upsample)), dlib_found[path]
    assert len(theirs) >= 1 and len(ours) == len(theirs), (ours, theirs)
    for (box, score), (ref_box, ref_score) in zip(ours, theirs, strict=True):
        assert max(abs(a - b) for a, b in zip(box, ref_box, strict=True)) <= BOX_TOLERANCE, (box, ref_box)
        assert score == pytest.approx(ref_score, abs=SCORE_TOLERANCE)


def test_multi_face_photo_finds_every_face(detector: OnnxMmod, images: dict[str, Image]) -> None:
    """The selfie of several people gives several separate faces (NMS keeps neighbours apart)."""
    found = detector(images["_multi/selfie_many_people.jpg"], 0)
    assert len(found) >= 4
    assert all(score > 0 for _, score in found)


def test_no_face_in_a_plain_image(detector: OnnxMmod) -> None:
    """A smooth gradient has no face at any upsampling."""
    gradient = np.linspace(0, 255, 200 * 160 * 3).reshape(160, 200, 3).astype(np.uint8)
    assert detector(gradient, 0) == [] and detector(gradient, 1) == []


def test_images_too_small_for_the_network_have_no_face(detector: OnnxMmod) -> None:
    """A few pixels, or a sliver, give no detection (dlib itself raises on them; onnxruntime would too)."""
    for rows, cols in ((1, 1), (5, 5), (200, 6), (3, 900)):
        for upsample in (0, 1):
            assert detector(np.full((rows, cols, 3), 128, dtype=np.uint8), upsample) == []


def test_rejects_bad_images_and_upsampling(detector: OnnxMmod) -> None:
    """Arrays that are not (H, W, 3) uint8, and upsampling outside 0..3, are refused."""
    with pytest.raises(ValueError):
        detector(np.zeros((100, 100), dtype=np.uint8))
    with pytest.raises(ValueError):
        detector(np.zeros((100, 100, 3), dtype=np.float32))
    with pytest.raises(ValueError):
        detector(np.zeros((100, 100, 3), dtype=np.uint8), upsample=4)


def test_concurrent_calls_agree(detector: OnnxMmod, images: dict[str, Image]) -> None:
    """Several threads detect at once (no lock) and all get the single-threaded answer."""
    image = images["_multi/voc_2008_002506.jpg"]
    expected = _plain(detector(image, 0))
    results: list[Found] = []

    def work() -> None:
        for _ in range(2):
            results.append(_plain(detector(image, 0)))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 6


def test_sessions_return_memory_after_each_image(detector: OnnxMmod) -> None:
    """Whole images vary in size: the sessions run without onnxruntime's arena, which would keep the largest."""
    for session in (detector._session, detector._resize):
        assert session.get_session_options().enable_cpu_mem_arena is False
        assert session.get_session_options().intra_op_num_threads == 2


def _no_build(net: MmodNet) -> Any:
    """Stand-in for the builder: a load that needs it fails."""
    raise AssertionError("the model was rebuilt instead of loaded from the cache")


def test_second_load_uses_cache_and_its_stored_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first load caches one model holding dlib's detections of the scene; the second loads and re-checks it."""
    first = mmod.load(cache_dir=tmp_path, threads=1)
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and first.model_path == files[0]
    assert onnx_loader.REFERENCE_KEY in first.metadata()
    monkeypatch.setattr(onnx_loader, "build_model", _no_build)
    second = mmod.load(cache_dir=tmp_path, threads=1)
    assert second.model_path == files[0]
    assert _plain(second(scene(), 1)) == _plain(first(scene(), 1)) and len(first(scene(), 1)) == 3


@pytest.fixture()
def cached_file(tmp_path: Path) -> Iterator[Path]:
    """Where load() caches the model for the installed weights inside tmp_path."""
    weights = models.model_path(models.MMOD).read_bytes()
    yield onnx_loader.cache_path(tmp_path, hashlib.sha256(weights).hexdigest())


def test_corrupt_cache_is_rebuilt(tmp_path: Path, cached_file: Path) -> None:
    """A cache file that is not a model is replaced by a fresh, checked build."""
    cached_file.write_bytes(b"not an onnx model")
    detector = mmod.load(cache_dir=tmp_path, threads=1)
    assert cached_file.stat().st_size > 500_000 and len(detector(scene(), 1)) == 3


def _perturbed_parse(data: bytes) -> MmodNet:
    """parse(), with the last conv's bias lowered: a model that loads but scores every window too low."""
    net = parse(data)
    layers = list(net.layers)
    last = max(i for i, layer in enumerate(layers) if isinstance(layer, Conv))
    conv = layers[last]
    assert isinstance(conv, Conv)
    layers[last] = dataclasses.replace(conv, bias=conv.bias - np.float32(0.5))
    return dataclasses.replace(net, layers=layers)


def test_wrong_model_raises_and_caches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model whose detections differ from dlib's fails the self-check at build, and nothing is cached."""
    monkeypatch.setattr(onnx_loader, "parse", _perturbed_parse)
    with pytest.raises(MmodBuildError, match="differ"):
        mmod.load(cache_dir=tmp_path, threads=1)
    assert list(tmp_path.iterdir()) == []


def test_wrong_cached_model_is_rebuilt(tmp_path: Path, cached_file: Path) -> None:
    """A cached model that loads but no longer gives the stored detections is dropped and rebuilt."""
    mmod.load(cache_dir=tmp_path, threads=1)
    good = cached_file.read_bytes()
    wrong = build_model(_perturbed_parse(models.model_path(models.MMOD).read_bytes()))
    wrong.metadata_props.extend(onnx.load_from_string(good).metadata_props)
    cached_file.write_bytes(wrong.SerializeToString())
    mmod.load(cache_dir=tmp_path, threads=1)
    assert cached_file.read_bytes() == good


def test_missing_or_foreign_weights_are_clear_errors(tmp_path: Path) -> None:
    """A missing .dat, or a dlib file that is not an MMOD detector, raises MmodBuildError naming the problem."""
    with pytest.raises(MmodBuildError, match="cannot read dlib's CNN face detector weights"):
        mmod.load(tmp_path / "missing.dat", cache_dir=tmp_path, threads=1)
    with pytest.raises(MmodBuildError, match="not dlib's MMOD detector"):
        mmod.load(models.model_path(models.RESNET), cache_dir=tmp_path, threads=1)
    assert list(tmp_path.iterdir()) == []


def test_engine_without_the_dat_fails_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Engine(detector="mmod") with no mmod_human_face_detector.dat installed stops with a clear error."""
    (tmp_path / "models").mkdir()
    monkeypatch.setattr(models, "models_dir", lambda: tmp_path / "models")
    monkeypatch.setattr(mmod, "_shared", [])
    with pytest.raises(MmodBuildError, match="mmod_human_face_detector.dat"):
        Engine(detector="mmod", cache_dir=tmp_path / "cache")


def test_cli_accepts_mmod_and_its_alias(tmp_path: Path) -> None:
    """serve and evaluate take --detector hog, mmod or cnn, and refuse other names."""
    parser = argparse.ArgumentParser()
    cli._serve_parser(parser.add_subparsers(dest="command"))
    for name in detect.DETECTORS:
        assert parser.parse_args(["serve", "--detector", name]).detector == name
        assert evaluate_cli.build_parser().parse_args([str(tmp_path), "--detector", name]).detector == name
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--detector", "retinaface-typo"])


@pytest.mark.parametrize("name", ["mmod", "cnn"])
def test_detect_faces_through_the_api(name: str, tmp_path: Path, images: dict[str, Image],
                                      dlib_found: dict[str, Found]) -> None:
    """DetectFaces on a server started with --detector mmod (or its alias cnn) returns dlib's CNN boxes."""
    path = "_multi/voc_2008_002506.jpg"
    settings = Settings(port=0, data_dir=tmp_path / "data", detector=name, descriptor="dlib",
                        min_face_size=80)  # 80: dlib's window, no upsampling
    live = start_live_server(settings)
    try:
        out = live.client().detect_faces(Image={"Bytes": photo(path)})
    finally:
        live.stop()
    height, width = images[path].shape[:2]
    expected = sorted(dlib_found[path], key=lambda p: -(p[0][2] - p[0][0] + 1) * (p[0][3] - p[0][1] + 1))
    assert len(out["FaceDetails"]) == len(expected) == 3
    for face, ((left, top, right, bottom), score) in zip(out["FaceDetails"], expected, strict=True):
        box = face["BoundingBox"]
        assert box["Left"] * width == pytest.approx(left, abs=BOX_TOLERANCE)
        assert box["Top"] * height == pytest.approx(top, abs=BOX_TOLERANCE)
        assert box["Width"] * width == pytest.approx(right - left + 1, abs=BOX_TOLERANCE)
        assert box["Height"] * height == pytest.approx(bottom - top + 1, abs=BOX_TOLERANCE)
        assert face["Confidence"] == pytest.approx(detect.score_to_confidence(score), abs=0.01)
