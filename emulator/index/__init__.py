"""Face index: sealed Annoy segments + an exact numpy buffer + tombstones, rebuilt in the background.

Per collection (the Lucene/Milvus segment pattern): one sealed, memory-mapped Annoy segment
(``gen-N.ann`` + ``gen-N.labels.npy``, named by ``manifest.json``), a growing buffer searched exactly,
and tombstones. SQLite (a ``VectorSource``) is the truth; files are a rebuildable cache. A background
thread folds the buffer and drops tombstones into generation N+1 (temp files, fsync, os.replace, then
the manifest), then swaps it in under the collection's RLock; searches read an immutable snapshot.

Defaults (``IndexParams``; override with the constructor or ``IndexParams.from_env(os.environ)``,
variables ``EMULATOR_INDEX_<FIELD>``), measured on this 2-core machine (shared, so latencies are noisy)
with ``emulator.index.synthetic`` descriptors, k=100, max_distance=0.6:

- ``exact_below`` = ``buffer_limit`` = 20,000: numpy exact search costs 0.03 ms at 500 rows,
  0.14 ms at 10k, 0.23 ms at 20k, then 2.1 ms at 50k and 4.4 ms at 100k (out of cache); Annoy with
  the same recall needs 0.2-1 ms. Below 20k rows exact search is as fast and has recall 1.
- ``n_trees`` = 10: Annoy build of 1M×128 takes 15 s with 10 trees (+15 s of add_item), 66 s with 30.
  At 100k, 20 trees gave no recall gain over 10 at equal search time.
- ``search_k`` = 4,000: at 100k faces, recall@1 0.983 / 0.992 / 0.999 / 1.000 for search_k 1k / 2k /
  4k / 8k at p50 0.38 / 0.67 / 1.2 / 2.2 ms.
- ``tombstone_fraction`` = 0.1: a search asks Annoy for k + tombstones, so deletions cost search time.
- Background rebuilds use one Annoy build thread (``build_jobs``), leaving a core for requests;
  ``rebuild_now`` uses all cores.

The figures above were taken on the first synthetic generator (no heavy tails: ~97 strangers within 0.6 of
a query at 1M). Re-measured (2026-11-23, same machine, shared with other test runs, so latencies are noisy)
with ``scripts/bench_index --queries 500 --sweep 10000,40000`` on descriptors calibrated on real dlib ones
(``synthetic``: ~0.12% of stranger pairs under 0.6, i.e. 750 strangers within 0.6 of a query at 1M):

- 100k, k=10: p50 1.1 ms, recall@1 0.994, same-identity recall 0.995; search_k 10k: 1.8 ms, 1.000 / 0.998.
  k=4096 (SearchFaces' default MaxFaces, so search_k = 41k): p50 9 ms, recall@1 1.000, same-identity
  1.000, all faces within 0.6 0.76 (136 per query).
- 1M, k=10: p50 1.1 ms, recall@1 0.974, same-identity 0.948; search_k 10k: p50 2.3 ms, 0.990 / 0.981;
  search_k 40k: ~15 ms, 1.000 / 0.998. k=4096: p50 15-19 ms, recall@1 1.000, same-identity 0.998, all
  within 0.6 0.36 (750 per query: finding scattered strangers means visiting much of the collection).
- A raw Annoy sweep at 1M (decay-0.2 variant) with 30 trees bought +0.02-0.03 recall@1 at equal search_k
  for 3× the build time.
  search_k stays 4,000: 10,000 reaches recall@1 0.99 at 1M for ~2× the latency (p50 ~2.3 ms).
"""

from __future__ import annotations

from emulator.index.collection import CollectionIndex
from emulator.index.params import IndexParams
from emulator.index.registry import IndexRegistry
from emulator.index.source import VectorSource

__all__ = ["CollectionIndex", "IndexParams", "IndexRegistry", "VectorSource"]
