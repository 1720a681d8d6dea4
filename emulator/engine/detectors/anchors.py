"""RetinaFace's standard anchor decoding and non-maximum suppression, in numpy.

The network (biubug6/Pytorch_Retinaface's MobileNet-0.25 configuration) predicts, for every
anchor, box offsets, a face/background softmax and five landmark offsets.  Anchors sit at the
centre of every cell of the stride-8, -16 and -32 feature maps (rows, then columns, then the
anchor sizes of that stride: 16/32, 64/128, 256/512 px, square).  With variances 0.1 and 0.2:
centre = anchor centre + offset * 0.1 * anchor size; size = anchor size * exp(offset * 0.2);
each landmark = anchor centre + offset * 0.1 * anchor size.
"""

from __future__ import annotations

import functools
import math

import numpy as np

STEPS = (8, 16, 32)
ANCHOR_SIZES = ((16, 32), (64, 128), (256, 512))
CENTRE_VARIANCE = 0.1
SIZE_VARIANCE = 0.2


@functools.lru_cache(maxsize=64)
def anchors(height: int, width: int) -> np.ndarray:
    """(N, 3) float32 anchors (centre x, centre y, side) in input pixels, in the network's output order."""
    parts = []
    for step, sizes in zip(STEPS, ANCHOR_SIZES, strict=True):
        rows, cols = math.ceil(height / step), math.ceil(width / step)
        ys, xs = np.mgrid[0:rows, 0:cols]
        centres = np.stack([(xs.ravel() + 0.5) * step, (ys.ravel() + 0.5) * step], axis=1)
        per_cell = np.repeat(centres, len(sizes), axis=0)
        side = np.tile(np.asarray(sizes, dtype=np.float64), rows * cols)[:, None]
        parts.append(np.hstack([per_cell, side]))
    out = np.vstack(parts).astype(np.float32)
    out.flags.writeable = False
    return out


def decode(loc: np.ndarray, landmarks: np.ndarray, priors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (N, 4: left, top, right, bottom) and landmarks (N, 5, 2) in input pixels from the raw offsets."""
    centre, side = priors[:, :2], priors[:, 2:3]
    box_centre = centre + loc[:, :2] * CENTRE_VARIANCE * side
    box_size = side * np.exp(loc[:, 2:] * SIZE_VARIANCE)
    boxes = np.hstack([box_centre - box_size / 2, box_centre + box_size / 2])
    points = centre[:, None, :] + landmarks.reshape(-1, 5, 2) * CENTRE_VARIANCE * side[:, :, None]
    return boxes, points


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression, best score first."""
    order = np.argsort(-scores, kind="stable")
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep: list[int] = []
    while order.size:
        best = int(order[0])
        keep.append(best)
        rest = order[1:]
        ix = np.clip(np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(boxes[best, 0], boxes[rest, 0]), 0, None)
        iy = np.clip(np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(boxes[best, 1], boxes[rest, 1]), 0, None)
        inter = ix * iy
        iou = inter / np.maximum(areas[best] + areas[rest] - inter, 1e-9)
        order = rest[iou <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)
