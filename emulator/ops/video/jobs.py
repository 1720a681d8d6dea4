"""The stored-video job pool: a bounded set of worker threads analysing queued jobs, outside every request.

A job's video is copied from S3 into the scratch folder when it starts (the data dir's ``videos/``, or a
temporary folder in memory mode) and removed when the job ends. Results are written to the store while the
video is analysed, RESULT_BATCH items at a time (a long video's results are never all in memory); the outcome
is recorded when the analysis ends, then the completion status is published to the job's SNS topic. On
shutdown running analyses are cancelled and stay IN_PROGRESS; the next start of the same data dir queues them
again, and their runs start over.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.engine.video import VideoCancelled, VideoError, VideoFace, VideoMetadata, analyse
from emulator.ops.lookups import collection_missing
from emulator.ops.runtime import Runtime
from emulator.ops.video.results import (
    CollectionMissing,
    detection_items,
    engine_attributes,
    metadata_dict,
    search_collection,
    search_items,
)
from emulator.store import ResultItem, VideoJob, VideoJobStore
from emulator.store.video_jobs import FAILED, IN_PROGRESS, SUCCEEDED

log = logging.getLogger(__name__)

API_DETECTION = "FACE_DETECTION"
API_SEARCH = "FACE_SEARCH"
#: Rekognition Video's default quota of concurrent stored-video jobs per account.
MAX_CONCURRENT_JOBS = 20
LOST_MESSAGE = "The video of this job is no longer available. Start the job again."
INTERNAL_MESSAGE = "Internal server error"
JOIN_TIMEOUT = 30.0  # seconds close() waits for each worker after cancelling its analysis
#: Result items stored in one transaction while a job runs.
RESULT_BATCH = 500

Outcome = tuple[str, str | None, dict[str, Any] | None]
Render = Callable[[VideoMetadata, list[VideoFace]], list[ResultItem]]


class ResultWriter:
    """The analysis' sink: renders each analysed frame's faces to result items and stores them a batch at a time."""

    def __init__(self, store: VideoJobStore, job_id: str, render: Render, batch: int) -> None:
        self._store, self._job_id, self._render, self._batch = store, job_id, render, batch
        self._pending: list[ResultItem] = []
        self._written = 0

    def __call__(self, meta: VideoMetadata, faces: list[VideoFace]) -> None:
        """Take one analysed frame's faces."""
        self._pending.extend(self._render(meta, faces))
        if len(self._pending) >= self._batch:
            self.flush()

    def flush(self) -> None:
        """Store the pending items; VideoCancelled when the job was forgotten meanwhile (reset)."""
        if not self._pending:
            return
        if not self._store.add_results(self._job_id, self._written, self._pending):
            raise VideoCancelled()
        self._written += len(self._pending)
        self._pending = []


