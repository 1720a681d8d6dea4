"""The Annoy backend of sealed segments: trees over principal components, the exact vectors they re-rank, labels."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from annoy import AnnoyIndex

from emulator.index.exact import EMPTY_DISTANCES, EMPTY_LABELS
from emulator.index.exact_segment import ExactSegment
from emulator.index.manifest import Manifest, ann_path, fsync_dir, projection_path, publish, vectors_path
from emulator.index.params import DIM, IndexParams
from emulator.index.projection import Projection, fit_projection
from emulator.index.segment_backend import BuildCancelled
from emulator.index.segment_files import load_rows, write_array, write_rows

_ADD_CHUNK = 50_000
#: Candidates re-ranked on the full vectors beyond the n asked for: the projected order is approximate.
RERANK_EXTRA = 200

NAME = "annoy"


@dataclass(frozen=True)
class Segment(ExactSegment):
    """Annoy item i is ``projection.apply(vectors[i])``, the face labelled ``labels[i]``; labels ascend.

    Labels, vectors, membership and the exact scan are ExactSegment's; only search goes through the trees.
    """

    annoy: AnnoyIndex
    projection: Projection

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
        generation=generation, max_label=int(labels[-1]), count=len(labels), components=projection.dims, backend=NAME
    )
    if root is None:
        return Segment(labels, vectors, generation, annoy, projection), manifest
    ann = ann_path(root, generation)
    ann_tmp = ann.with_name(ann.name + ".tmp")
    annoy.save(str(ann_tmp))  # Annoy then serves from an mmap of the saved file
    publish(ann_tmp, ann)
    labels_bytes, vectors_bytes = write_rows(root, generation, labels, vectors)
    projection_bytes = write_array(projection_path(root, generation), projection.packed())
    fsync_dir(root)
    manifest = dataclasses.replace(
        manifest,
        ann_bytes=ann.stat().st_size,
        labels_bytes=labels_bytes,
        vectors_bytes=vectors_bytes,
        projection_bytes=projection_bytes,
    )
    mapped = np.load(vectors_path(root, generation), mmap_mode="r", allow_pickle=False)
    return Segment(labels, mapped, generation, annoy, projection), manifest


def load_segment(root: Path, manifest: Manifest) -> Segment | None:
    """Memory-map the segment named by ``manifest``; None if its files are missing or inconsistent."""
    gen = manifest.generation
    sizes = {ann_path(root, gen): manifest.ann_bytes, projection_path(root, gen): manifest.projection_bytes}
    try:
        if any(path.stat().st_size != size for path, size in sizes.items()):
            return None
        projection = Projection.unpack(np.load(projection_path(root, gen), allow_pickle=False), manifest.components)
    except (OSError, ValueError):
        return None
    rows = load_rows(root, manifest)
    if rows is None or projection is None:
        return None
    labels, vectors = rows
    annoy = AnnoyIndex(projection.dims, "euclidean")
    try:
        annoy.load(str(ann_path(root, gen)))
    except OSError:
        return None
    if annoy.get_n_items() != manifest.count:
        annoy.unload()
        return None
    return Segment(labels, vectors, gen, annoy, projection)


class AnnoyBackend:
    """Sealed segments as Annoy trees over the leading principal components, re-ranked on the full vectors."""

    name = NAME

    build = staticmethod(build_segment)
    load = staticmethod(load_segment)
