"""Head pose (Roll, Yaw, Pitch in degrees, Rekognition's signs) from the 468-point face mesh.

Method: a weighted orthographic Procrustes fit (rotation, scale, translation; Umeyama) of MediaPipe's
canonical 3D face to the mesh's 3D points.  The template is ``weights/canonical_face.csv``: the canonical
face mesh of MediaPipe's face-geometry module (Apache-2.0, from the npm package @mediapipe/face_mesh, see
weights/SOURCES.md) with its 33 Procrustes landmark weights, which pick rigid points (nose bridge,
forehead, cheekbones, eye corners) and leave out the mouth, jaw and eyelids that move with expression.
The mesh's z (depth from the network, same scale as x) makes this a 3D-3D fit, so profiles are measured
rather than extrapolated from a flattened outline; perspective is ignored (weak perspective).

The rotation R (template frame -> camera frame, both x right, y up, z toward the viewer) is decomposed
as R = Rz(r) Ry(y) Rx(p): yaw and pitch first, roll last as the in-image rotation, so rotating the photo by
an angle changes Roll by exactly that angle and leaves Yaw and Pitch alone.  Signs follow Rekognition,
checked against published DetectFaces responses whose landmarks show the direction:
- Yaw > 0: the face turns toward the image's right (its nose points right; the person turns to their left).
- Pitch > 0: the face tilts up (chin up).
- Roll > 0: the face is rotated clockwise in the image (the eye on the image's right is lower).
A mirrored photo negates Yaw and Roll and keeps Pitch (the template is left-right symmetric).

Calibration (fitted on every 10th genki4k photo by path, measured on the other 883): the fit's yaw is
compressed (it reads 58-67 on full profiles and 0.8x genki4k's labels), so it is multiplied by YAW_GAIN;
the template's level sits 6 degrees chin-down of genki4k's, so PITCH_OFFSET is added.  genki4k's label
signs agree with these on all three axes.

Measured with ``scripts/measure_pose`` (HOG detector, ../shared/faces), in degrees:
- Roll on the 73 identity photos rotated by +-15/30/45 (409 with a face found): error median 0.39,
  p90 0.95; 407 of 409 within 2.1.  The two others: a HOG false positive larger than the face (+45), and
  a face rolled 50 degrees whose dlib eye points tilted the wrong way, so the crop converged 12 short.
  Yaw and Pitch move by 0.9 median (p90 2.5) when the photo is rotated.
- Mirrored photos: |Yaw + mirrored Yaw| median 1.1 (max 6.1), |Roll + mirrored Roll| median 0.7,
  |Pitch change| median 1.2.
- genki4k (883 photos not tuned on): MAE yaw 3.3, pitch 5.5, roll 1.1; yaw on the 111 photos turned
  more than 20 degrees: MAE 4.6 (the 5-point estimate this replaced: 7.3).  With RetinaFace's boxes and
  eye points (the default detector; 900 photos not tuned on): yaw 3.6, pitch 5.5, roll 1.3, turned 5.1;
  identity photos rotated by -45 and +30 degrees: roll error median 0.4, p90 1.1 (every one under 10).
- Full profiles (12 fairface photos and mirrors, tests/photos.py): |Yaw| 64-81, median 73.
- Identity photos: |Yaw| median 6.5, max 31.5; |Pitch| median 4.7, max 22.8.
- Cost per face (one thread): mesh + fit 1.3x the onnx descriptor; the iris model on both eyes 1.5x.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CANONICAL_FILE = Path(__file__).resolve().parent / "weights" / "canonical_face.csv"
NUM_POINTS = 468
#: The fit's yaw is compressed (about x0.8 against genki4k's labels; 58-67 on full profiles): the fitted gain.
YAW_GAIN = 1.26
#: Degrees added to the fit's pitch: the template's level is 6 degrees chin-down of genki4k's level.
PITCH_OFFSET = 6.0


@dataclass(frozen=True)
class Pose:
    """Head pose in degrees (Rekognition's signs), fitted to the face mesh by mesh_pose."""

    roll: float
    yaw: float
    pitch: float


class TemplateMissing(RuntimeError):
    """The canonical face template file is missing or malformed."""


@functools.cache
def canonical(path: Path = CANONICAL_FILE) -> tuple[np.ndarray, np.ndarray]:
    """The canonical face: (468, 3) vertices (cm; x right, y up, z toward the viewer) and (468,) fit weights."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        vertices = np.array([[float(r["x"]), float(r["y"]), float(r["z"])] for r in rows], dtype=np.float64)
        weights = np.array([float(r["procrustes_weight"]) for r in rows], dtype=np.float64)
    except (OSError, KeyError, ValueError) as exc:
        raise TemplateMissing(f"cannot read the canonical face template {path}: {exc}") from exc
    if vertices.shape != (NUM_POINTS, 3) or not weights.sum() > 0:
        raise TemplateMissing(f"{path} does not hold {NUM_POINTS} vertices with fit weights")
    return vertices, weights


def camera_points(points: np.ndarray) -> np.ndarray:
    """Mesh points (x right, y down, z away from the camera) -> x right, y up, z toward the viewer."""
    pts: np.ndarray = np.asarray(points, dtype=np.float64)[:, :3] * np.array([1.0, -1.0, -1.0])
    return pts


def fit_rotation(points: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Weighted Procrustes of the template onto mesh points: (rotation R, scale s) with points ~ s R template + t."""
    template, default_weights = canonical()
    w = default_weights if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    target = camera_points(points)
    mu_t, mu_x = w @ template, w @ target
    a, b = template - mu_t, target - mu_x
    cov = (b * w[:, None]).T @ a  # sum w_i b_i a_i^T
    u, sigma, vt = np.linalg.svd(cov)
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    fix = np.diag([1.0, 1.0, d])
    rotation = u @ fix @ vt
    variance = float(w @ (a * a).sum(axis=1))
    scale = float((sigma * np.diag(fix)).sum() / variance) if variance > 0 else 0.0
    return rotation, scale


def euler(rotation: np.ndarray) -> Pose:
    """Rekognition's (roll, yaw, pitch) in degrees of R = Rz(r) Ry(y) Rx(p) (see module docstring for signs)."""
    r = np.asarray(rotation, dtype=np.float64)
    yaw = math.atan2(-r[2, 0], math.hypot(r[0, 0], r[1, 0]))
    pitch = math.atan2(r[2, 1], r[2, 2])
    roll = math.atan2(r[1, 0], r[0, 0])
    # Rx(p) > 0 turns the nose down and Rz(r) > 0 turns the face counter-clockwise: Rekognition's signs are opposite.
    return Pose(roll=-math.degrees(roll), yaw=math.degrees(yaw), pitch=-math.degrees(pitch))


def calibrate(raw: Pose) -> Pose:
    """The fit's angles -> reported ones: yaw x YAW_GAIN (within +-90), pitch + PITCH_OFFSET, roll as is."""
    yaw = max(-90.0, min(90.0, raw.yaw * YAW_GAIN))
    pitch = (raw.pitch + PITCH_OFFSET + 180.0) % 360.0 - 180.0
    return Pose(roll=raw.roll, yaw=yaw, pitch=pitch)


def mesh_pose(points: np.ndarray) -> Pose:
    """Roll, Yaw, Pitch in degrees (Rekognition's signs, calibrated) of a face from its (468, 3) mesh points."""
    rotation, _ = fit_rotation(points)
    return calibrate(euler(rotation))
