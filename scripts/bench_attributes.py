#!/usr/bin/env python3
"""Cost of FaceDetail attributes per face on one thread, measured in one run (issue 17: ALL adds <= 25 ms/face).

Prints, as medians over interleaved rounds on the identity photos (long side 640):
  - each registered estimator's time per face (its own chips, network and post-processing; one thread), and
    the iris model's, which the engine runs once per face for the estimators that need "irises";
  - Engine.faces per face with DEFAULT (no attributes) and with ALL, their ratio and their difference.
Only ratios are meant to be quoted from a loaded machine; the ms are for comparing models with each other.
Usage: scripts/bench_attributes [--photos N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _bench_common import photos  # noqa: E402

from emulator.engine import Engine, decode_image, mesh  # noqa: E402
from emulator.engine.attributes import registry  # noqa: E402
from tests.photos import faces_root  # noqa: E402

#: The iris model on both eyes (run once per face when LANDMARKS, EYES_OPEN or EYE_DIRECTION is asked).
IRISES = "iris model (FaceView.irises, eyelids)"


def main() -> int:
    """Time every registered estimator and Engine.faces with DEFAULT and ALL, interleaved."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    root = faces_root()
    images = [decode_image(b) for b in photos(root, args.photos)]
    engine = Engine(threads=1)
    engine.warm()
    views = [v for image in images for v in engine.views(image, chips=True, irises=True)]
    meshes = [mesh.FaceMesh(v.mesh, 1.0, mesh.Roi(0.0, 0.0, 1.0, 0.0)) for v in views if v.mesh is not None]
    faces = sum(len(engine.faces(image, descriptors=False)) for image in images)
    times: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for entry in registry.ENTRIES:
            estimator = registry.estimator(entry)
            start = time.perf_counter()
            for view in views:
                estimator(view)
            times.setdefault("+".join(sorted(entry.fields)), []).append((time.perf_counter() - start) / len(views))
        start = time.perf_counter()
        for view, face_mesh in zip(views, meshes, strict=True):
            engine.eye_parts(view.image, face_mesh)
        times.setdefault(IRISES, []).append((time.perf_counter() - start) / len(views))
        for label, asked in (("DEFAULT", frozenset()), ("ALL", registry.ALL)):
            start = time.perf_counter()
            for image in images:
                engine.faces(image, descriptors=False, attributes=asked)
            times.setdefault(label, []).append((time.perf_counter() - start) / faces)
    ms = {k: 1000 * statistics.median(v) for k, v in times.items()}
    print(f"{len(images)} photos, {faces} faces, {args.rounds} rounds, one thread (onnxruntime intra-op 1)")
    print("\n| estimator (fields) | ms per face |\n|---|---|")
    for entry in registry.ENTRIES:
        key = "+".join(sorted(entry.fields))
        print(f"| {key} | {ms[key]:.2f} |")
    print(f"| {IRISES} | {ms[IRISES]:.2f} |")
    print(f"\nDetectFaces engine work per face: DEFAULT {ms['DEFAULT']:.1f} ms, ALL {ms['ALL']:.1f} ms; "
          f"ALL/DEFAULT = {ms['ALL'] / ms['DEFAULT']:.2f}; ALL adds {ms['ALL'] - ms['DEFAULT']:.1f} ms per face "
          f"(target <= 25 ms)")
    missing = sorted(registry.ALL - registry.registered())
    print(f"registered fields: {sorted(registry.registered())}; not yet: {missing}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
