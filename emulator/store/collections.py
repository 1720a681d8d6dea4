"""Collections and their tags in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from emulator.store.db import Database
from emulator.store.records import CollectionRecord

_COLUMNS = "id, account, region, collection_id, created, face_model_version"


def _record(row: sqlite3.Row | tuple[object, ...]) -> CollectionRecord:
    """Build a record from a row of _COLUMNS."""
    pk, account, region, collection_id, created, version = row
    return CollectionRecord(int(pk), str(account), str(region), str(collection_id), float(created), str(version))  # type: ignore[arg-type]


class CollectionStore:
    """Create, find, list and delete collections, and keep their tags."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self, account: str, region: str, collection_id: str, created: float, version: str, tags: Mapping[str, str]
    ) -> CollectionRecord | None:
        """Insert a collection; None when it already exists."""
        with self.db.transaction() as conn:
            try:
                cur = conn.execute(
                    "INSERT INTO collections (account, region, collection_id, created, face_model_version)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (account, region, collection_id, created, version),
                )
            except sqlite3.IntegrityError:
                return None
            pk = int(cur.lastrowid or 0)
            conn.executemany(
                "INSERT INTO tags (collection, key, value) VALUES (?, ?, ?)", [(pk, k, v) for k, v in tags.items()]
            )
        return CollectionRecord(pk, account, region, collection_id, created, version)

    def get(self, account: str, region: str, collection_id: str) -> CollectionRecord | None:
        """Find a collection of an account in a region."""
        with self.db.reading() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM collections WHERE account = ? AND region = ? AND collection_id = ?",
                (account, region, collection_id),
            ).fetchone()
        return _record(row) if row else None

    def page(self, account: str, region: str, after: str | None, limit: int) -> list[CollectionRecord]:
        """Return up to limit collections sorted by id, starting after the given id."""
        with self.db.reading() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM collections WHERE account = ? AND region = ? AND collection_id > ?"
                " ORDER BY collection_id LIMIT ?",
                (account, region, after or "", limit),
            ).fetchall()
        return [_record(r) for r in rows]

    def all(self) -> list[CollectionRecord]:
        """Return every collection of every account."""
        with self.db.reading() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM collections ORDER BY id").fetchall()
        return [_record(r) for r in rows]

    def delete(self, pk: int) -> bool:
        """Delete a collection with its faces, users and tags; False when it was already gone."""
        with self.db.transaction() as conn:
            for table in ("faces", "users", "tags", "idempotency"):
                conn.execute(f"DELETE FROM {table} WHERE collection = ?", (pk,))
            cur = conn.execute("DELETE FROM collections WHERE id = ?", (pk,))
        return cur.rowcount > 0

    def counts(self, pk: int) -> tuple[int, int]:
        """Return (faces, users) of a collection."""
        with self.db.reading() as conn:
            faces = conn.execute("SELECT COUNT(*) FROM faces WHERE collection = ?", (pk,)).fetchone()[0]
            users = conn.execute("SELECT COUNT(*) FROM users WHERE collection = ?", (pk,)).fetchone()[0]
        return int(faces), int(users)

    def tags(self, pk: int) -> dict[str, str]:
        """Return a collection's tags."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT key, value FROM tags WHERE collection = ? ORDER BY key", (pk,)).fetchall()
        return {str(k): str(v) for k, v in rows}

    def tag(self, pk: int, tags: Mapping[str, str], limit: int) -> bool:
        """Add or replace tags; False (nothing changed) when the result would exceed limit tags."""
        with self.db.transaction() as conn:
            existing = {str(r[0]) for r in conn.execute("SELECT key FROM tags WHERE collection = ?", (pk,))}
            if len(existing | set(tags)) > limit:
                return False
            conn.executemany(
                "INSERT OR REPLACE INTO tags (collection, key, value) VALUES (?, ?, ?)",
                [(pk, k, v) for k, v in tags.items()],
            )
        return True

    def untag(self, pk: int, keys: Sequence[str]) -> None:
        """Remove tags by key; unknown keys are ignored."""
        with self.db.transaction() as conn:
            conn.executemany("DELETE FROM tags WHERE collection = ? AND key = ?", [(pk, k) for k in keys])
