"""The services operation handlers work with: store, indexes, engine, image reader."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.index import CollectionIndex, IndexRegistry
from emulator.limits import DecodeBudget, Quotas
from emulator.ops.pagination import TokenCodec
from emulator.store import CollectionRecord, Store

if TYPE_CHECKING:
    from emulator.engine import Engine

FACE_MODEL_VERSION = "7.0"
S3Reader = Callable[[str, str, str, "str | None"], bytes]


@dataclass
class Runtime:
    """Long-lived services shared by every request of one emulator instance."""

    store: Store
    indexes: IndexRegistry
    engine_factory: Callable[[], Engine]
    s3_reader: S3Reader
    tokens: TokenCodec = field(default_factory=TokenCodec)
    quotas: Quotas = field(default_factory=Quotas)
    decode_budget: DecodeBudget = field(default_factory=DecodeBudget)
    _engine: Engine | None = None
    _engine_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def engine(self) -> Engine:
        """Return the face engine, created on first use."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = self.engine_factory()
        return self._engine

    def index(self, collection: CollectionRecord) -> CollectionIndex:
        """Return the search index of a collection, opening it from disk or the store."""
        return self.indexes.open(str(collection.pk), self.store.vectors(collection.pk))

    def close(self) -> None:
        """Stop background work and close the store."""
        self.indexes.close()
        self.store.close()
