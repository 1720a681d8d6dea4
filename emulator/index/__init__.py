"""Face index: sealed Annoy segments + an exact numpy buffer + tombstones, rebuilt in the background.

Per collection (the Lucene/Milvus segment pattern): one sealed, memory-mapped segment named by
``manifest.json`` (``gen-N.ann``: Annoy trees over the descriptors' 32 leading principal components;
``gen-N.vectors.npy``: the full descriptors, which re-rank Annoy's candidates exactly;
``gen-N.projection.npy`` and ``gen-N.labels.npy``), a growing buffer searched exactly, and tombstones.
SQLite (a ``VectorSource``) is the truth; files are a rebuildable cache. A background thread folds the
buffer and drops tombstones into generation N+1 (temp files, fsync, os.replace, then the manifest), then
swaps it in under the collection's RLock; searches read an immutable snapshot.

Defaults (``IndexParams``; override with the constructor or ``IndexParams.from_env(os.environ)``,
variables ``EMULATOR_INDEX_<FIELD>``), measured on this 2-core machine (shared, so latencies are noisy)
with ``emulator.index.synthetic`` descriptors, k=100, max_distance=0.6:

- ``exact_below`` = ``buffer_limit`` = 20,000: numpy exact search costs 0.03 ms at 500 rows,
  0.14 ms at 10k, 0.23 ms at 20k, then 2.1 ms at 50k and 4.4 ms at 100k (out of cache); Annoy with
  the same recall needs 0.2-1 ms. Below 20k rows exact search is as fast and has recall 1.
- ``dims`` = 32, ``n_trees`` = 20, ``search_k`` = 7,000: chosen at 1M (2026-11-29, quiet machine,
  ``scripts/bench_index --sizes 1000000 --queries 1000 --k 10 --sweep ...``; recall@1 counts the queries
  whose exact nearest face is within 0.6, 996 of 1,000). Trees on all 128 dimensions needed search_k
  8,000 for recall@1 0.991 (p50 1.4 ms; 10 trees: 10,000 and 2.3 ms; 30 trees no better than 20). Trees on
  the 32 leading components, each search re-ranking its best ``n + 200`` candidates on the full vectors:
  search_k 2,000 / 3,000 / 5,000 / 7,000 / 10,000 give recall@1 0.986 / 0.991 / 0.998 / 1.000 / 1.000 and
  same-identity recall 0.971 / 0.980 / 0.989 / 0.992 / 0.995 at p50 0.37 / 0.49 / 0.74-0.90 / 1.1 / 1.9 ms.
  Low-dimensional trees separate the data better; the re-rank makes the distances exact. 10 trees at
  search_k 5,000: 0.992 / 0.983 at 0.84 ms; 40 trees: 0.999 / 0.993 at 1.06 ms (build 27 s, 1,096 MiB).
  On more isotropic synthetic data (spectrum decay 0.2, 0.0 instead of 0.4) the 32-component trees still
  matched or beat 128-dimensional ones (search_k 8,000: 0.993 vs 0.977, 0.927 vs 0.940).
  Build of 1M: 14-20 s on all cores; 865 MiB on disk (Annoy 32-d + 512 MiB of float32 vectors).
- ``per_result`` = 10: a search for k neighbours inspects at least 10·k nodes (Annoy's own default is
  n_trees·k; tying it to the tree count would double the cost of MaxFaces=4096 for no genuine match).
- ``scan_ratio`` = 5: a segment holding at most 5 rows per node Annoy would inspect is scanned exactly
  (numpy over the memory-mapped vectors) and Annoy is not asked. Measured per query: the scan costs
  ~0.033 µs a row (3.4 ms at 100k, 32 ms at 1M), Annoy ~0.2 µs a node (41k nodes for MaxFaces=4096:
  7-8.5 ms). So SearchFaces' default MaxFaces is answered exactly, and faster, up to ~200k faces
  (100k: 3.3 ms instead of 7.2 ms, every face within 0.6 found instead of 74%); small k stays on Annoy.
  ``scan_ratio`` = 25 extends that to 1M (``--scan-ratio 25``: k=4096 p50 29 ms, every recall 1.000).
- ``tombstone_fraction`` = 0.1: a search asks Annoy for k + tombstones, so deletions cost search time.
- Background rebuilds use one Annoy build thread (``build_jobs``), leaving a core for requests;
  ``rebuild_now`` uses all cores.

Full run with the defaults (``scripts/bench_index --queries 1000``, same day; descriptors calibrated on
real dlib ones in ``synthetic``: ~0.12% of stranger pairs under 0.6):

- 10k (exact, no Annoy): p50 0.16 ms, every recall 1.000.
- 100k, k=10: p50 1.3 ms, recall@1 0.999, same-identity within 0.6 0.999. k=4096 (SearchFaces' default
  MaxFaces): exact scan, p50 3.3 ms, every recall 1.000 (134 faces within 0.6 per query).
- 200k, k=4096: exact scan, p50 6.2 ms, every recall 1.000 (measured with search_k 5,000).
- 1M, k=10: p50 1.1 ms (p99 1.6), recall@1 1.000, same-identity 0.992; build 16 s, restart 0.03 s. k=4096
  (41k Annoy nodes; a scan would take 32 ms): p50 8.8 ms, recall@1 1.000, same-identity 1.000, all faces
  within 0.6 0.35 (719 per query: the strangers under the threshold are scattered over the space, so
  finding them all means visiting much of the collection).
"""

from __future__ import annotations

from emulator.index.collection import CollectionIndex
from emulator.index.params import IndexParams
from emulator.index.registry import IndexRegistry
from emulator.index.source import VectorSource

__all__ = ["CollectionIndex", "IndexParams", "IndexRegistry", "VectorSource"]
