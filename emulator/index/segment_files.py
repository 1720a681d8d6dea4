"""What every sealed-segment backend stores: the labels and the exact descriptors, written durably, checked on load."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emulator.index.manifest import Manifest, labels_path, publish, vectors_path
from emulator.index.params import DIM


def write_array(path: Path, array: np.ndarray) -> int:
    """Write ``array`` as .npy through a temp file (fsync, rename); return the file's size."""
    temp = path.with_name(path.name + ".tmp")
    with open(temp, "wb") as f:
        np.save(f, array)
    publish(temp, path)
    return path.stat().st_size


def write_rows(root: Path, generation: int, labels: np.ndarray, vectors: np.ndarray) -> tuple[int, int]:
    """Write a generation's labels and descriptors; return their file sizes (the caller fsyncs the directory)."""
    return write_array(labels_path(root, generation), labels), write_array(vectors_path(root, generation), vectors)


def load_rows(root: Path, manifest: Manifest) -> tuple[np.ndarray, np.ndarray] | None:
    """The manifest generation's labels and memory-mapped descriptors; None when missing or inconsistent."""
    gen = manifest.generation
    sizes = {labels_path(root, gen): manifest.labels_bytes, vectors_path(root, gen): manifest.vectors_bytes}
    try:
        if any(path.stat().st_size != size for path, size in sizes.items()):
            return None
        labels = np.load(labels_path(root, gen), allow_pickle=False)
        vectors = np.load(vectors_path(root, gen), mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if labels.dtype != np.int64 or labels.shape != (manifest.count,) or manifest.count == 0:
        return None
    if int(labels[-1]) != manifest.max_label or not bool(np.all(labels[1:] > labels[:-1])):
        return None
    if vectors.dtype != np.float32 or vectors.shape != (manifest.count, DIM):
        return None
    return labels, vectors


def member_mask(held: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """A boolean mask: which of ``labels`` are in the ascending array ``held``."""
    pos = np.searchsorted(held, labels)
    pos = np.minimum(pos, len(held) - 1)
    return np.asarray(held[pos] == labels)
