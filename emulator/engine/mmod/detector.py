"""dlib's CNN face detector on onnxruntime: the pyramid and box mapping in numpy around the ONNX conv stack."""

from __future__ import annotations

from pathlib import Path

import dlib
import numpy as np
import numpy.typing as npt
import onnxruntime as ort  # type: ignore[import-untyped,unused-ignore]

from emulator.engine.mmod.boxes import Hit, candidates, rect_down, suppress
from emulator.engine.mmod.graph import (
    INPUT_NAME,
    OUTPUT_NAME,
    RESIZE_INPUT,
    RESIZE_OUTPUT,
    RESIZE_SIZES,
    output_size,
    point_map,
)
from emulator.engine.mmod.network import MmodNet
from emulator.engine.mmod.pyramid import pyramid_up, tiled_layout, tiled_pyramid

#: More upsampling than this is refused (each level quadruples the work; dlib's own callers use 0-2).
MAX_UPSAMPLE = 3


class OnnxMmod:
    """mmod_human_face_detector.dat as dlib's cnn_face_detection_model_v1 runs it; thread-safe, no lock."""

    name: str = "mmod"

    def __init__(self, session: ort.InferenceSession, resize: ort.InferenceSession, net: MmodNet,
                 model_path: Path | None = None) -> None:
        """Wrap the conv stack's and the resize model's sessions, and the network's input, windows and NMS."""
        self._session = session
        self._resize = resize
        self._net = net
        self._pmap = point_map(net)
        self.model_path = model_path

    def hits(self, image: npt.NDArray[np.uint8], upsample: int = 0, threshold: float = 0.0) -> list[Hit]:
        """Detections (image coordinates, score) in an (H, W, 3) uint8 RGB image, best score first."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB array, got {image.shape} {image.dtype}")
        if not 0 <= upsample <= MAX_UPSAMPLE:
            raise ValueError(f"upsample must be 0..{MAX_UPSAMPLE}, got {upsample}")
        work = image
        for _ in range(upsample):
            work = pyramid_up(work)
        net_input = self._net.input
        layout = tiled_layout(work.shape[0], work.shape[1], net_input.padding, net_input.outer_padding)
        if min(output_size(self._net, layout.rows, layout.cols)) <= 0:
            return []  # a few pixels: too small for the network to give a single score (dlib raises here)
        scores = self.scores(tiled_pyramid(work, net_input.mean, layout, self.resize))
        found = suppress(
            candidates(scores, self._net.options.windows, self._pmap, layout, threshold),
            self._net.options.overlaps_nms,
        )
        return [Hit(rect_down(h.rect, upsample), h.score) for h in found]

    def metadata(self) -> dict[str, str]:
        """The conv model's custom metadata (the self-check reference lives there)."""
        return dict(self._session.get_modelmeta().custom_metadata_map)

    def resize(self, planes: npt.NDArray[np.float32], rows: int, cols: int) -> npt.NDArray[np.float32]:
        """(1, 3, h, w) planes resized to (1, 3, rows, cols) as dlib's resize_image does (bilinear, corners aligned)."""
        sizes = np.array([1, 3, rows, cols], dtype=np.int64)
        out = self._resize.run([RESIZE_OUTPUT], {RESIZE_INPUT: planes, RESIZE_SIZES: sizes})[0]
        return np.asarray(out, dtype=np.float32)

    def scores(self, pyramid: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The detector's (windows, h, w) score planes for a (1, 3, H, W) tiled pyramid tensor."""
        out = self._session.run([OUTPUT_NAME], {INPUT_NAME: np.ascontiguousarray(pyramid, dtype=np.float32)})[0]
        planes: npt.NDArray[np.float32] = np.asarray(out, dtype=np.float32)[0]
        return planes

    def __call__(self, image: npt.NDArray[np.uint8], upsample: int = 0) -> list[tuple[dlib.rectangle, float]]:
        """What dlib's cnn_face_detection_model_v1(image, upsample) gives: (rectangle, confidence) pairs."""
        return [(dlib.rectangle(h.rect.left, h.rect.top, h.rect.right, h.rect.bottom), h.score)
                for h in self.hits(image, upsample)]
