"""The index's vector size, and its tuning parameters (a setting of the instance: emulator.config owns them)."""

from __future__ import annotations

from emulator.config import INDEX_ENV_PREFIX as ENV_PREFIX
from emulator.config import IndexParams
from emulator.limits import DESCRIPTOR_SIZE

DIM = DESCRIPTOR_SIZE

__all__ = ["DIM", "ENV_PREFIX", "IndexParams"]
