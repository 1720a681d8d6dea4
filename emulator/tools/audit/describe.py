"""Run the engine over an evaluation folder once per photo (cached), with a progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from emulator.engine.engine import Engine
from emulator.engine.errors import ImageError
from emulator.engine.image import decode_image
from emulator.limits import DESCRIPTOR_SIZE
from emulator.tools.audit.cache import DescriptorCache, Result, content_key

ATTRIBUTES = frozenset({"GENDER", "AGE_RANGE"})


@dataclass(frozen=True)
class Described:
    """The usable photos (identity, path relative to root, descriptor row, estimates) and the skipped ones."""

    identities: list[str]
    paths: list[str]
    vectors: np.ndarray  # (N, 128) float32
    estimates: list[Result]
    no_face: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    from_cache: int = 0


def settings_of(detector: str, descriptor: str, min_face: int, pad: float) -> str:
    """The engine settings a cached descriptor depends on."""
    return f"detector={detector};descriptor={descriptor};min_face={min_face};pad={pad:g}"


def padded(image: np.ndarray, pad: float) -> np.ndarray:
    """The image inside a mid-grey border of `pad` times its size on each side (0: unchanged)."""
    if pad <= 0:
        return image
    h, w = image.shape[:2]
    return np.pad(image, ((int(h * pad),) * 2, (int(w * pad),) * 2, (0, 0)), constant_values=128)


def run_engine(engine: Engine, data: bytes, pad: float, attributes: bool) -> Result:
    """The largest face's descriptor (and Gender/AgeRange when asked) of one photo's bytes."""
    try:
        image = padded(decode_image(data), pad)
        found = engine.faces(image, largest_only=True, attributes=ATTRIBUTES if attributes else frozenset())
    except ImageError:
        return Result(status="unreadable")
    if not found or found[0].descriptor is None:
        return Result(status="no face", has_attributes=attributes)
    face = found[0]
    attrs = face.attributes
    gender = attrs.gender if attrs is not None else None
    age = attrs.age_range if attrs is not None else None
    return Result(status="face", descriptor=np.asarray(face.descriptor, dtype=np.float32), has_attributes=attributes,
                  gender=None if gender is None else gender.value,
                  gender_confidence=None if gender is None else gender.confidence,
                  age_low=None if age is None else age.low, age_high=None if age is None else age.high)


def describe_folder(photos: list[tuple[str, Path]], root: Path, engine: Callable[[], Engine], cache: DescriptorCache,
                    attributes: bool = False, pad: float = 0.0, progress: bool = True) -> Described:
    """Every photo's result, from the cache where it has one, else from the engine (then stored).

    engine: called (once) only when some photo is not in the cache, so a fully cached re-run loads no model.
    """
    identities: list[str] = []
    paths: list[str] = []
    vectors: list[np.ndarray] = []
    estimates: list[Result] = []
    no_face: list[str] = []
    unreadable: list[str] = []
    hits = 0
    bar = tqdm(photos, unit="photo", desc="describing", file=sys.stderr, disable=not progress, smoothing=0.05)
    try:
        for identity, path in bar:
            data = path.read_bytes()
            key = content_key(data)
            result = cache.get(key)
            if result is None or (attributes and not result.has_attributes):
                result = run_engine(engine(), data, pad, attributes)
                cache.put(key, result)
            else:
                hits += 1
            rel = path.relative_to(root).as_posix()
            if result.status == "unreadable":
                unreadable.append(rel)
            elif result.status != "face" or result.descriptor is None:
                no_face.append(rel)
            else:
                identities.append(identity)
                paths.append(rel)
                vectors.append(result.descriptor)
                estimates.append(result)
    finally:
        bar.close()
        cache.flush()
    matrix = np.stack(vectors).astype(np.float32) if vectors else np.zeros((0, DESCRIPTOR_SIZE), dtype=np.float32)
    return Described(identities=identities, paths=paths, vectors=matrix, estimates=estimates, no_face=no_face,
                     unreadable=unreadable, from_cache=hits)
