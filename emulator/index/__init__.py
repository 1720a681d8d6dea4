"""Face index: nearest descriptors per collection, over a sealed segment, a growing buffer and tombstones.

Per collection (the Lucene/Milvus segment pattern; ``CollectionIndex``):
- a *sealed segment* (``SealedSegment``, segment_backend.py): built once from the descriptors and their
  labels, memory-mapped from files named by ``manifest.json`` (``gen-N.*``), searched for the k nearest.
  A ``SegmentBackend`` builds and loads them: Annoy trees over the descriptors' leading principal
  components, re-ranked on the full vectors (annoy_segment.py, the default), or brute force
  (exact_segment.py). Small collections have none: below ``exact_below`` faces everything is buffered.
- a *growing buffer* (buffer.py): the faces written since the segment was built, searched exactly (numpy).
- *tombstones*: labels deleted since; a search asks the segment for k + tombstones and drops them.
A search reads an immutable ``Snapshot`` (state.py) without a lock and merges segment and buffer by distance.

The store (SQLite, a ``VectorSource``) is the truth and the files are a rebuildable cache. When the buffer
outgrows ``buffer_limit`` or too much of the segment is deleted, one background thread (rebuild.py) reads
every live descriptor from the source, builds generation N+1 off-lock (temp files, fsync, os.replace, then
the manifest) and swaps it in under the collection's RLock; writes made meanwhile stay in the buffer and
tombstones. Opening a collection (loader.py) reuses the manifest's generation when its files check out,
with tombstones and buffer read from the source; anything else is rebuilt from the source.

Tuning: ``IndexParams`` (a setting, emulator.config; ``EMULATOR_INDEX_<FIELD>`` variables). The defaults
were chosen by measurement: figures and how to reproduce them in scripts/bench_index.md.
"""

from __future__ import annotations

from emulator.index.annoy_segment import AnnoyBackend
from emulator.index.collection import CollectionIndex
from emulator.index.exact_segment import ExactBackend
from emulator.index.params import IndexParams
from emulator.index.registry import IndexRegistry
from emulator.index.segment_backend import SealedSegment, SegmentBackend
from emulator.index.source import VectorSource

__all__ = [
    "AnnoyBackend",
    "CollectionIndex",
    "ExactBackend",
    "IndexParams",
    "IndexRegistry",
    "SealedSegment",
    "SegmentBackend",
    "VectorSource",
]