class VideoJobs:
    """Queue, run, persist and announce stored-video jobs on `workers` background threads."""

    def __init__(self, rt: Runtime, *, workers: int = 1, scratch: Path | None = None) -> None:
        if workers < 1:
            raise ValueError("video workers must be at least 1")
        self._rt = rt
        self._own_dir = scratch is None
        self._dir = Path(tempfile.mkdtemp(prefix="rekognition-video-")) if scratch is None else scratch
        self._dir.mkdir(parents=True, exist_ok=True)
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stop = threading.Event()
        self._dropped: set[str] = set()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, name=f"video-job-{i}", daemon=True)
                         for i in range(workers)]

    def start(self) -> None:
        """Queue the jobs a previous run left unfinished, drop stray scratch files, and start the workers."""
        unfinished = self._rt.store.video_jobs.unfinished()
        keep = {job.job_id for job in unfinished}
        for path in self._dir.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
        for job in unfinished:
            self._queue.put(job.job_id)
        for thread in self._threads:
            thread.start()

    def video_path(self, job_id: str) -> Path:
        """Where a job's video is kept while it is queued or running."""
        return self._dir / job_id

    def keep_video(self, job_id: str, write: Callable[[Path], None]) -> Path:
        """Have `write` fill a job's video file in the scratch folder (atomically: a crash leaves no half file)."""
        path = self.video_path(job_id)
        temp = path.with_name(f"{job_id}.tmp")
        try:
            write(temp)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        return path

    def submit(self, job_id: str) -> None:
        """Queue a job stored IN_PROGRESS."""
        self._queue.put(job_id)

    def reset(self) -> None:
        """Forget every job: cancel running analyses, drop queued ones and their videos."""
        ids = self._rt.store.video_jobs.delete_all()
        with self._lock:
            self._dropped.update(ids)
        for job_id in ids:
            self.video_path(job_id).unlink(missing_ok=True)

    def close(self) -> None:
        """Cancel running analyses (their jobs stay IN_PROGRESS, to resume) and stop the workers."""
        self._stop.set()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=JOIN_TIMEOUT)
                if thread.is_alive():
                    log.warning("video worker %s did not stop within %.0f s", thread.name, JOIN_TIMEOUT)
        if self._own_dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    def _work(self) -> None:
        """A worker: run queued jobs until close()."""
        while not self._stop.is_set():
            job_id = self._queue.get()
            if job_id is None or self._stop.is_set():
                return
            try:
                self.run(job_id)
            except Exception:  # noqa: BLE001 - one bad job must not end the worker
                log.exception("video job %s crashed its worker step", job_id)

    def _cancelled(self, job_id: str) -> bool:
        """Whether a job's analysis should stop now (shutdown, or the job was forgotten by a reset)."""
        if self._stop.is_set():
            return True
        with self._lock:
            return job_id in self._dropped

    def run(self, job_id: str) -> None:
        """Analyse one queued job, record its outcome, and announce it."""
        job = self._rt.store.video_jobs.get(job_id)
        if job is None or job.status != IN_PROGRESS:
            return
        try:
            status, message, metadata = self._outcome(job)
        except VideoCancelled:
            return  # shutdown: the job stays IN_PROGRESS and its video stays, for the next start
        finished = time.time()
        if not self._rt.store.video_jobs.finish(job_id, status, message, metadata, finished):
            return  # forgotten meanwhile (reset)
        self.video_path(job_id).unlink(missing_ok=True)
        self._notify(job, status, message, finished)

    def _outcome(self, job: VideoJob) -> Outcome:
        """Analyse the job's video, storing its results as they come: (status, status message, video metadata)."""
        path = self.video_path(job.job_id)
        if not path.exists():
            return FAILED, LOST_MESSAGE, None
        store = self._rt.store.video_jobs
        store.clear_results(job.job_id)  # a run a shutdown interrupted may have stored some
        search = job.api == API_SEARCH
        try:
            if search:
                record = search_collection(self._rt, job)

                def render(meta: VideoMetadata, faces: list[VideoFace]) -> list[ResultItem]:
                    """PersonMatch items of one frame, searched in the job's collection."""
                    return search_items(self._rt, job, record, meta, faces)
            else:
                render = detection_items
            writer = ResultWriter(store, job.job_id, render, RESULT_BATCH)
            analysis = analyse(path, self._rt.engine, attributes=engine_attributes(job.params.get("FaceAttributes")),
                               descriptors=search, cancelled=lambda: self._cancelled(job.job_id), sink=writer)
            writer.flush()
            if search and search_collection(self._rt, job).pk != record.pk:
                raise CollectionMissing(job.params["CollectionId"])  # deleted (and made again) meanwhile
        except VideoCancelled:
            raise
        except VideoError as exc:
            log.info("video job %s failed: %s", job.job_id, exc)
            return FAILED, exc.message, None
        except CollectionMissing as exc:
            return FAILED, collection_missing(str(exc)).message, None
        except Exception:  # noqa: BLE001 - a bug fails the job with AWS's generic message, never silently
            log.exception("video job %s failed", job.job_id)
            return FAILED, INTERNAL_MESSAGE, None
        return SUCCEEDED, None, metadata_dict(analysis.metadata)

    def _notify(self, job: VideoJob, status: str, message: str | None, finished: float) -> None:
        """Publish the completion status to the job's NotificationChannel topic, if it has one."""
        channel = job.params.get("NotificationChannel")
        if not channel or self._rt.publisher is None:
            return
        try:
            self._rt.publisher(job.account, job.region, channel["SNSTopicArn"],
                               completion_message(job, status, message, finished))
        except Exception:  # noqa: BLE001 - a missing topic loses the notification, as on AWS, not the job
            log.warning("video job %s: cannot publish to %s", job.job_id, channel["SNSTopicArn"], exc_info=True)


def completion_message(job: VideoJob, status: str, message: str | None, finished: float) -> str:
    """The JSON Rekognition Video publishes to the SNS topic when a job ends."""
    s3 = job.params["Video"]["S3Object"]
    body: dict[str, Any] = {"JobId": job.job_id, "Status": status, "API": job.api}
    if job.params.get("JobTag"):
        body["JobTag"] = job.params["JobTag"]
    body["Message"] = message or ""
    body["Timestamp"] = int(finished * 1000)
    body["Video"] = {"S3ObjectName": s3["Name"], "S3Bucket": s3["Bucket"]}
    return json.dumps(body)
