"""Eyeglasses, Sunglasses, Beard, Mustache, FaceOccluded: held-out ranking and error bounds, mirror invariance."""

from __future__ import annotations

import csv
import functools
import hashlib
from pathlib import Path

import numpy as np
import pytest

from emulator.engine import Engine, decode_image
from emulator.engine.attributes import registry
from emulator.engine.attributes.accessories import FIELDS, AccessoryEstimator
from emulator.engine.attributes.types import FaceAttributes, FaceView, Verdict

#: Labelled photos per field (held-out half only): manifest column, sets with true and false labels.
SOURCES = {"EYEGLASSES": ("eyeglasses", ("lfw_kumar_attributes",)),
           "SUNGLASSES": ("sunglasses", ("sunglasses_selfies", "lfw_kumar_attributes")),
           "BEARD": ("beard", ("lfw_kumar_attributes",)),
           "MUSTACHE": ("mustache", ("lfw_kumar_attributes",)),
           "FACE_OCCLUDED": ("face_occluded", ("face_mask",))}
PER_CLASS = 15


def held_out(path: str) -> bool:
    """scripts/measure/_common.py's split: the odd-hash half is never tuned on."""
    return hashlib.sha256(path.encode()).digest()[-1] % 2 == 1


@functools.cache
def manifest(root: Path) -> tuple[dict[str, str], ...]:
    """The labelled photos' rows."""
    with open(root / "_attributes" / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def padded(root: Path, path: str) -> np.ndarray:
    """The photo in a mid-grey border of half its size on each side, as the measurement saw it."""
    image = decode_image((root / "_attributes" / path).read_bytes())
    h, w = image.shape[:2]
    return np.pad(image, ((h // 2, h // 2), (w // 2, w // 2), (0, 0)), constant_values=128)


def attributes(engine: Engine, image: np.ndarray) -> FaceAttributes | None:
    """The five fields of the largest face, through Engine.faces (None when no face is found)."""
    found = engine.faces(image, largest_only=True, descriptors=False, attributes=frozenset(FIELDS))
    return found[0].attributes if found else None


def p_true(verdict: Verdict) -> float:
    """The stated probability that the field is true."""
    return verdict.confidence / 100 if verdict.value else 1 - verdict.confidence / 100


def auc(positive: list[float], negative: list[float]) -> float:
    """P(a random true photo scores above a random false one), ties counting half."""
    pairs = [(p > n) + 0.5 * (p == n) for p in positive for n in negative]
    return float(np.mean(pairs))


@pytest.fixture(scope="module")
def verdicts(engine: Engine, faces_dir: Path) -> dict[str, list[tuple[bool, Verdict]]]:
    """Per field: (label, verdict) for PER_CLASS held-out photos labelled true and as many labelled false."""
    out: dict[str, list[tuple[bool, Verdict]]] = {}
    for field, (column, sets) in SOURCES.items():
        chosen = []
        for label in ("true", "false"):
            rows = [r for r in manifest(faces_dir) if r["set"] in sets and r[column] == label
                    and held_out(r["path"])]
            chosen += rows[:PER_CLASS]
        found = []
        for row in chosen:
            attrs = attributes(engine, padded(faces_dir, row["path"]))
            if attrs is not None:
                found.append((row[column] == "true", getattr(attrs, field.lower())))
        out[field] = found
    return out


# Bounds from scripts/measure_attributes --field accessories (held-out half; README "Face attributes"): AUC of
# P(true) eyeglasses 0.90, sunglasses 0.90, beard 0.80, mustache 0.89, face_occluded 0.91; balanced accuracy
# 0.73, 0.81, 0.62, 0.72, 0.82; right on false photos 0.90-1.0. With 15 photos per class the AUC's standard
# error is ~0.07, a balanced accuracy's ~0.09 and a rate near 0.9 ~0.08: each bound sits about 2.5 standard
# errors below its measured figure (beard's balanced bound is at chance: its recall is 28 %).
AUC_BOUND = {"EYEGLASSES": 0.72, "SUNGLASSES": 0.72, "BEARD": 0.6, "MUSTACHE": 0.7, "FACE_OCCLUDED": 0.72}
BALANCED_BOUND = {"EYEGLASSES": 0.5, "SUNGLASSES": 0.58, "BEARD": 0.5, "MUSTACHE": 0.5, "FACE_OCCLUDED": 0.58}


@pytest.mark.parametrize("field", list(SOURCES))
def test_held_out_ranking_and_accuracy(verdicts: dict[str, list[tuple[bool, Verdict]]], field: str) -> None:
    found = verdicts[field]
    positive = [p_true(v) for label, v in found if label]
    negative = [p_true(v) for label, v in found if not label]
    assert len(positive) >= PER_CLASS - 3 and len(negative) >= PER_CLASS - 3
    assert auc(positive, negative) >= AUC_BOUND[field]
    recall = np.mean([v.value for label, v in found if label])
    specificity = np.mean([not v.value for label, v in found if not label])
    assert (recall + specificity) / 2 >= BALANCED_BOUND[field]
    assert specificity >= 0.7  # measured 0.90-1.0 on these sets


def test_beard_and_mustache_rare_on_fairface_women(engine: Engine, faces_dir: Path) -> None:
    """Measured on held-out fairface women and children: Beard true on 0-4.4 %, Mustache 0-2.9 % per race
    group. Five races x 6 women: at most 2 of 30 of each (expected below 1)."""
    rows = [r for r in manifest(faces_dir) if r["set"] == "fairface" and r["gender"] == "female"
            and held_out(r["path"])]
    races = sorted({r["race"] for r in rows})[:5]
    chosen = [r for race in races for r in [x for x in rows if x["race"] == race][:6]]
    beards = mustaches = 0
    for row in chosen:
        attrs = attributes(engine, padded(faces_dir, row["path"]))
        assert attrs is not None and attrs.beard is not None and attrs.mustache is not None, row["path"]
        beards += attrs.beard.value
        mustaches += attrs.mustache.value
    assert beards <= 2 and mustaches <= 2


def test_mirrored_photo_gives_the_same_answer(engine: Engine, faces_dir: Path) -> None:
    """Every measure averages both sides of the face: a confident verdict survives mirroring the photo."""
    rows = [r for r in manifest(faces_dir) if r["set"] in ("lfw_kumar_attributes", "face_mask")
            and held_out(r["path"])]
    compared = 0
    for row in rows[:6] + [r for r in rows if r["set"] == "face_mask"][:5]:
        image = padded(faces_dir, row["path"])
        original = attributes(engine, image)
        if original is None:  # a few masked faces are not found at all
            continue
        mirrored = attributes(engine, np.ascontiguousarray(image[:, ::-1]))
        assert mirrored is not None, row["path"]
        for field in FIELDS:
            a, b = getattr(original, field.lower()), getattr(mirrored, field.lower())
            if a.confidence >= 80:
                assert b.value == a.value, (row["path"], field, a, b)
                assert abs(b.confidence - a.confidence) <= 15, (row["path"], field, a, b)
                compared += 1
    assert compared >= 25


def test_registered_with_the_mesh() -> None:
    entries = [e for e in registry.ENTRIES if e.factory is AccessoryEstimator]
    assert len(entries) == 1 and entries[0].fields == frozenset(FIELDS) and entries[0].needs == {"mesh"}
    assert frozenset(FIELDS) <= registry.registered()


def test_needs_the_mesh() -> None:
    view = FaceView(image=np.zeros((8, 8, 3), np.uint8), box=(0, 0, 8, 8), points5=np.zeros((5, 2)))
    with pytest.raises(ValueError, match="mesh"):
        AccessoryEstimator()(view)
