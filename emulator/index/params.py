"""Tuning parameters of the face index, with defaults chosen by measurement (see emulator.index)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.limits import DESCRIPTOR_SIZE

DIM = DESCRIPTOR_SIZE
ENV_PREFIX = "EMULATOR_INDEX_"


@dataclass(frozen=True)
class IndexParams:
    """How segments are built and searched, and when the buffer is folded into a new segment."""

    n_trees: int = 20  # Annoy trees per segment
    dims: int = 32  # leading principal components the trees are built on; results are re-ranked on all 128
    search_k: int = 7_000  # Annoy nodes inspected per query (at least per_result * n requested)
    per_result: int = 10  # Annoy nodes inspected per requested neighbour when that exceeds search_k
    scan_ratio: float = 5.0  # scan a segment exactly when it holds at most this many rows per Annoy node
    buffer_limit: int = 20_000  # buffered rows that trigger a background rebuild
    exact_below: int = 20_000  # live faces under which there is no Annoy segment at all
    tombstone_fraction: float = 0.1  # deleted share of a segment that triggers a rebuild
    build_jobs: int = 1  # Annoy build threads for background rebuilds (-1: all cores)
    seed: int = 1  # Annoy tree seed, for reproducible segments

    @classmethod
    def from_env(cls, environ: Mapping[str, str], base: IndexParams | None = None) -> IndexParams:
        """Return ``base`` (or the defaults) overridden by EMULATOR_INDEX_<FIELD> variables of ``environ``."""
        params = base or cls()
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw.strip():
                changes[f.name] = float(raw) if f.type in ("float", float) else int(raw)
        return dataclasses.replace(params, **changes) if changes else params
