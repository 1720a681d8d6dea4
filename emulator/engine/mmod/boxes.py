"""loss_mmod's output side in numpy: score map to rectangles through the tiled pyramid, then dlib's NMS."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from emulator.engine.mmod.graph import PointMap
from emulator.engine.mmod.network import BoxOverlap, DetectorWindow
from emulator.engine.mmod.pyramid import PYRAMID_N, Rect, TiledLayout

#: (left, top, right, bottom) in floating point: a dlib drectangle.
DRect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Hit:
    """A detection: dlib rectangle in image coordinates and the detector's score."""

    rect: Rect
    score: float


def _round(v: float) -> int:
    """Round half away from zero (std::round), as dlib converts a drectangle's edges: -4.5 -> -5, 4.5 -> 5."""
    return int(math.copysign(math.floor(abs(v) + 0.5), v))


def round_rect(r: DRect) -> Rect:
    """drectangle to rectangle, each edge rounded as dlib does."""
    return Rect(*(_round(v) for v in r))


def _corners(x1: float, y1: float, x2: float, y2: float) -> DRect:
    """drectangle(p1, p2): the box spanning two points."""
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _nearest_level(levels: tuple[Rect, ...], x: int, y: int) -> int:
    """dlib's nearest_rect: the first level containing the point, else the closest one."""
    best, best_dist = 0, math.inf
    for i, r in enumerate(levels):
        if r.contains(x, y):
            return i
        dx = min(max(x, r.left), r.right) - x
        dy = min(max(y, r.top), r.bottom) - y
        dist = math.hypot(dx, dy)
        if dist < best_dist:
            best, best_dist = i, dist
    return best


def to_image(layout: TiledLayout, r: DRect, n: int = PYRAMID_N) -> DRect:
    """tiled_pyramid_to_image: move the box into its level's frame, then pyramid_down<n>::rect_up that many times."""
    cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
    level = _nearest_level(layout.levels, _round(cx), _round(cy))
    origin = layout.levels[level]
    x1, y1, x2, y2 = r[0] - origin.left, r[1] - origin.top, r[2] - origin.left, r[3] - origin.top
    ratio = n / (n - 1.0)
    for _ in range(level):
        x1, y1, x2, y2 = x1 * ratio + 0.3, y1 * ratio + 0.3, x2 * ratio + 0.3, y2 * ratio + 0.3
    return _corners(x1, y1, x2, y2)


def candidates(scores: npt.NDArray[np.float32], windows: tuple[DetectorWindow, ...], pmap: PointMap,
               layout: TiledLayout, threshold: float) -> list[Hit]:
    """loss_mmod's tensor_to_dets: every score above the threshold as a window in image space, best first."""
    hits: list[Hit] = []
    for k, r, c in zip(*np.nonzero(scores > threshold), strict=True):
        window = windows[int(k)]
        x, y = pmap.scale_x * int(c) + pmap.offset_x, pmap.scale_y * int(r) + pmap.offset_y
        half_w, half_h = (window.width - 1) / 2, (window.height - 1) / 2
        box = to_image(layout, (x - half_w, y - half_h, x + half_w, y + half_h))
        hits.append(Hit(round_rect(box), float(scores[k, r, c])))
    hits.sort(key=lambda h: -h.score)
    return hits


def _area(r: Rect) -> int:
    """Pixels in a rectangle (0 when empty)."""
    return r.width * r.height


def overlaps(test: BoxOverlap, a: Rect, b: Rect) -> bool:
    """dlib's test_box_overlap: IoU above its threshold, or either box covered more than the other threshold."""
    inner = _area(Rect(max(a.left, b.left), max(a.top, b.top), min(a.right, b.right), min(a.bottom, b.bottom)))
    if inner == 0:
        return False
    outer = _area(Rect(min(a.left, b.left), min(a.top, b.top), max(a.right, b.right), max(a.bottom, b.bottom)))
    return inner / outer > test.iou or inner / _area(a) > test.covered or inner / _area(b) > test.covered


def suppress(hits: list[Hit], test: BoxOverlap) -> list[Hit]:
    """loss_mmod's non-max suppression: keep each hit (best first) that overlaps none already kept."""
    kept: list[Hit] = []
    for hit in hits:
        if not any(overlaps(test, k.rect, hit.rect) for k in kept):
            kept.append(hit)
    return kept


def rect_down(r: Rect, levels: int) -> Rect:
    """pyramid_down<2>::rect_down applied `levels` times: back from the upsampled image to the caller's."""
    x1, y1, x2, y2 = float(r.left), float(r.top), float(r.right), float(r.bottom)
    for _ in range(levels):
        x1, y1, x2, y2 = x1 / 2 - 1.25, y1 / 2 - 0.75, x2 / 2 - 1.25, y2 / 2 - 0.75
    return round_rect(_corners(x1, y1, x2, y2))
