"""Stored-video jobs in SQLite: parameters, status, video metadata and result items (JSON), per account and region."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.store.db import Database

IN_PROGRESS = "IN_PROGRESS"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"

_COLUMNS = ("job_id, account, region, api, token, fingerprint, params, status, status_message, metadata, created,"
            " finished")


@dataclass(frozen=True)
class VideoJob:
    """One job row; params and metadata decoded from JSON."""

    job_id: str
    account: str
    region: str
    api: str
    token: str | None
    fingerprint: str
    params: dict[str, Any]
    status: str
    status_message: str | None
    metadata: dict[str, Any] | None
    created: float
    finished: float | None


@dataclass(frozen=True)
class ResultItem:
    """One result of a job: its timestamp (ms), person index (0 for detection) and rendered item."""

    timestamp: int
    person: int
    item: dict[str, Any]


def _job(row: sqlite3.Row | tuple[Any, ...]) -> VideoJob:
    """Build a job from a row of _COLUMNS."""
    job_id, account, region, api, token, digest, params, status, message, metadata, created, finished = row
    return VideoJob(str(job_id), str(account), str(region), str(api), None if token is None else str(token),
                    str(digest), json.loads(params), str(status), None if message is None else str(message),
                    None if metadata is None else json.loads(metadata), float(created),
                    None if finished is None else float(finished))


class VideoJobStore:
    """Create, find, finish and page through stored-video jobs."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, job: VideoJob, max_running: int) -> VideoJob | None:
        """Insert a new IN_PROGRESS job; if its token is already used, return that job instead (nothing inserted).

        None (nothing inserted) when the account already has max_running jobs in progress: counted in the same
        transaction, so concurrent starts cannot pass the limit together.
        """
        with self.db.transaction() as conn:
            if job.token is not None:
                found = self._by_token(conn, job.account, job.region, job.api, job.token)
                if found is not None:
                    return found
            if self._running(conn, job.account) >= max_running:
                return None
            conn.execute(
                f"INSERT INTO video_jobs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (job.job_id, job.account, job.region, job.api, job.token, job.fingerprint, json.dumps(job.params),
                 job.status, job.status_message, None if job.metadata is None else json.dumps(job.metadata),
                 job.created, job.finished),
            )
        return job

    def by_token(self, account: str, region: str, api: str, token: str) -> VideoJob | None:
        """Find the job a ClientRequestToken started."""
        with self.db.reading() as conn:
            return self._by_token(conn, account, region, api, token)

    @staticmethod
    def _by_token(conn: sqlite3.Connection, account: str, region: str, api: str, token: str) -> VideoJob | None:
        """Find the job a token started, inside a held connection."""
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM video_jobs WHERE account = ? AND region = ? AND api = ? AND token = ?",
            (account, region, api, token),
        ).fetchone()
        return None if row is None else _job(row)

    def get(self, job_id: str) -> VideoJob | None:
        """Find a job by its id."""
        with self.db.reading() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM video_jobs WHERE job_id = ?", (job_id,)).fetchone()
        return None if row is None else _job(row)

    def unfinished(self) -> list[VideoJob]:
        """Every IN_PROGRESS job, oldest first (to resume after a restart)."""
        with self.db.reading() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM video_jobs WHERE status = ? ORDER BY created, job_id", (IN_PROGRESS,)
            ).fetchall()
        return [_job(row) for row in rows]

    def running_count(self, account: str) -> int:
        """How many IN_PROGRESS jobs an account has, in every region."""
        with self.db.reading() as conn:
            return self._running(conn, account)

    @staticmethod
    def _running(conn: sqlite3.Connection, account: str) -> int:
        """How many IN_PROGRESS jobs an account has, inside a held connection."""
        row = conn.execute("SELECT COUNT(*) FROM video_jobs WHERE account = ? AND status = ?",
                           (account, IN_PROGRESS)).fetchone()
        return int(row[0])

    def add_results(self, job_id: str, first: int, items: Sequence[ResultItem]) -> bool:
        """Store a batch of an IN_PROGRESS job's results at positions first, first + 1, ...; False when it is gone.

        Results are written while the job runs, a batch at a time, so a long video's results are never all in
        memory; Get* shows them only once the job SUCCEEDED.
        """
        with self.db.transaction() as conn:
            row = conn.execute("SELECT status FROM video_jobs WHERE job_id = ?", (job_id,)).fetchone()
            if row is None or row[0] != IN_PROGRESS:
                return False
            conn.executemany(
                "INSERT INTO video_results (job_id, position, timestamp, person, item) VALUES (?, ?, ?, ?, ?)",
                ((job_id, first + i, r.timestamp, r.person, json.dumps(r.item, separators=(",", ":")))
                 for i, r in enumerate(items)),
            )
        return True

    def clear_results(self, job_id: str) -> None:
        """Drop the results an interrupted run of a job wrote (it starts over)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM video_results WHERE job_id = ?", (job_id,))

    def finish(self, job_id: str, status: str, message: str | None, metadata: dict[str, Any] | None,
               finished: float) -> bool:
        """Record a job's outcome (a failed job keeps no results); False when the job is gone or already done."""
        with self.db.transaction() as conn:
            cur = conn.execute(
                "UPDATE video_jobs SET status = ?, status_message = ?, metadata = ?, finished = ?"
                " WHERE job_id = ? AND status = ?",
                (status, message, None if metadata is None else json.dumps(metadata), finished, job_id, IN_PROGRESS),
            )
            if cur.rowcount != 1:
                return False
            if status != SUCCEEDED:
                conn.execute("DELETE FROM video_results WHERE job_id = ?", (job_id,))
        return True

    def by_time(self, job_id: str, after: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        """(position, item) of results after a position, in timestamp order."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT position, item FROM video_results WHERE job_id = ? AND position > ? ORDER BY position LIMIT ?",
                (job_id, after, limit),
            ).fetchall()
        return [(int(pos), json.loads(item)) for pos, item in rows]

    def by_person(self, job_id: str, after: tuple[int, int, int] | None,
                  limit: int) -> list[tuple[tuple[int, int, int], dict[str, Any]]]:
        """((person, timestamp, position), item) of results after a key, by person index then timestamp."""
        person, timestamp, position = after if after is not None else (-1, -1, -1)
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT person, timestamp, position, item FROM video_results WHERE job_id = ?"
                " AND (person, timestamp, position) > (?, ?, ?) ORDER BY person, timestamp, position LIMIT ?",
                (job_id, person, timestamp, position, limit),
            ).fetchall()
        return [((int(p), int(t), int(pos)), json.loads(item)) for p, t, pos, item in rows]

    def delete(self, job_ids: Iterable[str]) -> None:
        """Forget jobs with their results."""
        with self.db.transaction() as conn:
            conn.executemany("DELETE FROM video_jobs WHERE job_id = ?", ((job_id,) for job_id in job_ids))

    def delete_all(self) -> list[str]:
        """Forget every job (a reset); returns the ids forgotten."""
        with self.db.transaction() as conn:
            ids = [str(row[0]) for row in conn.execute("SELECT job_id FROM video_jobs").fetchall()]
            conn.execute("DELETE FROM video_jobs")
        return ids
