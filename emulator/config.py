"""Settings of one emulator instance; the only reader of the process environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from emulator.index.params import IndexParams
from emulator.limits import Quotas

INDEX_DIR = "index"  # inside a data dir: the rebuildable index files


def default_data_dir() -> Path:
    """Return the per-user data directory ($XDG_DATA_HOME/rekognition-emulator)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rekognition-emulator"


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
    detector: str = "hog"  # hog | mmod (dlib's CNN on onnxruntime; "cnn" is an alias)
    descriptor: str = "onnx"  # onnx | dlib
    descriptor_threads: int = 2
    min_face_size: int = 40  # smallest face (px, in 1920x1080) detection looks for; 80 skips upsampling
    moto_account_override: str | None = field(default_factory=lambda: os.environ.get("MOTO_ACCOUNT_ID"))
    quotas: Quotas = field(default_factory=Quotas)
    throttle_tps: float = 0.0  # requests a second per account, region and operation; 0 = no throttle
    index_params: IndexParams = field(default_factory=lambda: IndexParams.from_env(os.environ))

    @property
    def in_memory(self) -> bool:
        """True when nothing is written to disk."""
        return self.data_dir is None
