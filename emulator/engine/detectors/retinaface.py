"""The default detector: RetinaFace MobileNet-0.25, scaled to the smallest wanted face, with a second look.

Scale: Rekognition finds faces down to 40x40 px in a 1920x1080 image, proportionally larger in
larger images, so the smallest wanted face is ``min_face * max(1, W/1920, H/1080)`` px
(``--min-face-size``, default 40).  The network finds faces reliably from ~24 px (its
smallest anchor is 16 px at stride 8), so the image is resized by
``NET_MIN_FACE / smallest wanted face`` (at most 2x): a 640x480 or 1920x1080 photo runs at 0.6
of its size, a 3840x2160 one at 0.3.  No larger input than that is ever computed.
Largest face only (SearchFacesByImage, CompareFaces' source): a pass at half that scale first
(faces from twice the minimum); the full pass runs only when it finds no face that large.
Every candidate gets a second look (second_look.py) before it counts as a face.

Confidence: the network's face probability p is mapped through its odds, scaled so that the
detection threshold maps to Rekognition's 90: ``odds(confidence/100) = 9 * odds(p) / odds(T)``.
Monotonic; with T = 0.8: p 0.9 -> 95.3, 0.99 -> 99.55, 0.999 -> 99.955.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from emulator.engine.detectors import box_convention
from emulator.engine.detectors.base import FaceBox, Prepared, largest_first
from emulator.engine.detectors.retinaface_net import RawFaces, RetinaFaceNet
from emulator.engine.detectors.second_look import SecondLook
from emulator.engine.resolution import smallest_face

#: Side (px) a face must have at the network to be found reliably (10/10 pasted faces at 24 px, 4/10 at 20).
NET_MIN_FACE = 24
MAX_UPSCALE = 2.0
#: Face probability at or above which a box is a candidate (mapped to confidence 90).
SCORE_THRESHOLD = 0.8
NMS_IOU = 0.4
_THRESHOLD_ODDS = SCORE_THRESHOLD / (1.0 - SCORE_THRESHOLD)


def network_scale(width: int, height: int, min_face: int) -> float:
    """Resize factor at which the smallest wanted face reaches NET_MIN_FACE px (never above MAX_UPSCALE)."""
    return min(MAX_UPSCALE, NET_MIN_FACE / smallest_face(width, height, min_face))


def score_to_confidence(p: float) -> float:
    """Map the network's face probability to Rekognition's 0-100 (the threshold maps to 90; monotonic)."""
    if p >= 1.0:
        return 100.0
    if p <= 0.0:
        return 0.0
    odds = 9.0 * (p / (1.0 - p)) / _THRESHOLD_ODDS
    return 100.0 * odds / (1.0 + odds)


class RetinaFaceDetector:
    """RetinaFace boxes as reported to clients, each with its HOG-convention box for dlib's 5-point model."""

    name = "retinaface"

    def __init__(self, threads: int = 2) -> None:
        """Load both networks (ModelNotFound when a vendored file is missing)."""
        self.net = RetinaFaceNet(threads)
        self.second_look = SecondLook(threads)

    def detect(self, image: np.ndarray, *, largest_only: bool, min_face: int) -> list[FaceBox]:
        """Faces down to the proportional minimum, largest first (only the largest with largest_only)."""
        height, width = image.shape[:2]
        scale = network_scale(width, height, min_face)
        if not largest_only:
            candidates = self.candidates(image, scale)
            kept = self.second_look.keep(image, [_corners(c) for c in candidates])
            return [c for c, ok in zip(candidates, kept, strict=True) if ok]
        for candidate in self._largest_candidates(image, scale):
            if self.second_look.keep(image, [_corners(candidate)])[0]:
                return [candidate]
        return []

    def largest_with(self, image: np.ndarray, *, min_face: int,
                     prepare: Callable[[FaceBox], Prepared]) -> tuple[FaceBox, Prepared] | None:
        """The largest face and prepare(face), prepare running on each candidate while the second look checks it.

        On 2 cores this hides the second look behind the descriptor: from the candidate to the descriptor took
        8.6 ms one after the other and 6.3 ms overlapped (medians on 8 identity photos at 640x480, interleaved).
        A candidate the second look refuses costs its prepare for nothing (rare: animals, hands).
        """
        height, width = image.shape[:2]
        for candidate in self._largest_candidates(image, network_scale(width, height, min_face)):
            verdict = self.second_look.keep_later(image, [_corners(candidate)])
            prepared = prepare(candidate)
            if verdict.result()[0]:
                return candidate, prepared
        return None

    def _largest_candidates(self, image: np.ndarray, scale: float) -> Iterator[FaceBox]:
        """Candidates for the largest face, in the order to check them.

        A pass at half scale first; its answer stands only if the face is large enough that no larger face can
        be missed; then the full pass.
        """
        for pass_scale, smallest in ((scale / 2, NET_MIN_FACE / (scale / 2)), (scale, 0.0)):
            for candidate in self.candidates(image, pass_scale):
                if min(candidate.width, candidate.height) < smallest:
                    break
                yield candidate

    def candidates(self, image: np.ndarray, scale: float) -> list[FaceBox]:
        """One network pass at `scale`, before the second look, largest first."""
        raw = self.net.run(image, scale, SCORE_THRESHOLD, NMS_IOU)
        return largest_first(_face_boxes(raw))


def _corners(face: FaceBox) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a box."""
    return face.left, face.top, face.left + face.width, face.top + face.height


def _face_boxes(raw: RawFaces) -> list[FaceBox]:
    """FaceBoxes of the network's hits: its own box reported, the corrected box for the 5-point model."""
    out = []
    for (left, top, right, bottom), score, points in zip(raw.boxes.tolist(), raw.scores.tolist(),
                                                          raw.points.tolist(), strict=True):
        if not (math.isfinite(left) and math.isfinite(top) and right > left and bottom > top):
            continue
        (lx, ly), (rx, ry) = points[0], points[1]  # the eyes on the image's left and right
        out.append(FaceBox(left=left, top=top, width=right - left, height=bottom - top,
                           confidence=score_to_confidence(score),
                           shape_rect=box_convention.hog_rect(left, top, right, bottom),
                           eyes=((lx, ly), (rx, ry))))
    return out
