"""Raw mesh measures behind EyesOpen, MouthOpen, Smile and EyeDirection, taken in the head's own frame.

head_frame() fits MediaPipe's canonical face to the 468 points (pose.fit_rotation: rotation and scale) and
returns the points in the template's frame: x toward the image's right on a frontal face, y up, z toward
the viewer, in the template's centimetres. A distance or height measured there no longer depends on how
the head is turned (the pose correction), only on the face's shape and expression.

- eye_aspect: (|p160 - p144| + |p158 - p153|) / (2 |p33 - p133|) per eye (and the mirrored points for the
  eye on the image's right): lid opening over eye width.
- mouth_gap: the inner-lip gap |p13 - p14| over the mouth width |p61 - p291|.
- corner_lift: how far the mouth corners p61/p291 sit above the mid-lip point (the mean of p13 and p14),
  along the head's up axis, over the mouth width (> 0: corners raised).
- lid_opening: from the iris model's 16 eye-contour points (FaceView.eyelids), each eye's height across its
  corner line over its width, times cos(yaw) / cos(pitch) of the head (the image foreshortens the width by
  the yaw, the height by the pitch); the mean of both eyes. On lfw's eyes_open labels it separates open from
  closed far better than the mesh's own eye aspect ratio (AUC 0.91 against 0.58: the mesh rarely closes).
- mouth_width: |p61 - p291| over the eye-corner distance |p33 - p263| (a smile widens the mouth).
"""

from __future__ import annotations

import math

import numpy as np

from emulator.engine import pose

#: (outer corner, inner corner, upper lid 1, lower lid 1, upper lid 2, lower lid 2) of each eye, image-left first.
EYES = ((33, 133, 160, 144, 158, 153), (263, 362, 387, 373, 385, 380))
LIP_UPPER_INNER, LIP_LOWER_INNER = 13, 14
MOUTH_CORNERS = (61, 291)
EYE_OUTER = (33, 263)


def head_frame(mesh: np.ndarray) -> np.ndarray:
    """The (468, 3) mesh points in the canonical face's frame (x right, y up, z toward the viewer; cm)."""
    rotation, scale = pose.fit_rotation(mesh)
    points = pose.camera_points(mesh)
    centred = points - points.mean(axis=0)
    head: np.ndarray = centred @ rotation / max(scale, 1e-9)  # R^T applied to each row
    return head


def _distance(points: np.ndarray, a: int, b: int) -> float:
    """Euclidean distance between two points of the mesh."""
    return float(np.linalg.norm(points[a] - points[b]))


def eye_aspect(head: np.ndarray) -> tuple[float, float]:
    """Eye aspect ratio of the eye on the image's left and of the one on its right."""
    out = []
    for outer, inner, up1, down1, up2, down2 in EYES:
        width = max(_distance(head, outer, inner), 1e-9)
        out.append((_distance(head, up1, down1) + _distance(head, up2, down2)) / (2.0 * width))
    return out[0], out[1]


def mouth_gap(head: np.ndarray) -> float:
    """Inner-lip gap over mouth width."""
    width = max(_distance(head, *MOUTH_CORNERS), 1e-9)
    return _distance(head, LIP_UPPER_INNER, LIP_LOWER_INNER) / width


def corner_lift(head: np.ndarray) -> float:
    """Height of the mouth corners above the mid-lip point along the head's up axis, over the mouth width."""
    width = max(_distance(head, *MOUTH_CORNERS), 1e-9)
    mid = (head[LIP_UPPER_INNER, 1] + head[LIP_LOWER_INNER, 1]) / 2.0
    corners = (head[MOUTH_CORNERS[0], 1] + head[MOUTH_CORNERS[1], 1]) / 2.0
    return float(corners - mid) / width


def mouth_width(head: np.ndarray) -> float:
    """Mouth width over the outer eye-corner distance."""
    return _distance(head, *MOUTH_CORNERS) / max(_distance(head, *EYE_OUTER), 1e-9)


def lid_opening(eyelids: np.ndarray, head_yaw: float, head_pitch: float) -> float:
    """Mean over both eyes of lid height over eye width in the image, corrected for the head's yaw and pitch."""
    out = []
    for eye in np.asarray(eyelids, dtype=np.float64):
        a, b = eye[eye[:, 0].argmin()], eye[eye[:, 0].argmax()]
        width = max(float(np.hypot(*(b - a))), 1e-9)
        u = (b - a) / width
        across = eye @ np.array([-u[1], u[0]])
        out.append(float(across.max() - across.min()) / width)
    correction = math.cos(math.radians(head_yaw)) / max(math.cos(math.radians(head_pitch)), 0.2)
    return float(np.mean(out)) * correction
