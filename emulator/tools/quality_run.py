"""Degrade each photo step by step and record what the engine makes of it (detection, quality, descriptor).

Families of degradation (each step is applied to the whole photo, which is then saved as JPEG q90):
- ``dark``: ``degrade.underexpose`` by the given stops (a dim room on a phone camera, with sensor noise);
- ``gauss``: Gaussian blur, sigma as a fraction of the undegraded face box's width (out of focus);
- ``motion``: motion blur, length as a fraction of the face width, one random direction per photo;
- ``small``: the photo scaled so the face box is the given width in pixels, centred on a canvas of the
  photo's size (a face further from the camera).

Each step gives two records: ``detected`` (the engine's largest face, as an API call would see it) and
``oracle`` (the detector's box from the undegraded photo, moved with the degradation, then the engine's own
landmarks, descriptor and quality on the degraded pixels): recognition given that the face is found, so
the figures do not depend on what a particular detector still finds.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import dlib
import numpy as np
import numpy.typing as npt

from emulator.engine import DetectedFace, Engine, decode_image, landmarks, mesh, pose, quality
from emulator.engine.descriptor import face_chips
from emulator.tools import degrade
from emulator.tools.quality_photos import Photo
from emulator.tools.quality_probe import probe

RGB = npt.NDArray[np.uint8]
Box = tuple[float, float, float, float]

FAMILIES: dict[str, tuple[str, tuple[float, ...]]] = {
    "dark": ("stops under", (1, 2, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8)),
    "gauss": ("sigma/face", (0.01, 0.02, 0.025, 0.03, 0.035, 0.04, 0.05, 0.065, 0.08, 0.1)),
    "motion": ("length/face", (0.04, 0.08, 0.1, 0.12, 0.14, 0.16, 0.2, 0.25, 0.3)),
    "small": ("face px", (160, 120, 90, 70, 56, 46, 40, 34, 28, 24, 20, 16)),
}


@dataclass(frozen=True)
class Camera:
    """Sensor model of the dark family (see degrade.underexpose)."""

    full_well: float = 1000.0
    read_noise: float = 3.0


def degrader(family: str, value: float, width: float, camera: Camera, rng: np.random.Generator,
             angle: float) -> tuple[Callable[[RGB], RGB], float]:
    """The degradation of one step for a face `width` px wide, and the factor by which it scales the box."""
    if family == "dark":
        return (lambda im: degrade.underexpose(im, value, rng, camera.full_well, camera.read_noise)), 1.0
    if family == "gauss":
        return (lambda im: degrade.gaussian_blur(im, value * width)), 1.0
    if family == "motion":
        return (lambda im: degrade.motion_blur(im, value * width, angle)), 1.0
    factor = value / width
    return (lambda im: degrade.shrink(im, factor)), factor


def moved(box: Box, shape: tuple[int, ...], factor: float) -> Box:
    """Where a box lands after the photo is scaled by `factor` onto a same-size canvas (degrade.shrink)."""
    h, w = shape[:2]
    if factor >= 1.0:
        return box
    ox, oy = (w - round(w * factor)) // 2, (h - round(h * factor)) // 2
    return box[0] * factor + ox, box[1] * factor + oy, box[2] * factor, box[3] * factor


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two left, top, width, height boxes."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def fields_of(image: RGB, face: DetectedFace, expected: Box | None) -> dict[str, Any]:
    """A record's measurements of one face."""
    box = (face.left, face.top, face.width, face.height)
    out: dict[str, Any] = {
        "detected": True, "iou": 1.0 if expected is None else iou(box, expected),
        "width": face.width, "confidence": face.confidence,
        "brightness": face.measured_quality.brightness, "sharpness": face.measured_quality.sharpness,
    }
    out.update(probe(image, face))
    return out


def at_box(engine: Engine, image: RGB, rect: Box, box: Box) -> DetectedFace:
    """The engine's landmarks, quality and descriptor for a face known to be at `rect` (reported as `box`)."""
    r = dlib.rectangle(round(rect[0]), round(rect[1]), round(rect[0] + rect[2]) - 1, round(rect[1] + rect[3]) - 1)
    shapes = landmarks.predict_shapes(image, [r])
    five = landmarks.aws_landmarks(landmarks.shape_points(shapes[0]))
    face_mesh = mesh.shared_model(2).face(image, box, (five["eyeLeft"], five["eyeRight"]))
    return DetectedFace(left=box[0], top=box[1], width=box[2], height=box[3], confidence=100.0,
                        landmarks=five, pose=pose.mesh_pose(face_mesh.points),
                        quality=quality.measure(image, *box),
                        descriptor=engine.describe(face_chips(image, shapes))[0])


