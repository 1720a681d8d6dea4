"""IndexRegistry: one CollectionIndex per key, opened lazily, with one background rebuild thread."""

from __future__ import annotations

import logging
import re
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

from emulator.index.annoy_segment import AnnoyBackend
from emulator.index.collection import CollectionIndex
from emulator.index.loader import open_collection
from emulator.index.params import IndexParams
from emulator.index.rebuild import Rebuilder
from emulator.index.segment_backend import SegmentBackend
from emulator.index.source import VectorSource

log = logging.getLogger(__name__)

_KEY = re.compile(r"[A-Za-z0-9_.-]{1,128}")


class _Slot:
    """A key's index and the lock that serialises opening it (other keys are not held up)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: CollectionIndex | None = None


class IndexRegistry:
    """The face indexes of one emulator instance; ``root`` None keeps everything in memory.

    ``backend`` builds and loads the sealed segments (default: Annoy).
    """

    def __init__(
        self, root: Path | None, params: IndexParams | None = None, backend: SegmentBackend | None = None
    ) -> None:
        self.root = root
        self.params = params or IndexParams()
        self.backend: SegmentBackend = backend or AnnoyBackend()
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}
        self._rebuilder = Rebuilder(self.params.build_jobs)
        self._closed = False

    def open(self, key: str, source: VectorSource) -> CollectionIndex:
        """Return the cached index of ``key``, loading or rebuilding it from ``source`` on first use."""
        directory = self._directory(key)
        with self._lock:
            if self._closed:
                raise RuntimeError("index registry is closed")
            slot = self._slots.setdefault(key, _Slot())
        with slot.lock:
            if slot.index is None:
                slot.index = open_collection(directory, source, self.params, self.backend, self._rebuilder)
            return slot.index

    def drop(self, key: str) -> None:
        """Forget the index of a deleted collection and remove its files."""
        directory = self._directory(key)
        with self._lock:
            slot = self._slots.pop(key, None)
        if slot is not None:
            with slot.lock:
                _stop(slot.index)
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    def sweep(self, keep: Iterable[str]) -> list[str]:
        """Remove the files of every index whose key is not in ``keep`` and not open; return the keys removed."""
        if self.root is None or not self.root.is_dir():
            return []
        kept = set(keep)
        with self._lock:
            kept.update(self._slots)
        removed = []
        for entry in sorted(self.root.iterdir()):
            if entry.is_dir() and _KEY.fullmatch(entry.name) and entry.name not in kept:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry.name)
        if removed:
            log.info("removed the index files of %d collection(s) no longer in the store", len(removed))
        return removed

    def close(self) -> None:
        """Cancel pending rebuilds, wait for a running one, and join the rebuild thread."""
        with self._lock:
            self._closed = True
            slots = list(self._slots.values())
            self._slots.clear()
        for slot in slots:
            if slot.index is not None:
                slot.index.cancel.set()
        self._rebuilder.close()
        for slot in slots:
            with slot.lock:
                _stop(slot.index)

    def _directory(self, key: str) -> Path | None:
        """Return the directory of ``key``'s files (None in memory); rejects unsafe keys."""
        if not _KEY.fullmatch(key) or key in (".", ".."):
            raise ValueError(f"index key must be a filesystem-safe name: {key!r}")
        return None if self.root is None else self.root / key


def _stop(index: CollectionIndex | None) -> None:
    """Cancel the index's rebuilds and wait until none is running."""
    if index is not None:
        index.cancel.set()
        with index.fold_mutex:
            pass
