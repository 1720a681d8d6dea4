"""Session fixtures for engine tests: the face photos, one dlib Engine, per-photo results computed once."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from emulator.engine import DetectedFace, Engine, decode_image


@pytest.fixture(scope="session")
def manifest(faces_dir: Path) -> dict[str, dict[str, str]]:
    """MANIFEST.csv rows keyed by relative path."""
    with open(faces_dir / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        return {row["path"]: row for row in csv.DictReader(fh)}


@pytest.fixture(scope="session")
def engine() -> Engine:
    """One shared Engine on dlib's own descriptor (independent of the onnx runtime)."""
    return Engine(descriptor="dlib")


@pytest.fixture(scope="session")
def load_image(faces_dir: Path) -> Callable[[str], np.ndarray]:
    """Decode a photo by its manifest path, cached for the session."""
    cache: dict[str, np.ndarray] = {}

    def load(rel: str) -> np.ndarray:
        if rel not in cache:
            cache[rel] = decode_image((faces_dir / rel).read_bytes())
        return cache[rel]

    return load


@pytest.fixture(scope="session")
def identity_faces(manifest: dict[str, dict[str, str]], engine: Engine,
                   load_image: Callable[[str], np.ndarray]) -> dict[str, DetectedFace | None]:
    """Largest face (with descriptor) of every identity-folder photo, computed once."""
    out: dict[str, DetectedFace | None] = {}
    for rel in manifest:
        if rel.startswith("_"):
            continue
        found = engine.faces(load_image(rel), largest_only=True)
        out[rel] = found[0] if found else None
    return out


@pytest.fixture(scope="session")
def all_faces(engine: Engine, load_image: Callable[[str], np.ndarray]) -> Callable[[str], list[DetectedFace]]:
    """All faces (no descriptors) of a photo, cached for the session."""
    cache: dict[str, list[DetectedFace]] = {}

    def get(rel: str) -> list[DetectedFace]:
        if rel not in cache:
            cache[rel] = engine.faces(load_image(rel), descriptors=False)
        return cache[rel]

    return get


@pytest.fixture(scope="session")
def hog_engine() -> Engine:
    """An Engine on dlib's HOG detector (the convention dlib's 5-point model was trained on)."""
    return Engine(detector="hog")


@pytest.fixture(scope="session")
def hog_identity_faces(manifest: dict[str, dict[str, str]], hog_engine: Engine,
                       load_image: Callable[[str], np.ndarray]) -> dict[str, DetectedFace | None]:
    """Largest face (with descriptor) of every identity-folder photo with HOG boxes, computed once."""
    out: dict[str, DetectedFace | None] = {}
    for rel in manifest:
        if not rel.startswith("_"):
            found = hog_engine.faces(load_image(rel), largest_only=True)
            out[rel] = found[0] if found else None
    return out
