"""User vectors in SQLite: users, their faces (faces.user_id), idempotency records of their mutations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from emulator.store.db import Database, in_chunks
from emulator.store.records import UserRecord

CREATED = "CREATED"
ACTIVE = "ACTIVE"
MAX_FACES_PER_USER = 100


class UserNotFound(Exception):
    """The user does not exist (any more) in the collection."""


class UserFaceLimit(Exception):
    """The association would give the user more faces than allowed."""


def _status(conn: sqlite3.Connection, collection: int, user_id: str) -> str:
    """Return the status a user has with its current faces: ACTIVE with faces, CREATED without."""
    row = conn.execute(
        "SELECT 1 FROM faces WHERE collection = ? AND user_id = ? LIMIT 1", (collection, user_id)
    ).fetchone()
    return ACTIVE if row else CREATED


def _exists(conn: sqlite3.Connection, collection: int, user_id: str) -> bool:
    """Tell whether a user row exists."""
    row = conn.execute("SELECT 1 FROM users WHERE collection = ? AND user_id = ?", (collection, user_id))
    return row.fetchone() is not None


def _count(conn: sqlite3.Connection, collection: int, user_id: str) -> int:
    """Return how many faces a user has."""
    sql = "SELECT COUNT(*) FROM faces WHERE collection = ? AND user_id = ?"
    return int(conn.execute(sql, (collection, user_id)).fetchone()[0])


class RequestLog:
    """Responses of idempotent requests, keyed by (collection, operation, ClientRequestToken)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, collection: int, operation: str, token: str) -> tuple[str, str] | None:
        """Return (fingerprint, response JSON) of a recorded request."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT fingerprint, response FROM idempotency"
                " WHERE collection = ? AND operation = ? AND token = ?",
                (collection, operation, token),
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def put(self, collection: int, operation: str, token: str, fingerprint: str, response: str,
            now: float) -> None:
        """Record a request's response (the first record of a token wins)."""
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM collections WHERE id = ?", (collection,)).fetchone() is None:
                return  # the collection went away meanwhile: nothing to replay against
            conn.execute(
                "INSERT OR IGNORE INTO idempotency"
                " (collection, operation, token, fingerprint, response, created) VALUES (?, ?, ?, ?, ?, ?)",
                (collection, operation, token, fingerprint, response, now),
            )


class UserStore:
    """Create, find, list and delete users, and (dis)associate faces with them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.requests = RequestLog(db)

    def create(self, collection: int, user_id: str, created: float) -> UserRecord | None:
        """Insert a user without faces; None when it already exists."""
        with self.db.transaction() as conn:
            try:
                conn.execute(
                    "INSERT INTO users (collection, user_id, status, created) VALUES (?, ?, ?, ?)",
                    (collection, user_id, CREATED, created),
                )
            except sqlite3.IntegrityError:
                return None
        return UserRecord(user_id, CREATED, created)

    def get(self, collection: int, user_id: str) -> UserRecord | None:
        """Find a user of a collection."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT user_id, status, created FROM users WHERE collection = ? AND user_id = ?",
                (collection, user_id),
            ).fetchone()
        return None if row is None else UserRecord(str(row[0]), str(row[1]), float(row[2]))

    def statuses(self, collection: int, user_ids: Iterable[str]) -> dict[str, str]:
        """Return the status of each existing user among user_ids."""
        ids = list(dict.fromkeys(user_ids))
        out: dict[str, str] = {}
        with self.db.reading() as conn:
            for chunk, marks in in_chunks(ids):
                rows = conn.execute(
                    f"SELECT user_id, status FROM users WHERE collection = ? AND user_id IN ({marks})",
                    (collection, *chunk),
                )
                out.update((str(u), str(s)) for u, s in rows)
        return out

    def page(self, collection: int, after: str | None, limit: int) -> list[UserRecord]:
        """Return up to limit users sorted by UserId, starting after the given id."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT user_id, status, created FROM users WHERE collection = ? AND user_id > ?"
                " ORDER BY user_id LIMIT ?",
                (collection, after or "", limit),
            ).fetchall()
        return [UserRecord(str(u), str(s), float(c)) for u, s, c in rows]

    def face_labels(self, collection: int, user_id: str) -> list[int]:
        """Return the labels of a user's faces, ascending."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT id FROM faces WHERE collection = ? AND user_id = ? ORDER BY id", (collection, user_id)
            ).fetchall()
        return [int(r[0]) for r in rows]

    def delete(self, collection: int, user_id: str) -> bool:
        """Delete a user after freeing its faces; False when there was no such user."""
        with self.db.transaction() as conn:
            key = (collection, user_id)
            conn.execute("UPDATE faces SET user_id = NULL WHERE collection = ? AND user_id = ?", key)
            cur = conn.execute("DELETE FROM users WHERE collection = ? AND user_id = ?", key)
        return cur.rowcount > 0

    def associate(self, collection: int, user_id: str, face_ids: Sequence[str],
                  limit: int = MAX_FACES_PER_USER) -> tuple[list[str], str]:
        """Give the user those faces that belong to nobody; return (associated FaceIds, new status)."""
        return self._move(collection, user_id, face_ids, None, user_id, limit)

    def disassociate(self, collection: int, user_id: str, face_ids: Sequence[str]) -> tuple[list[str], str]:
        """Free those faces that belong to the user; return (disassociated FaceIds, new status)."""
        return self._move(collection, user_id, face_ids, user_id, None, None)

    def _move(self, collection: int, user_id: str, face_ids: Sequence[str], owner: str | None,
              new_owner: str | None, limit: int | None) -> tuple[list[str], str]:
        """Hand faces owned by owner to new_owner in one transaction; return (moved FaceIds, user's new status)."""
        done: list[str] = []
        with self.db.transaction() as conn:
            if not _exists(conn, collection, user_id):
                raise UserNotFound(user_id)
            for face_id in face_ids:
                cur = conn.execute(
                    "UPDATE faces SET user_id = ? WHERE collection = ? AND face_id = ? AND user_id IS ?",
                    (new_owner, collection, face_id, owner),
                )
                if cur.rowcount:
                    done.append(face_id)
            if limit is not None and _count(conn, collection, user_id) > limit:
                raise UserFaceLimit(user_id)  # rolls the whole call back
            status = self._set_status(conn, collection, user_id)
        return done, status

    @staticmethod
    def _set_status(conn: sqlite3.Connection, collection: int, user_id: str) -> str:
        """Store and return the status matching the user's faces."""
        status = _status(conn, collection, user_id)
        sql = "UPDATE users SET status = ? WHERE collection = ? AND user_id = ?"
        conn.execute(sql, (status, collection, user_id))
        return status
