"""The services operation handlers work with: store, indexes, engine, image reader."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from emulator.index import CollectionIndex, IndexRegistry
from emulator.limits import DecodeBudget, Quotas
from emulator.ops.pagination import TokenCodec
from emulator.store import CollectionRecord, Store

if TYPE_CHECKING:
    from emulator.engine import Engine

FACE_MODEL_VERSION = "7.0"


class S3Reader(Protocol):
    """Reads an S3Object image: (account, bucket, key, version), from a bucket in the request's region."""

    def __call__(self, account: str, bucket: str, key: str, version: str | None, *, region: str) -> bytes:
        """Return the object's bytes, or raise S3ObjectUnavailable / S3ObjectTooLarge."""
        ...


class S3Copier(Protocol):
    """Copies an S3Object video of at most max_bytes to a file, as S3Reader reads it, without holding it in memory."""

    def __call__(self, account: str, bucket: str, key: str, version: str | None, dest: Path, max_bytes: int, *,
                 region: str) -> None:
        """Write the object to dest, or raise S3ObjectUnavailable / S3ObjectTooLarge."""
        ...


class VideoJobPool(Protocol):
    """The stored-video job pool as handlers and the app use it (emulator.ops.video.jobs.VideoJobs)."""

    def start(self) -> None:
        """Start the workers and queue the jobs a previous run left unfinished."""
        ...

    def keep_video(self, job_id: str, write: Callable[[Path], None]) -> Path:
        """Have `write` fill the job's video file; its path."""
        ...

    def submit(self, job_id: str) -> None:
        """Queue a job stored IN_PROGRESS."""
        ...

    def reset(self) -> None:
        """Forget every job."""
        ...

    def close(self) -> None:
        """Stop the workers, leaving running jobs to be resumed."""
        ...


class TopicPublisher(Protocol):
    """Publishes a message to an SNS topic of (account, region): a video job's completion status."""

    def __call__(self, account: str, region: str, topic_arn: str, message: str) -> None:
        """Publish, or raise when the topic is not the account's in that region."""
        ...


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
    video_reader: S3Copier | None = None  # S3Object videos (up to 10 GB) to files; None: videos are refused
    publisher: TopicPublisher | None = None  # NotificationChannel topics; None: nothing is published
    video: VideoJobPool | None = None  # the stored-video job pool (emulator.ops.video.jobs), set by the app
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

    @property
    def engine_loaded(self) -> bool:
        """Whether the engine has been created (by a request or by the server's warm-up)."""
        return self._engine is not None

    def index(self, collection: CollectionRecord) -> CollectionIndex:
        """Return the search index of a collection, opening it from disk or the store."""
        return self.indexes.open(str(collection.pk), self.store.vectors(collection.pk))

    def reset(self) -> None:
        """Forget every account's collections with their faces, users, tags, idempotency records and indexes."""
        for record in self.store.collections.all():
            self.store.collections.delete(record.pk)
            self.indexes.drop(str(record.pk))
        self.tokens.forget()
        if self.video is not None:
            self.video.reset()

    def close(self) -> None:
        """Stop background work and close the store."""
        if self.video is not None:
            self.video.close()
        self.indexes.close()
        self.store.close()
