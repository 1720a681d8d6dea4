"""A sealed segment: an immutable Annoy index over dense positions plus its position → label array."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from annoy import AnnoyIndex

from emulator.index.exact import EMPTY_DISTANCES, EMPTY_LABELS
from emulator.index.manifest import Manifest, ann_path, fsync_dir, labels_path, publish
from emulator.index.params import DIM, IndexParams

_ADD_CHUNK = 50_000


class BuildCancelled(Exception):
    """The registry closed while a segment was being built."""


@dataclass(frozen=True)
class Segment:
    """Annoy item i is the face labelled ``labels[i]``; labels are ascending, all <= ``max_label``."""

    annoy: AnnoyIndex
    labels: np.ndarray  # int64, ascending
    generation: int

    @property
    def max_label(self) -> int:
        """Return the largest label in the segment."""
        return int(self.labels[-1])

    def __len__(self) -> int:
        return len(self.labels)

    def contains(self, labels: np.ndarray) -> np.ndarray:
        """Return a boolean mask: which of ``labels`` are in this segment."""
        pos = np.searchsorted(self.labels, labels)
        pos = np.minimum(pos, len(self.labels) - 1)
        return np.asarray(self.labels[pos] == labels)

    def search(self, query: np.ndarray, n: int, search_k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (labels, distances) of Annoy's ``n`` nearest items, nearest first."""
        n = min(n, len(self.labels))
        if n <= 0:
            return EMPTY_LABELS, EMPTY_DISTANCES
        ids, dists = self.annoy.get_nns_by_vector(query, n, max(search_k, n), include_distances=True)
        return self.labels[np.asarray(ids, dtype=np.int64)], np.asarray(dists, dtype=np.float32)


def build_segment(
    labels: np.ndarray,
    vectors: np.ndarray,
    params: IndexParams,
    generation: int,
    root: Path | None,
    n_jobs: int,
    cancel: threading.Event | None = None,
) -> tuple[Segment, Manifest]:
    """Build an Annoy segment over ascending ``labels``; with ``root``, write its files (not the manifest)."""
    annoy = AnnoyIndex(DIM, "euclidean")
    annoy.set_seed(params.seed)
    for start in range(0, len(labels), _ADD_CHUNK):
        if cancel is not None and cancel.is_set():
            raise BuildCancelled
        for i in range(start, min(start + _ADD_CHUNK, len(labels))):
            annoy.add_item(i, vectors[i])
    if cancel is not None and cancel.is_set():
        raise BuildCancelled
    annoy.build(params.n_trees, n_jobs)
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    manifest = Manifest(generation=generation, max_label=int(labels[-1]), count=len(labels))
    if root is not None:
        ann, lab = ann_path(root, generation), labels_path(root, generation)
        ann_tmp, lab_tmp = ann.with_name(ann.name + ".tmp"), lab.with_name(lab.name + ".tmp")
        annoy.save(str(ann_tmp))  # Annoy then serves from an mmap of the saved file
        with open(lab_tmp, "wb") as f:
            np.save(f, labels)
        publish(ann_tmp, ann)
        publish(lab_tmp, lab)
        fsync_dir(root)
        manifest = Manifest(
            generation=generation,
            max_label=manifest.max_label,
            count=manifest.count,
            ann_bytes=ann.stat().st_size,
            labels_bytes=lab.stat().st_size,
        )
    return Segment(annoy, labels, generation), manifest


def load_segment(root: Path, manifest: Manifest) -> Segment | None:
    """Memory-map the segment named by ``manifest``; None if its files are missing or inconsistent."""
    ann, lab = ann_path(root, manifest.generation), labels_path(root, manifest.generation)
    try:
        if ann.stat().st_size != manifest.ann_bytes or lab.stat().st_size != manifest.labels_bytes:
            return None
        labels = np.load(lab, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if labels.dtype != np.int64 or labels.shape != (manifest.count,) or manifest.count == 0:
        return None
    if int(labels[-1]) != manifest.max_label or not bool(np.all(labels[1:] > labels[:-1])):
        return None
    annoy = AnnoyIndex(DIM, "euclidean")
    try:
        annoy.load(str(ann))
    except OSError:
        return None
    if annoy.get_n_items() != manifest.count:
        annoy.unload()
        return None
    return Segment(annoy, labels, manifest.generation)
