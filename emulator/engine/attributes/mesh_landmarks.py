"""All 30 of Rekognition's landmark types from MediaPipe's 468-point face mesh; the pupils from the iris model.

Left and right follow the engine's convention (landmarks.py): a type named "left" lies on the image's left
(the person's right), and a feature's "Left"/"Right" end is its end on the image's left/right. So on a
frontal face eyeLeft, leftEyeLeft, leftEyeBrowLeft, mouthLeft, noseLeft and upperJawlineLeft all have the
smaller X. AWS's own examples show eyeLeft with the smaller X; their documentation names no side.

MESH_POINTS maps each type to the mesh points it is the mean of (MediaPipe's canonical face topology):
- eye centres: the midpoint of the two eye corners (33/133, 362/263), as DEFAULT's eyes from dlib's corners;
- eye corners 33, 133 / 362, 263; upper and lower lid midpoints 159, 145 / 386, 374;
- brows: outer ends 70 / 300, inner ends 107 / 336, tops 105 / 334 (upper brow contour);
- nose: the tip 1; noseLeft/noseRight the nostril wings 64 / 294;
- mouth: corners 61 / 291, mouthUp the top of the upper lip 0, mouthDown the bottom of the lower lip 17;
- jaw: upperJawline at the face's outline level with the eyes 234 / 454, midJawline at the jaw's angle
  172 / 397, chinBottom 152.
leftPupil/rightPupil are the iris model's iris centres (FaceView.irises), the eye on the image's left first.
"""

from __future__ import annotations

import numpy as np

from emulator.engine.attributes.types import FaceAttributes, FaceView
from emulator.engine.landmarks import LANDMARK_NAMES

MESH_POINTS: dict[str, tuple[int, ...]] = {
    "eyeLeft": (33, 133), "eyeRight": (362, 263), "nose": (1,), "mouthLeft": (61,), "mouthRight": (291,),
    "leftEyeBrowLeft": (70,), "leftEyeBrowRight": (107,), "leftEyeBrowUp": (105,),
    "rightEyeBrowLeft": (336,), "rightEyeBrowRight": (300,), "rightEyeBrowUp": (334,),
    "leftEyeLeft": (33,), "leftEyeRight": (133,), "leftEyeUp": (159,), "leftEyeDown": (145,),
    "rightEyeLeft": (362,), "rightEyeRight": (263,), "rightEyeUp": (386,), "rightEyeDown": (374,),
    "noseLeft": (64,), "noseRight": (294,), "mouthUp": (0,), "mouthDown": (17,),
    "upperJawlineLeft": (234,), "midJawlineLeft": (172,), "chinBottom": (152,), "midJawlineRight": (397,),
    "upperJawlineRight": (454,),
}
PUPILS = ("leftPupil", "rightPupil")
#: Every type in botocore's LandmarkType order.
LANDMARK_TYPES = (
    "eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight", "leftEyeBrowLeft", "leftEyeBrowRight",
    "leftEyeBrowUp", "rightEyeBrowLeft", "rightEyeBrowRight", "rightEyeBrowUp", "leftEyeLeft", "leftEyeRight",
    "leftEyeUp", "leftEyeDown", "rightEyeLeft", "rightEyeRight", "rightEyeUp", "rightEyeDown", "noseLeft",
    "noseRight", "mouthUp", "mouthDown", "leftPupil", "rightPupil", "upperJawlineLeft", "midJawlineLeft",
    "chinBottom", "midJawlineRight", "upperJawlineRight",
)
#: The types DEFAULT returns (from dlib's five points, landmarks.py).
DEFAULT_TYPES = frozenset(LANDMARK_NAMES)


def mesh_landmarks(mesh: np.ndarray, irises: np.ndarray) -> dict[str, tuple[float, float]]:
    """Every landmark type (pixels) from (468, 3) mesh points and (2, 3) iris centres (x, y, r), botocore's order."""
    points = np.asarray(mesh, dtype=np.float64)
    found = {kind: points[list(index), :2].mean(axis=0) for kind, index in MESH_POINTS.items()}
    for kind, iris in zip(PUPILS, np.asarray(irises, dtype=np.float64), strict=True):
        found[kind] = iris[:2]
    return {kind: (float(found[kind][0]), float(found[kind][1])) for kind in LANDMARK_TYPES}


class LandmarksEstimator:
    """LANDMARKS: the 25 types beyond DEFAULT's five (DEFAULT's come from dlib's points, unchanged)."""

    fields = frozenset({"LANDMARKS"})

    def __call__(self, view: FaceView) -> FaceAttributes:
        """The non-default landmark types of one face, in image pixels."""
        if view.mesh is None or view.irises is None:
            raise ValueError("LandmarksEstimator needs the face mesh and the irises in its FaceView")
        found = mesh_landmarks(view.mesh, view.irises)
        return FaceAttributes(landmarks={k: v for k, v in found.items() if k not in DEFAULT_TYPES})
