"""One SQLite connection per store, its schema, version and migrations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TypeVar

SCHEMA_VERSION = 1
DB_FILE = "emulator.sqlite3"
T = TypeVar("T")


def in_chunks(values: Sequence[T], size: int = 500) -> Iterator[tuple[list[T], str]]:
    """Yield slices of values with their SQL placeholders, under SQLite's limit on parameters."""
    for start in range(0, len(values), size):
        chunk = list(values[start:start + size])
        yield chunk, ",".join("?" * len(chunk))


class StoreVersionError(Exception):
    """The data directory was written by a newer emulator."""


def _schema_sql() -> str:
    """Return the schema script shipped with the package."""
    return resources.files("emulator.store").joinpath("schema.sql").read_text(encoding="utf-8")


class Database:
    """A thread-safe SQLite connection: one connection, one lock, short transactions."""

    def __init__(self, data_dir: Path | None) -> None:
        if data_dir is None:
            self.path: Path | None = None
            target = ":memory:"
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            self.path = data_dir / DB_FILE
            target = str(self.path)
        self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._conn.execute("PRAGMA foreign_keys = ON")
        if self.path is not None:
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        """Create the schema, or check and upgrade an existing one."""
        with self.transaction() as conn:
            for statement in _schema_sql().split(";"):
                lines = [ln for ln in statement.splitlines() if not ln.startswith("--")]
                if "".join(lines).strip():
                    conn.execute("\n".join(lines))
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreVersionError(
                    f"data directory has schema version {row[0]}; this emulator knows up to {SCHEMA_VERSION}"
                )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for one IMMEDIATE transaction, committed on success and rolled back on error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for a consistent read."""
        with self._lock:
            yield self._conn

    def schema_version(self) -> int:
        """Return the schema version recorded in the data directory."""
        with self.reading() as conn:
            return int(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
