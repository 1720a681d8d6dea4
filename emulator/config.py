"""Settings of one emulator instance; the only reader of the process environment."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.limits import DECODE_BUDGET_PIXELS, DECODE_MAX_WAIT, Quotas

INDEX_DIR = "index"  # inside a data dir: the rebuildable index files
INDEX_ENV_PREFIX = "EMULATOR_INDEX_"  # EMULATOR_INDEX_<FIELD> variables override IndexParams' defaults
TOKEN_SECRET_FILE = "pagination.key"  # inside a data dir: the secret NextTokens are signed with
VIDEO_DIR = "videos"  # inside a data dir: videos of stored-video jobs not finished yet


def default_data_dir() -> Path:
    """Return the per-user data directory ($XDG_DATA_HOME/rekognition-emulator)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rekognition-emulator"


@dataclass(frozen=True)
class IndexParams:
    """The face index's tuning: how segments are built and searched, when the buffer is folded (see emulator.index)."""

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
            raw = environ.get(INDEX_ENV_PREFIX + f.name.upper())
            if raw is not None and raw.strip():
                changes[f.name] = float(raw) if f.type in ("float", float) else int(raw)
        return dataclasses.replace(params, **changes) if changes else params


@dataclass(frozen=True)
class ConnectionLimits:
    """How the HTTP server bounds connections: its worker threads, timeouts, and the drain on SIGINT/SIGTERM."""

    workers: int = 32  # request threads; further ready connections queue for one
    read_timeout: float = 20.0  # s a client may pause mid-headers or mid-body before it is dropped
    idle_timeout: float = 60.0  # s a connection may stay open without sending a request
    max_connections: int = 1024  # open connections; further ones wait in the listen backlog
    shutdown_grace: float = 30.0  # s in-flight requests get to finish after SIGINT/SIGTERM

    def __post_init__(self) -> None:
        """Refuse limits that cannot work."""
        if self.workers < 1 or self.max_connections < 1:
            raise ValueError("workers and max_connections must be at least 1")
        if min(self.read_timeout, self.idle_timeout) <= 0 or self.shutdown_grace < 0:
            raise ValueError("timeouts must be positive")


@dataclass(frozen=True)
class Settings:
    """Everything that configures one emulator instance."""

    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path | None = field(default_factory=default_data_dir)  # None: in memory
    accounts_file: Path | None = None
    policy_file: Path | None = None
    now: str | None = None  # ISO-8601 instant the policy clock starts from
    auth: bool = True
    moto_api: bool = False  # serve moto's /moto-api/* (every account's state, and a reset of all of it)
    detector: str = "retinaface"  # retinaface | hog | mmod (alias cnn); see emulator/engine/detectors
    descriptor: str = "onnx"  # onnx | dlib
    descriptor_threads: int = 2
    min_face_size: int = 40  # smallest face (px, in 1920x1080) detection looks for; larger is faster
    warm_up: bool = True  # the server loads and runs every model in the background from start-up
    moto_account_override: str | None = field(default_factory=lambda: os.environ.get("MOTO_ACCOUNT_ID"))
    quotas: Quotas = field(default_factory=Quotas)
    throttle_tps: float = 0.0  # requests a second per account, region and operation; 0 = no throttle
    decode_budget_pixels: int = DECODE_BUDGET_PIXELS  # pixels decoded at once, process-wide
    decode_max_wait: float = DECODE_MAX_WAIT  # seconds a decode waits for room before ThrottlingException
    index_params: IndexParams = field(default_factory=lambda: IndexParams.from_env(os.environ))
    connections: ConnectionLimits = field(default_factory=ConnectionLimits)
    video_workers: int = 1  # background threads analysing stored-video jobs

    @property
    def in_memory(self) -> bool:
        """True when nothing is written to disk."""
        return self.data_dir is None
