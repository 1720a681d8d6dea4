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
- ``n_trees`` = 20, ``search_k`` = 8,000: chosen at 1M (2026-11-29, quiet machine, ``scripts/bench_index
  --sizes 1000000 --queries 1000 --k 10 --sweep 4000,8000``; recall@1 counts the queries whose exact
  nearest face is within 0.6, 996 of 1,000). With 10 trees search_k 4,000 gave recall@1 0.974 at
  1.1 ms and 10,000 gave 0.990 at 2.3 ms. With 20 trees: search_k 4,000 / 6,000 / 8,000 / 10,000 give
  recall@1 0.978 / 0.986 / 0.991 / ~0.993 at p50 0.79 / 1.1 / 1.4 / 1.8 ms; 30 trees matched 20 at equal
  search_k. 20 trees cost 26-31 s to build 1M (all cores) and 735 MiB on disk.
- ``per_result`` = 10: a search for k neighbours inspects at least 10·k nodes (Annoy's own default is
  n_trees·k; tying it to the tree count would double the cost of MaxFaces=4096 for no genuine match).
- ``tombstone_fraction`` = 0.1: a search asks Annoy for k + tombstones, so deletions cost search time.
- Background rebuilds use one Annoy build thread (``build_jobs``), leaving a core for requests;
  ``rebuild_now`` uses all cores.

Full run with the defaults (``scripts/bench_index --queries 1000``, same day; descriptors calibrated on
real dlib ones in ``synthetic``: ~0.12% of stranger pairs under 0.6):

- 10k (exact, no Annoy): p50 0.2 ms, every recall 1.000.
- 100k, k=10: p50 1.0 ms, recall@1 0.998, same-identity within 0.6 0.998. k=4096 (SearchFaces' default
  MaxFaces, so 41k nodes): p50 6.0 ms, recall@1 1.000, all faces within 0.6 0.76 (134 per query).
- 1M, k=10: p50 1.4 ms (p99 2.1), recall@1 0.991, same-identity 0.987; build 26 s, restart 0.02 s.
  k=4096: p50 7.7 ms, recall@1 0.998, same-identity 0.999, all faces within 0.6 0.38 (719 per query:
  the strangers under the threshold are scattered over the space, so finding them all means visiting
  much of the collection; an exact scan of 1M costs ~10 ms per query even batched).
"""

from __future__ import annotations

from emulator.index.collection import CollectionIndex
from emulator.index.params import IndexParams
from emulator.index.registry import IndexRegistry
from emulator.index.source import VectorSource

__all__ = ["CollectionIndex", "IndexParams", "IndexRegistry", "VectorSource"]
