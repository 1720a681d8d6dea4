"""Faces and their descriptors in SQLite; also the index's vector source."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from emulator.limits import DESCRIPTOR_SIZE as DIMENSIONS
from emulator.store.db import Database, in_chunks
from emulator.store.records import FaceRecord, NewFace, Vector

_COLUMNS = (
    "id, face_id, image_id, external_image_id, box_left, box_top, box_width, box_height,"
    " confidence, user_id, model_version"
)


def _record(row: Sequence[object]) -> FaceRecord:
    """Build a record from a row of _COLUMNS."""
    return FaceRecord(
        int(row[0]),  # type: ignore[call-overload]
        str(row[1]),
        str(row[2]),
        None if row[3] is None else str(row[3]),
        float(row[4]),  # type: ignore[arg-type]
        float(row[5]),  # type: ignore[arg-type]
        float(row[6]),  # type: ignore[arg-type]
        float(row[7]),  # type: ignore[arg-type]
        float(row[8]),  # type: ignore[arg-type]
        None if row[9] is None else str(row[9]),
        str(row[10]),
    )


def _blob(vector: Vector) -> bytes:
    """Serialise a descriptor as little-endian float32."""
    return np.asarray(vector, dtype="<f4").reshape(DIMENSIONS).tobytes()


class CollectionGone(Exception):
    """The collection was deleted while faces were being stored into it."""


class FaceStore:
    """Store, find, page and delete the faces of a collection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, collection: int, faces: Sequence[NewFace]) -> list[FaceRecord]:
        """Insert faces in one transaction and return them with their labels."""
        out: list[FaceRecord] = []
        try:
            with self.db.transaction() as conn:
                for f in faces:
                    cur = conn.execute(
                        "INSERT INTO faces (collection, face_id, image_id, external_image_id, box_left, box_top,"
                        " box_width, box_height, confidence, descriptor, model_version)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (collection, f.face_id, f.image_id, f.external_image_id, f.left, f.top, f.width, f.height,
                         f.confidence, _blob(f.descriptor), f.model_version),
                    )
                    out.append(FaceRecord(int(cur.lastrowid or 0), f.face_id, f.image_id, f.external_image_id, f.left,
                                          f.top, f.width, f.height, f.confidence, None, f.model_version))
        except sqlite3.IntegrityError as err:  # the collection row is gone (foreign key)
            raise CollectionGone(str(collection)) from err
        return out

    def of_image(self, collection: int, image_id: str, external_image_id: str | None) -> list[FaceRecord]:
        """Return the faces already stored from this image with this external id."""
        with self.db.reading() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM faces WHERE collection = ? AND image_id = ?"
                " AND external_image_id IS ? ORDER BY id",
                (collection, image_id, external_image_id),
            ).fetchall()
        return [_record(r) for r in rows]

    def by_face_ids(self, collection: int, face_ids: Iterable[str]) -> dict[str, FaceRecord]:
        """Return the known faces among face_ids, keyed by FaceId."""
        ids = list(dict.fromkeys(face_ids))
        found: dict[str, FaceRecord] = {}
        with self.db.reading() as conn:
            for chunk, marks in in_chunks(ids):
                for row in conn.execute(
                    f"SELECT {_COLUMNS} FROM faces WHERE collection = ? AND face_id IN ({marks})", (collection, *chunk)
                ):
                    rec = _record(row)
                    found[rec.face_id] = rec
        return found

    def by_labels(self, labels: Sequence[int]) -> dict[int, FaceRecord]:
        """Return the faces with these labels, keyed by label (missing ones left out)."""
        found: dict[int, FaceRecord] = {}
        with self.db.reading() as conn:
            for chunk, marks in in_chunks([int(x) for x in labels]):
                for row in conn.execute(f"SELECT {_COLUMNS} FROM faces WHERE id IN ({marks})", chunk):
                    rec = _record(row)
                    found[rec.label] = rec
        return found

    def descriptor(self, collection: int, face_id: str) -> Vector | None:
        """Return the descriptor of one face."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT descriptor FROM faces WHERE collection = ? AND face_id = ?", (collection, face_id)
            ).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype="<f4").astype(np.float32)

    def descriptors(self, labels: Sequence[int]) -> dict[int, Vector]:
        """Return the descriptors of those labels still stored, keyed by label."""
        rows: dict[int, bytes] = {}
        with self.db.reading() as conn:
            for chunk, marks in in_chunks([int(x) for x in labels]):
                rows.update(conn.execute(f"SELECT id, descriptor FROM faces WHERE id IN ({marks})", chunk).fetchall())
        return {int(label): np.frombuffer(blob, dtype="<f4").astype(np.float32) for label, blob in rows.items()}

    def page(
        self, collection: int, after: str | None, limit: int, user_id: str | None, face_ids: Sequence[str] | None
    ) -> list[FaceRecord]:
        """Return up to limit faces sorted by FaceId after the given one, optionally filtered."""
        sql = f"SELECT {_COLUMNS} FROM faces WHERE collection = ? AND face_id > ?"
        args: list[object] = [collection, after or ""]
        if user_id is not None:
            sql += " AND user_id = ?"
            args.append(user_id)
        if face_ids is not None:
            sql += f" AND face_id IN ({','.join('?' * len(face_ids))})"
            args.extend(face_ids)
        sql += " ORDER BY face_id LIMIT ?"
        args.append(limit)
        with self.db.reading() as conn:
            return [_record(r) for r in conn.execute(sql, args).fetchall()]

    def delete(self, collection: int, face_ids: Sequence[str]) -> list[FaceRecord]:
        """Delete faces not associated with a user; return the deleted ones."""
        with self.db.transaction() as conn:
            doomed = []
            for face_id in face_ids:
                row = conn.execute(
                    f"SELECT {_COLUMNS} FROM faces WHERE collection = ? AND face_id = ? AND user_id IS NULL",
                    (collection, face_id),
                ).fetchone()
                if row is not None:
                    doomed.append(_record(row))
            conn.executemany("DELETE FROM faces WHERE id = ?", [(f.label,) for f in doomed])
        return doomed

    def count(self, collection: int) -> int:
        """Return how many faces a collection holds."""
        with self.db.reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM faces WHERE collection = ?", (collection,)).fetchone()[0])

    def import_vectors(self, collection: int, vectors: npt.NDArray[np.float32], model_version: str,
                       batch: int = 20000) -> int:
        """Store one face per row with ExternalImageId equal to the row number; return rows stored."""
        vecs = np.ascontiguousarray(vectors, dtype="<f4")
        for start in range(0, len(vecs), batch):
            rows = [
                (collection, str(uuid.uuid4()), str(uuid.uuid4()), str(start + i), 0.0, 0.0, 1.0, 1.0, 100.0,
                 vecs[start + i].tobytes(), model_version)
                for i in range(min(batch, len(vecs) - start))
            ]
            with self.db.transaction() as conn:
                conn.executemany(
                    "INSERT INTO faces (collection, face_id, image_id, external_image_id, box_left, box_top,"
                    " box_width, box_height, confidence, descriptor, model_version)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        return len(vecs)


class CollectionVectors:
    """The vector source one collection's index is rebuilt and reconciled from."""

    def __init__(self, db: Database, collection: int) -> None:
        self.db = db
        self.collection = collection

    def live_labels(self, upto: int) -> npt.NDArray[np.int64]:
        """Return the labels of live faces up to and including upto."""
        with self.db.reading() as conn:
            low, high, count = conn.execute(
                "SELECT min(id), max(id), count(*) FROM faces WHERE collection = ? AND id <= ?", (self.collection, upto)
            ).fetchone()
            if not count:
                return np.empty(0, dtype=np.int64)
            if int(high) - int(low) + 1 == int(count):  # no gaps (a bulk import, no deletions): skip 1M row objects
                return np.arange(int(low), int(high) + 1, dtype=np.int64)
            rows = conn.execute(
                "SELECT id FROM faces WHERE collection = ? AND id <= ? ORDER BY id", (self.collection, upto)
            ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def vectors_after(self, after: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Return (labels, vectors) of live faces with a label above after, ascending."""
        with self.db.reading() as conn:
            # After a segment's last label, walk the rowid range (the recent rows) rather than the whole collection.
            sql = ("SELECT id, descriptor FROM faces WHERE id > ? AND +collection = ? ORDER BY id" if after > 0 else
                   "SELECT id, descriptor FROM faces WHERE id > ? AND collection = ? ORDER BY id")
            rows = conn.execute(sql, (after, self.collection)).fetchall()
        labels = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").astype(np.float32)
        return labels, vectors.reshape(len(rows), DIMENSIONS)
