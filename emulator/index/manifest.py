"""The small JSON file naming a collection's current segment generation, written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from emulator.index.params import DIM

FORMAT = 2  # 2: the backend's files (Annoy: over principal components, and the projection) plus the exact vectors
MANIFEST = "manifest.json"
TEMP_SUFFIX = ".tmp"


@dataclass(frozen=True)
class Manifest:
    """Generation ``generation`` holds ``count`` faces, all labels <= ``max_label``; count 0: no segment."""

    generation: int
    max_label: int
    count: int
    ann_bytes: int = 0
    labels_bytes: int = 0
    vectors_bytes: int = 0
    projection_bytes: int = 0
    components: int = 0  # dimensions of the Annoy trees (leading principal components)
    dim: int = DIM
    format: int = FORMAT
    backend: str = "annoy"  # the SegmentBackend that wrote the generation (manifests before this field: Annoy)


def ann_path(root: Path, generation: int) -> Path:
    """Return the Annoy file of a generation."""
    return root / f"{generation_prefix(generation)}ann"


def labels_path(root: Path, generation: int) -> Path:
    """Return the label array (.npy) of a generation."""
    return root / f"{generation_prefix(generation)}labels.npy"


def vectors_path(root: Path, generation: int) -> Path:
    """Return the exact descriptors (.npy, float32 count×DIM) of a generation, for re-ranking."""
    return root / f"{generation_prefix(generation)}vectors.npy"


def projection_path(root: Path, generation: int) -> Path:
    """Return the projection (.npy: mean and principal axes) of a generation."""
    return root / f"{generation_prefix(generation)}projection.npy"


def generation_prefix(generation: int) -> str:
    """The name every file of a generation starts with, whichever backend wrote it."""
    return f"gen-{generation:08d}."


def fsync_dir(root: Path) -> None:
    """Make renames in ``root`` durable."""
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(temp: Path, final: Path) -> None:
    """fsync ``temp`` and rename it over ``final``."""
    with open(temp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(temp, final)


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Atomically replace the manifest of ``root``."""
    temp = root / (MANIFEST + TEMP_SUFFIX)
    temp.write_text(json.dumps(asdict(manifest)), encoding="utf-8")
    publish(temp, root / MANIFEST)
    fsync_dir(root)


def read_manifest(root: Path) -> Manifest | None:
    """Return the manifest of ``root``, or None if it is missing, unreadable or of another format."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    if manifest.format != FORMAT or manifest.dim != DIM:
        return None
    return manifest


def remove_stale_files(root: Path, keep: int | None) -> None:
    """Delete temp files and every generation's files except generation ``keep``."""
    kept = None if keep is None else generation_prefix(keep)
    for path in root.iterdir():
        name = path.name
        stale_gen = name.startswith("gen-") and not (kept is not None and name.startswith(kept))
        if stale_gen or (name.endswith(TEMP_SUFFIX) and name != MANIFEST):
            path.unlink(missing_ok=True)
