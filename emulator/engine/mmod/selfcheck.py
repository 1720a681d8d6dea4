"""A fixed scene of drawn faces, and the comparison of detections that checks the ONNX rebuild against dlib."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Boxes may differ by this many pixels per edge, scores by this much (dlib and onnxruntime sum in other orders).
BOX_TOLERANCE = 2
SCORE_TOLERANCE = 0.01
#: The scene is checked at this upsampling, so pyramid_up and the mapping back are part of the check.
SCENE_UPSAMPLE = 1

#: (centre x, centre y, face height) of the drawn faces in the 240 x 180 scene.
_FACES = ((52.0, 62.0, 56.0), (128.0, 96.0, 74.0), (196.0, 70.0, 48.0))
_SKIN = np.array([205.0, 160.0, 128.0])
_HAIR = np.array([55.0, 40.0, 32.0])


@dataclass(frozen=True)
class Box:
    """A detection as plain numbers: left, top, right, bottom (inclusive) and score."""

    left: int
    top: int
    right: int
    bottom: int
    score: float


def _ellipse(xx: npt.NDArray[np.float64], yy: npt.NDArray[np.float64], cx: float, cy: float,
             rx: float, ry: float) -> npt.NDArray[np.float64]:
    """Coverage (0-1) of an ellipse with a soft one-pixel edge."""
    dist = np.sqrt(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2)
    return np.clip((1.0 - dist) * min(rx, ry) + 0.5, 0.0, 1.0)


def _paint(img: npt.NDArray[np.float64], mask: npt.NDArray[np.float64], colour: npt.NDArray[np.float64]) -> None:
    """Blend a colour into the image where the mask covers it."""
    img += mask[..., None] * (colour - img)


def _face(img: npt.NDArray[np.float64], xx: npt.NDArray[np.float64], yy: npt.NDArray[np.float64],
          cx: float, cy: float, size: float) -> None:
    """A frontal cartoon face: hair, head, eyes with brows, nose and mouth."""
    _paint(img, _ellipse(xx, yy, cx, cy - 0.12 * size, 0.46 * size, 0.48 * size), _HAIR)
    _paint(img, _ellipse(xx, yy, cx, cy, 0.39 * size, 0.5 * size), _SKIN)
    for side in (-1.0, 1.0):
        ex, ey = cx + side * 0.19 * size, cy - 0.08 * size
        _paint(img, _ellipse(xx, yy, ex, ey, 0.1 * size, 0.055 * size), np.array([240.0, 240.0, 240.0]))
        _paint(img, _ellipse(xx, yy, ex, ey, 0.05 * size, 0.05 * size), np.array([40.0, 30.0, 25.0]))
        _paint(img, _ellipse(xx, yy, ex, ey - 0.15 * size, 0.12 * size, 0.025 * size), _HAIR)
    _paint(img, _ellipse(xx, yy, cx, cy + 0.1 * size, 0.05 * size, 0.08 * size), _SKIN * 0.85)
    _paint(img, _ellipse(xx, yy, cx, cy + 0.25 * size, 0.16 * size, 0.05 * size), np.array([150.0, 60.0, 60.0]))


def scene() -> npt.NDArray[np.uint8]:
    """A deterministic 240 x 180 RGB scene (numpy only) with three drawn faces of different sizes."""
    yy, xx = np.mgrid[0:180, 0:240].astype(np.float64)
    img = np.empty((180, 240, 3), dtype=np.float64)
    img[...] = np.array([70.0, 92.0, 112.0]) + (0.25 * yy)[..., None] - (0.1 * xx)[..., None]
    for cx, cy, size in _FACES:
        _face(img, xx, yy, cx, cy, size)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def _matches(a: Box, b: Box) -> bool:
    """Same box within BOX_TOLERANCE on every edge and score within SCORE_TOLERANCE."""
    edges = (a.left - b.left, a.top - b.top, a.right - b.right, a.bottom - b.bottom)
    return max(abs(e) for e in edges) <= BOX_TOLERANCE and abs(a.score - b.score) <= SCORE_TOLERANCE


def disagreement(ours: list[Box], reference: list[Box]) -> str | None:
    """Why two detection lists differ (None when they agree); hits within the score tolerance of 0 may be missing."""
    for name, one, other in (("dlib's", reference, ours), ("our", ours, reference)):
        for box in one:
            if box.score > SCORE_TOLERANCE and not any(_matches(box, o) for o in other):
                return f"{name} detection {box} has no match in {other}"
    return None
