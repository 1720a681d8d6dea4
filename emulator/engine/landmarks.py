"""Five AWS landmarks: eyes and nose from dlib's 5-point shape predictor, mouth corners from the face mesh.

dlib's 5-point model gives, in image coordinates: parts 0-1 the outer and inner corners of
the eye on the image's right, parts 2-3 the outer and inner corners of the eye on the
image's left, part 4 the base of the nose.  It has no mouth points.

Conventions (AWS does not define them; its examples show eyeLeft with the smaller X on a
frontal face): ``eyeLeft``/``mouthLeft`` are on the image's left side, i.e. the person's
right.  Eye centres are the midpoints of each eye's two corners; ``nose`` is the nose point.

Mouth corners are estimated in the face frame: origin the midpoint m of the eyes, unit x
axis u along the eye line (eyeLeft -> eyeRight), y axis v perpendicular and downward, unit
length the inter-ocular distance (iod).  In that frame the nose point averages (0, 0.746) and
the mouth corners (+-0.468, 1.053) on the 73 identity photos (calibrated once against dlib's
68-point model offline; the 68-point model is not used at runtime).  The mouth centre is
placed at (0.2 * nose_x, 1.053 + 0.35 * (nose_y - 0.746)) -- the fitted regressions on the
nose -- and the corners at +-0.468 along u from it.  aws_landmarks still returns that estimate, but responses carry
the face mesh's mouth corners instead (with_mesh_mouth, MESH_MOUTH_CORNERS), since the engine always runs the
mesh for Pose; they moved by 0.11 inter-ocular distances median (p90 0.22) on the labelled photos
(scripts/measure_attributes --field mesh_gaze).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emulator.engine import models

#: The five landmark types DEFAULT returns, in the order AWS's responses list them (the engine fills them so).
LANDMARK_NAMES = ("eyeLeft", "eyeRight", "mouthLeft", "mouthRight", "nose")
NOSE_DROP = 0.746
MOUTH_DROP = 1.053
MOUTH_DROP_PER_NOSE = 0.35
MOUTH_SHIFT_PER_NOSE = 0.2
MOUTH_HALF_WIDTH = 0.468
#: The face mesh's mouth corners (image-left, image-right), which replace the estimate above in responses.
MESH_MOUTH_CORNERS = (61, 291)


def predict_shapes(image: np.ndarray, rects: list[Any]) -> list[Any]:
    """Run the 5-point predictor on each dlib rectangle; returns dlib.full_object_detection objects."""
    predictor = models.shape_predictor()
    return [predictor(image, rect) for rect in rects]


def shape_points(shape: Any) -> np.ndarray:
    """The 5 points of a dlib shape as a (5, 2) float64 array."""
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def _frame(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Eye centres (image-left, image-right), eye midpoint, unit eye-line axis, and iod."""
    eye_left = (points[2] + points[3]) / 2.0
    eye_right = (points[0] + points[1]) / 2.0
    axis = eye_right - eye_left
    iod = float(np.hypot(axis[0], axis[1]))
    unit = axis / iod if iod > 1e-9 else np.array([1.0, 0.0])
    return eye_left, eye_right, (eye_left + eye_right) / 2.0, unit, max(iod, 1e-9)


def _nose_in_frame(points: np.ndarray) -> tuple[float, float]:
    """The nose point in face-frame units (along the eye line, below it), in iod."""
    _, _, mid, u, iod = _frame(points)
    v = np.array([-u[1], u[0]])
    rel = points[4] - mid
    return float(rel @ u) / iod, float(rel @ v) / iod


def with_mesh_mouth(five: dict[str, tuple[float, float]], mesh: np.ndarray) -> dict[str, tuple[float, float]]:
    """DEFAULT's five with mouthLeft/mouthRight moved to the face mesh's mouth corners (MESH_MOUTH_CORNERS)."""
    points = np.asarray(mesh, dtype=np.float64)
    left, right = (points[i, :2] for i in MESH_MOUTH_CORNERS)
    return {**five, "mouthLeft": (float(left[0]), float(left[1])), "mouthRight": (float(right[0]), float(right[1]))}


def aws_landmarks(points: np.ndarray) -> dict[str, tuple[float, float]]:
    """The five default landmarks (LANDMARK_NAMES, in that order) in image pixels from the 5 dlib points."""
    eye_left, eye_right, mid, u, iod = _frame(points)
    v = np.array([-u[1], u[0]])
    nose_x, nose_y = _nose_in_frame(points)
    mouth = (mid + u * (MOUTH_SHIFT_PER_NOSE * nose_x * iod)
             + v * ((MOUTH_DROP + MOUTH_DROP_PER_NOSE * (nose_y - NOSE_DROP)) * iod))
    mouth_left = mouth - u * (MOUTH_HALF_WIDTH * iod)
    mouth_right = mouth + u * (MOUTH_HALF_WIDTH * iod)

    def pt(a: np.ndarray) -> tuple[float, float]:
        """A point as a pair of Python floats."""
        return float(a[0]), float(a[1])

    found = {"eyeLeft": eye_left, "eyeRight": eye_right, "mouthLeft": mouth_left, "mouthRight": mouth_right,
             "nose": points[4]}
    return {name: pt(found[name]) for name in LANDMARK_NAMES}
