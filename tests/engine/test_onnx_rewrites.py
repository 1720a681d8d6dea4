"""The load-time graph rewrites: each replaces what it says and leaves the network's outputs bit-identical."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import onnx
import onnxruntime as ort  # type: ignore[import-untyped,unused-ignore]
import pytest

from emulator.engine import mesh, onnx_rewrites
from emulator.engine.ort_session import cpu_session
from tests.photos import identities


@pytest.mark.parametrize(("filename", "prelus"), [(mesh.MESH_FILE, 23), (mesh.IRIS_FILE, 53)])
def test_prelu_rewrite_keeps_mediapipe_outputs_bit_identical(
        filename: str, prelus: int, load_image: Callable[[str], np.ndarray]) -> None:
    """Face mesh and iris model, original against rewritten, on crops of real photos.

    Bit-identical on the machine it was written on; the bound leaves room for float32 rounding in case another
    CPU's kernels fuse the two graphs differently (the outputs are pixel coordinates up to 192).
    """
    original = onnx.load(str(mesh.WEIGHTS_DIR / filename))
    rewritten = onnx.load(str(mesh.WEIGHTS_DIR / filename))
    assert onnx_rewrites.prelu_as_relu(rewritten) == prelus
    assert onnx_rewrites.prelu_as_relu(rewritten) == 0
    assert not any(node.op_type == "PRelu" for node in rewritten.graph.node)
    before, after = (cpu_session(model.SerializeToString(), 1) for model in (original, rewritten))
    size = mesh.MESH_SIZE if filename == mesh.MESH_FILE else mesh.IRIS_SIZE
    for paths in list(identities().values())[:3]:
        image = load_image(paths[0])
        height, width = image.shape[:2]
        side = min(height, width) * 0.6
        crop = mesh.Roi(width / 2, height / 2, side, 0.0).crop(image, size)
        tensor = np.ascontiguousarray(crop.transpose(2, 0, 1)[None])
        for want, got in zip(_run(before, tensor), _run(after, tensor), strict=True):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-4)


def _run(session: ort.InferenceSession, tensor: np.ndarray) -> list[np.ndarray]:
    """Every output of one run."""
    return [np.asarray(out) for out in session.run(None, {session.get_inputs()[0].name: tensor})]
