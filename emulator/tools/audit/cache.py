"""Descriptors (and Gender/AgeRange estimates) on disk, keyed by photo content and engine settings.

An interrupted evaluation resumes where it stopped, and a re-run with other groups or thresholds reads
every photo's result from here instead of running the engine again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCHEMA = """CREATE TABLE IF NOT EXISTS photo (
    content TEXT NOT NULL, settings TEXT NOT NULL, status TEXT NOT NULL, descriptor BLOB,
    has_attributes INTEGER NOT NULL, gender TEXT, gender_confidence REAL, age_low INTEGER, age_high INTEGER,
    PRIMARY KEY (content, settings))"""


@dataclass(frozen=True)
class Result:
    """One photo's outcome: status "face", "no face" or "unreadable", its descriptor and estimates."""

    status: str
    descriptor: np.ndarray | None = None
    has_attributes: bool = False
    gender: str | None = None
    gender_confidence: float | None = None
    age_low: int | None = None
    age_high: int | None = None


def default_path() -> Path:
    """$XDG_CACHE_HOME/emulator/evaluate.sqlite (~/.cache when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "emulator" / "evaluate.sqlite"


def content_key(data: bytes) -> str:
    """The SHA-256 of a photo's bytes: the same photo under another name or folder is the same entry."""
    return hashlib.sha256(data).hexdigest()


class DescriptorCache:
    """A SQLite file of Results; writes are committed every `batch` puts and on close."""

    def __init__(self, path: Path | None, settings: str, batch: int = 25) -> None:
        """Open (creating) the file; path None keeps nothing on disk."""
        self.settings = settings
        self._batch = batch
        self._pending = 0
        target = ":memory:" if path is None else str(path)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(target)
        self._db.execute(SCHEMA)

    def get(self, content: str) -> Result | None:
        """The stored result for this content under these settings, or None."""
        row = self._db.execute(
            "SELECT status, descriptor, has_attributes, gender, gender_confidence, age_low, age_high FROM photo "
            "WHERE content = ? AND settings = ?", (content, self.settings)).fetchone()
        if row is None:
            return None
        vector = None if row[1] is None else np.frombuffer(row[1], dtype=np.float32).copy()
        return Result(status=row[0], descriptor=vector, has_attributes=bool(row[2]), gender=row[3],
                      gender_confidence=row[4], age_low=row[5], age_high=row[6])

    def put(self, content: str, result: Result) -> None:
        """Store (replace) a result; committed in batches."""
        blob = None if result.descriptor is None else np.asarray(result.descriptor, dtype=np.float32).tobytes()
        self._db.execute("INSERT OR REPLACE INTO photo VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (content, self.settings, result.status, blob, int(result.has_attributes), result.gender,
                          result.gender_confidence, result.age_low, result.age_high))
        self._pending += 1
        if self._pending >= self._batch:
            self.flush()

    def flush(self) -> None:
        """Commit what was put so far."""
        self._db.commit()
        self._pending = 0

    def close(self) -> None:
        """Commit and close the file."""
        self.flush()
        self._db.close()