class Recorder:
    """Accumulates records and their descriptors (None for a face not found)."""

    def __init__(self) -> None:
        """Start empty."""
        self.records: list[dict[str, Any]] = []
        self.vectors: list[Any] = []

    def add(self, record: dict[str, Any], face: DetectedFace | None) -> None:
        """Keep one record."""
        self.records.append(record)
        self.vectors.append(None if face is None else face.descriptor)


def measure_photo(engine: Engine, image: RGB, index: int, seed: int, camera: Camera, rec: Recorder,
                  families: tuple[str, ...]) -> bool:
    """Every step of every family on one photo; False when its undegraded face is not found."""
    found = engine.faces(image, largest_only=True, descriptors=True)
    hits, _ = engine.locate(image, largest_only=True)
    if not found or not hits:
        return False
    ref = found[0]
    ref_box: Box = (ref.left, ref.top, ref.width, ref.height)
    r = hits[0].shape_rect  # the box dlib's 5-point model is fed (the detector's, in HOG's convention)
    ref_rect: Box = (float(r.left()), float(r.top()), float(r.width()), float(r.height()))
    base = {"photo": index, "family": "orig", "value": 0.0}
    rec.add({**base, "mode": "detected", **fields_of(image, ref, None)}, ref)
    rec.add({**base, "mode": "oracle", **fields_of(image, ref, None)}, ref)
    angle = float(np.random.default_rng([seed, index]).uniform(0.0, 180.0))
    for family in families:
        for step, value in enumerate(FAMILIES[family][1]):
            if family == "small" and value >= ref.width:
                continue
            rng = np.random.default_rng([seed, index, step])
            apply, factor = degrader(family, value, ref.width, camera, rng, angle)
            out = degrade.jpeg_round_trip(apply(image))
            box, rect = moved(ref_box, image.shape, factor), moved(ref_rect, image.shape, factor)
            step_base = {"photo": index, "family": family, "value": float(value)}
            faces = engine.faces(out, largest_only=True, descriptors=True)
            det = faces[0] if faces else None
            rec.add({**step_base, "mode": "detected",
                     **(fields_of(out, det, box) if det else {"detected": False})}, det)
            oracle = at_box(engine, out, rect, box)
            rec.add({**step_base, "mode": "oracle", **fields_of(out, oracle, box)}, oracle)
    return True


def run(engine: Engine, root: Path, photos: list[Photo], camera: Camera, seed: int = 0,
        families: tuple[str, ...] = tuple(FAMILIES)) -> dict[str, Any]:
    """Every step of every family on every photo; returns records, descriptors and the photos used."""
    rec = Recorder()
    used: list[Photo] = []
    for n, photo in enumerate(photos):
        image = decode_image((root / photo.rel).read_bytes())
        if measure_photo(engine, image, len(used), seed, camera, rec, families):
            used.append(photo)
        if (n + 1) % 20 == 0:
            print(f"  {n + 1} of {len(photos)} photos read, {len(used)} measured", file=sys.stderr, flush=True)
    dim = len(next(v for v in rec.vectors if v is not None))
    matrix = np.stack([np.zeros(dim, np.float32) if v is None else np.asarray(v, np.float32) for v in rec.vectors])
    return {"records": rec.records, "descriptors": matrix, "photos": [asdict(p) for p in used]}


def save(path: Path, result: dict[str, Any], settings: dict[str, Any]) -> None:
    """Write a run to an .npz file (records and photos as JSON, descriptors as an array)."""
    np.savez_compressed(path, records=json.dumps(result["records"]), photos=json.dumps(result["photos"]),
                        settings=json.dumps(settings), descriptors=result["descriptors"])


def load(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a run written by save: (result, settings)."""
    with np.load(path) as data:
        result = {"records": json.loads(str(data["records"])), "photos": json.loads(str(data["photos"])),
                  "descriptors": np.asarray(data["descriptors"])}
        return result, json.loads(str(data["settings"]))
