"""EyeDirection: where the eyes look relative to the head, from the iris centres, the eye corners and the pose.

AWS documents EyeDirection as "the direction the eyes are gazing in (independent of the head pose)": here
that is the eyes' rotation in the head (0, 0 when looking straight out of the face, whatever the head does),
in Pose's sign conventions: Yaw > 0 toward the image's right, Pitch > 0 up. Looking into the camera with the
head turned by Pose.Yaw reads EyeDirection.Yaw ~ -Pose.Yaw. The gaze in the camera's frame is about
Pose + EyeDirection.

Method, per eye, in the image: u the unit vector between the eye corners (image-left to image-right), v
perpendicular to it pointing down, W the corner distance; the iris centre's offset from the corners'
midpoint is dx = offset.u / W, dy = offset.v / W. An eyeball of radius KR (in eye widths) whose corners lie
KD in front of its centre, turned by head yaw h, shows the iris at
    dx W cos(h) = KR sin(gaze) - KD sin(h)      (gaze: camera-frame yaw),
so gaze = asin(((dx - DX0) cos h + KD sin h) / KR) and EyeDirection.Yaw = gaze - h; the same with -(dy - DY0),
KD_PITCH and the head's pitch for Pitch. KR = 0.42 is anatomy (a 12 mm eyeball radius over a 28-29 mm
corner-to-corner eye width). KD, KD_PITCH, DX0 and DY0 (the iris's rest offsets from the corners' midpoint)
were fitted by scripts/measure_attributes --field mesh_gaze on the tuning half of genki4k, assuming its subjects
look into the camera (webcam photos): no photo set has gaze labels, so these figures are checks, not accuracy.
The two eyes are averaged.

Confidence: 100 x P(the two eyes' camera-frame gazes both lie within AGREE degrees of the reference | score)
where the score is minus the disagreement between the eyes' own estimates (degrees, yaw + pitch); fitted
(isotonic) on the same genki4k tuning half, with "looking into the
camera" as the reference. It falls when the eyes disagree (an iris the model could not place: closed or
occluded eye, glare, a far eye foreshortened by a turned head).
"""

from __future__ import annotations

import math

import numpy as np

from emulator.engine import pose
from emulator.engine.attributes.calibration import Calibration
from emulator.engine.attributes.types import EyeDirection, FaceAttributes, FaceView
from emulator.engine.mesh import EYE_CORNERS

KR = 0.42
#: Fitted by scripts/measure_attributes --field mesh_gaze (genki4k tuning half; subjects assumed to look at the camera).
KD = 0.0987
KD_PITCH = 0.0564
DY0 = -0.0085
#: The iris centres' offset toward the image's right at rest (eye widths): the same on a photo and its mirror,
#: so an image-space bias of the crops (measured: mirrored photos read Yaw + mirrored Yaw ~ 8 degrees without it).
DX0 = 0.0354
#: The reference agreement (degrees) the Confidence is about.
AGREE = 10.0
CALIBRATION = Calibration(
    scores=(-60.9957, -45.3452, -39.7173, -35.0603, -31.0839, -28.0288, -25.8843, -22.5955, -19.6271, -18.2091,
            -16.6718, -13.8572, -10.5752, -8.9892, -7.0828, -5.5360, -3.1198),
    probabilities=(0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0769, 0.1538, 0.3077, 0.3077, 0.4231, 0.4487,
                   0.4615, 0.6400, 0.6400, 0.7200, 0.8000))


def offsets(mesh: np.ndarray, irises: np.ndarray) -> np.ndarray:
    """(2, 2): each eye's (dx, dy), the iris centre's offset from its corners' midpoint in eye widths."""
    points = np.asarray(mesh, dtype=np.float64)[:, :2]
    out = []
    for (first, second), iris in zip(EYE_CORNERS, np.asarray(irises, dtype=np.float64), strict=True):
        a, b = points[first], points[second]
        if a[0] > b[0]:
            a, b = b, a
        width = max(float(np.hypot(*(b - a))), 1e-9)
        u = (b - a) / width
        v = np.array([-u[1], u[0]])
        rel = iris[:2] - (a + b) / 2.0
        out.append((float(rel @ u) / width, float(rel @ v) / width))
    return np.array(out)


def _asin(value: float) -> float:
    """asin in degrees, clamped to +-90."""
    return math.degrees(math.asin(max(-1.0, min(1.0, value))))


def camera_gaze(dx: float, dy: float, head_yaw: float, head_pitch: float) -> tuple[float, float]:
    """The camera-frame gaze (yaw, pitch degrees) of one eye offset under the head's yaw and pitch."""
    h, p = math.radians(head_yaw), math.radians(head_pitch)
    yaw = _asin(((dx - DX0) * math.cos(h) + KD * math.sin(h)) / KR)
    pitch = _asin((-(dy - DY0) * math.cos(p) + KD_PITCH * math.sin(p)) / KR)
    return yaw, pitch


def gaze_score(per_eye: list[tuple[float, float]]) -> float:
    """Minus the two eyes' disagreement in degrees (yaw + pitch): the Confidence's raw score."""
    (y0, p0), (y1, p1) = per_eye
    return -(abs(y0 - y1) + abs(p0 - p1))


def eye_direction(mesh: np.ndarray, irises: np.ndarray, calibration: Calibration = CALIBRATION) -> EyeDirection:
    """EyeDirection (relative to the head, degrees) and its confidence from the mesh and the iris centres."""
    head = pose.mesh_pose(mesh)
    per_eye = [camera_gaze(dx, dy, head.yaw, head.pitch) for dx, dy in offsets(mesh, irises)]
    yaw = float(np.mean([g[0] for g in per_eye])) - head.yaw
    pitch = float(np.mean([g[1] for g in per_eye])) - head.pitch
    return EyeDirection(yaw=yaw, pitch=pitch, confidence=calibration.confidence(gaze_score(per_eye)))


class EyeDirectionEstimator:
    """EYE_DIRECTION from the mesh's eye corners, the iris model's centres and the mesh pose."""

    fields = frozenset({"EYE_DIRECTION"})

    def __call__(self, view: FaceView) -> FaceAttributes:
        """EyeDirection of one face."""
        if view.mesh is None or view.irises is None:
            raise ValueError("EyeDirectionEstimator needs the face mesh and the irises in its FaceView")
        return FaceAttributes(eye_direction=eye_direction(view.mesh, view.irises))
