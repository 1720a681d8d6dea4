"""A sealed segment: Annoy trees over principal components, the exact vectors they re-rank, position → label."""

from __future__ import annotations

import dataclasses
import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from annoy import AnnoyIndex

from emulator.index.exact import EMPTY_DISTANCES, EMPTY_LABELS, exact_search, squared_norms
from emulator.index.manifest import (
    Manifest,
    ann_path,
    fsync_dir,
    labels_path,
    projection_path,
    publish,
    vectors_path,
)
from emulator.index.params import DIM, IndexParams
from emulator.index.projection import Projection, fit_projection

_ADD_CHUNK = 50_000
#: Candidates re-ranked on the full vectors beyond the n asked for: the projected order is approximate.
RERANK_EXTRA = 200


class BuildCancelled(Exception):
    """The registry closed while a segment was being built."""


@dataclass(frozen=True)
class Segment:
    """Annoy item i is ``projection.apply(vectors[i])``, the face labelled ``labels[i]``; labels ascend."""

    annoy: AnnoyIndex
    labels: np.ndarray  # int64, ascending
    vectors: np.ndarray  # float32 (n, DIM), memory-mapped once saved
    projection: Projection
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

    @functools.cached_property
    def norms(self) -> np.ndarray:
        """Return the squared norm of every vector (computed on first use: a scan reads them all anyway)."""
        return squared_norms(self.vectors)

    def scan(self, query: np.ndarray, n: int, max_distance: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (labels, distances) of the ``n`` nearest vectors within ``max_distance``, exactly."""
        return exact_search(self.labels, self.vectors, self.norms, query, n, max_distance)

    def search(self, query: np.ndarray, n: int, search_k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (labels, exact distances) of the ``n`` nearest of Annoy's candidates, nearest first."""
        n = min(n, len(self.labels))
        if n <= 0:
            return EMPTY_LABELS, EMPTY_DISTANCES
        want = min(len(self.labels), n + RERANK_EXTRA)
        ids = self.annoy.get_nns_by_vector(self.projection.apply(query), want, max(search_k, want))
        rows = np.asarray(ids, dtype=np.int64)
        dists = np.asarray(np.linalg.norm(self.vectors[rows] - query, axis=1), dtype=np.float32)
        nearest = np.argpartition(dists, n - 1)[:n] if n < len(dists) else np.arange(len(dists))
        nearest = nearest[np.argsort(dists[nearest], kind="stable")]
        return self.labels[rows[nearest]], dists[nearest]


def build_segment(
    labels: np.ndarray,
    vectors: np.ndarray,
    params: IndexParams,
    generation: int,
    root: Path | None,
    n_jobs: int,
    cancel: threading.Event | None = None,
) -> tuple[Segment, Manifest]:
    """Build a segment over ascending ``labels``; with ``root``, write its files (not the manifest)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(labels), DIM)
    projection = fit_projection(vectors, params.dims, params.seed)
    annoy = AnnoyIndex(projection.dims, "euclidean")
    annoy.set_seed(params.seed)
    for start in range(0, len(labels), _ADD_CHUNK):
        if cancel is not None and cancel.is_set():
            raise BuildCancelled
        projected = projection.apply(vectors[start : start + _ADD_CHUNK])
        for i, row in enumerate(projected, start):
            annoy.add_item(i, row)
    if cancel is not None and cancel.is_set():
        raise BuildCancelled
    annoy.build(params.n_trees, n_jobs)
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    manifest = Manifest(
        generation=generation, max_label=int(labels[-1]), count=len(labels), components=projection.dims
    )
    if root is None:
        return Segment(annoy, labels, vectors, projection, generation), manifest
    ann = ann_path(root, generation)
    ann_tmp = ann.with_name(ann.name + ".tmp")
    annoy.save(str(ann_tmp))  # Annoy then serves from an mmap of the saved file
    publish(ann_tmp, ann)
    arrays = {labels_path: labels, vectors_path: vectors, projection_path: projection.packed()}
    for path_of, array in arrays.items():
        path = path_of(root, generation)
        temp = path.with_name(path.name + ".tmp")
        with open(temp, "wb") as f:
            np.save(f, array)
        publish(temp, path)
    fsync_dir(root)
    manifest = dataclasses.replace(
        manifest,
        ann_bytes=ann.stat().st_size,
        labels_bytes=labels_path(root, generation).stat().st_size,
        vectors_bytes=vectors_path(root, generation).stat().st_size,
        projection_bytes=projection_path(root, generation).stat().st_size,
    )
    mapped = np.load(vectors_path(root, generation), mmap_mode="r", allow_pickle=False)
    return Segment(annoy, labels, mapped, projection, generation), manifest


def load_segment(root: Path, manifest: Manifest) -> Segment | None:
    """Memory-map the segment named by ``manifest``; None if its files are missing or inconsistent."""
    gen = manifest.generation
    sizes = {
        ann_path(root, gen): manifest.ann_bytes,
        labels_path(root, gen): manifest.labels_bytes,
        vectors_path(root, gen): manifest.vectors_bytes,
        projection_path(root, gen): manifest.projection_bytes,
    }
    try:
        if any(path.stat().st_size != size for path, size in sizes.items()):
            return None
        labels = np.load(labels_path(root, gen), allow_pickle=False)
        vectors = np.load(vectors_path(root, gen), mmap_mode="r", allow_pickle=False)
        projection = Projection.unpack(np.load(projection_path(root, gen), allow_pickle=False), manifest.components)
    except (OSError, ValueError):
        return None
    if labels.dtype != np.int64 or labels.shape != (manifest.count,) or manifest.count == 0:
        return None
    if int(labels[-1]) != manifest.max_label or not bool(np.all(labels[1:] > labels[:-1])):
        return None
    if projection is None or vectors.dtype != np.float32 or vectors.shape != (manifest.count, DIM):
        return None
    annoy = AnnoyIndex(projection.dims, "euclidean")
    try:
        annoy.load(str(ann_path(root, gen)))
    except OSError:
        return None
    if annoy.get_n_items() != manifest.count:
        annoy.unload()
        return None
    return Segment(annoy, labels, vectors, projection, gen)
