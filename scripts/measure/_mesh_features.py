"""Mesh, iris and emotion outputs of the labelled photos, collected once and cached (the slow step of mesh.py).

Per photo: its manifest row, the split, the largest face's 468 mesh points, five dlib points, the iris model's
iris points and contours for both eyes, and the emotion network's logits. Cached as an .npz keyed by the sets
and the limit, so refitting the constants does not rerun the networks (delete the file to recollect).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from _common import faces_root, is_tuning, rows, views

from emulator.engine import Engine, mesh
from emulator.engine.attributes.emotions import EmotionEstimator, face_crop
from emulator.engine.mesh import FaceMesh, Roi

SETS = ("genki4k", "lfw_kumar_attributes", "lfw_emotion")


def cache_path(args: argparse.Namespace) -> Path:
    """Where the collected outputs are kept."""
    return Path(getattr(args, "cache", None) or Path(tempfile.gettempdir()) / f"mesh_features_{args.limit}.npz")


def collect(args: argparse.Namespace) -> dict[str, np.ndarray]:
    """Run the engine, iris model and emotion network on the largest face of every photo (cached)."""
    path = cache_path(args)
    if path.is_file():
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    engine = Engine(threads=1)
    model = mesh.shared_model(1)
    emotions = EmotionEstimator()
    root = faces_root(args.faces)
    out: dict[str, list[object]] = {k: [] for k in (
        "row", "tune", "mesh", "points5", "iris", "contour", "logits", "found")}
    for row, view in views(engine, root, rows(root, SETS, args.limit)):
        out["row"].append(json.dumps(row))
        out["tune"].append(is_tuning(row["path"]))
        out["found"].append(view is not None)
        if view is None or view.mesh is None:
            out["mesh"].append(np.full((468, 3), np.nan))
            out["points5"].append(np.full((5, 2), np.nan))
            out["iris"].append(np.full((2, 5, 3), np.nan))
            out["contour"].append(np.full((2, 71, 3), np.nan))
            out["logits"].append(np.full(7, np.nan))
            continue
        eyes = model.eyes(view.image, FaceMesh(view.mesh, 1.0, Roi(0.0, 0.0, 1.0, 0.0)))
        out["mesh"].append(view.mesh)
        out["points5"].append(view.points5)
        out["iris"].append(np.stack([e.iris for e in eyes]))
        out["contour"].append(np.stack([e.contour for e in eyes]))
        out["logits"].append(emotions.logits(face_crop(view)[None])[0])
    arrays = {k: np.asarray(v) for k, v in out.items()}
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy's stub matches **kwds to allow_pickle
    return arrays
