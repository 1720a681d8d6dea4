"""RetinaFace MobileNet-0.25 on onnxruntime: an RGB image at a given scale in, scored boxes and 5 points out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from emulator.engine import models
from emulator.engine.detectors import anchors
from emulator.engine.ort_session import SizedSessions

MODEL_FILE = "retinaface_mnet025.onnx"
#: Per-channel means the network was trained with, subtracted from BGR pixels (Pytorch_Retinaface).
BGR_MEAN = np.array([104.0, 117.0, 123.0], dtype=np.float32)
#: Inputs are padded to a multiple of the coarsest stride so every feature map lines up with its anchors.
PAD_TO = 32


@dataclass(frozen=True)
class RawFaces:
    """Network hits in image pixels: boxes (N, 4: l, t, r, b), face probabilities (N,), 5 points (N, 5, 2)."""

    boxes: np.ndarray
    scores: np.ndarray
    points: np.ndarray


class RetinaFaceNet:
    """The network and its decoding; one shared session (onnxruntime's run() is thread-safe)."""

    def __init__(self, threads: int) -> None:
        """Load the vendored model (ModelNotFound when the file is missing)."""
        self._sessions = SizedSessions(models.vendored_model(MODEL_FILE), threads)

    def run(self, image: np.ndarray, scale: float, threshold: float, nms_iou: float) -> RawFaces:
        """Faces scoring over `threshold` in an (H, W, 3) uint8 RGB image resized by `scale`, after NMS."""
        height, width = image.shape[:2]
        new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
        work = image
        if (new_w, new_h) != (width, height):
            work = np.asarray(Image.fromarray(image).resize((new_w, new_h), Image.Resampling.BILINEAR))
        pad_h, pad_w = -(-new_h // PAD_TO) * PAD_TO, -(-new_w // PAD_TO) * PAD_TO
        blob = np.zeros((1, 3, pad_h, pad_w), dtype=np.float32)
        blob[0, :, :new_h, :new_w] = (work[:, :, ::-1].astype(np.float32) - BGR_MEAN).transpose(2, 0, 1)
        loc, conf, marks = self._sessions.for_input(blob.shape).run(None, {"input": blob})
        priors = anchors.anchors(pad_h, pad_w)
        if loc.shape[1] != priors.shape[0]:
            raise RuntimeError(f"RetinaFace gave {loc.shape[1]} anchors, expected {priors.shape[0]}")
        scores = conf[0, :, 1]
        hit = np.flatnonzero(scores > threshold)
        boxes, points = anchors.decode(loc[0, hit], marks[0, hit], priors[hit])
        keep = anchors.nms(boxes, scores[hit], nms_iou)
        factor = np.array([width / new_w, height / new_h], dtype=np.float64)
        return RawFaces(boxes=boxes[keep].astype(np.float64) * np.tile(factor, 2),
                        scores=scores[hit][keep].astype(np.float64),
                        points=points[keep].astype(np.float64) * factor)
