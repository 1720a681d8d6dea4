"""The small JSON file naming a collection's current segment generation, written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from emulator.index.params import DIM

FORMAT = 1
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
    dim: int = DIM
    format: int = FORMAT


def ann_path(root: Path, generation: int) -> Path:
    """Return the Annoy file of a generation."""
    return root / f"gen-{generation:08d}.ann"


def labels_path(root: Path, generation: int) -> Path:
    """Return the label array (.npy) of a generation."""
    return root / f"gen-{generation:08d}.labels.npy"


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
    keep_names = set() if keep is None else {ann_path(root, keep).name, labels_path(root, keep).name}
    for path in root.iterdir():
        name = path.name
        stale_gen = name.startswith("gen-") and name not in keep_names
        if stale_gen or (name.endswith(TEMP_SUFFIX) and name != MANIFEST):
            path.unlink(missing_ok=True)
