"""SQLite persistence: the source of truth for collections, faces and users."""

from __future__ import annotations

from pathlib import Path

from emulator.store.collections import CollectionStore
from emulator.store.db import SCHEMA_VERSION, Database, StoreVersionError
from emulator.store.faces import CollectionGone, CollectionVectors, FaceStore
from emulator.store.records import CollectionRecord, FaceRecord, NewFace, UserRecord
from emulator.store.users import UserFaceLimit, UserNotFound, UserStore
from emulator.store.video_jobs import ResultItem, VideoJob, VideoJobStore

__all__ = [
    "SCHEMA_VERSION", "CollectionGone", "CollectionRecord", "CollectionStore", "CollectionVectors", "Database",
    "FaceRecord", "FaceStore", "NewFace", "Store", "StoreVersionError", "UserFaceLimit", "UserNotFound", "UserRecord",
    "UserStore", "ResultItem", "VideoJob", "VideoJobStore",
]


class Store:
    """All repositories over one database."""

    def __init__(self, data_dir: Path | None) -> None:
        self.db = Database(data_dir)
        self.collections = CollectionStore(self.db)
        self.faces = FaceStore(self.db)
        self.users = UserStore(self.db)
        self.video_jobs = VideoJobStore(self.db)

    def vectors(self, collection: int) -> CollectionVectors:
        """Return the vector source of one collection."""
        return CollectionVectors(self.db, collection)

    def close(self) -> None:
        """Close the database."""
        self.db.close()
