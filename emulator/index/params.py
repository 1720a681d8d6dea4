"""The index's vector size, and its tuning parameters (a setting of the instance: emulator.config owns them)."""

from __future__ import annotations

from emulator.config import INDEX_ENV_PREFIX as ENV_PREFIX
from emulator.config import IndexParams

DIM = 128

__all__ = ["DIM", "ENV_PREFIX", "IndexParams"]
