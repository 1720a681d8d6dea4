"""The audit log of policy decisions: one JSON line per decision, and a reader with filters."""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emulator.policy.clock import parse_instant

AUDIT_FILE = "audit.jsonl"
DECISIONS = ("allow", "deny")


def audit_path(data_dir: Path) -> Path:
    """Return the audit log's path inside a data directory."""
    return data_dir / AUDIT_FILE


def _utc(instant: datetime) -> datetime:
    """Return the instant in UTC; naive means UTC."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def format_time(instant: datetime) -> str:
    """Format an instant as UTC ISO-8601 with milliseconds and a Z."""
    return _utc(instant).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditLog:
    """Append decisions to a JSON-lines file (thread-safe, one write per line), or keep them in memory."""

    def __init__(self, path: Path | None, *, fsync: bool = False, memory_limit: int = 100_000) -> None:
        """Log to ``path`` (the file, see ``audit_path``); None keeps the latest entries in memory."""
        self._path = path
        self._fsync = fsync
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._memory: deque[dict[str, Any]] = deque(maxlen=memory_limit)

    @property
    def path(self) -> Path | None:
        """The file written to, None when in memory."""
        return self._path

    def record(
        self,
        *,
        time: datetime,
        account: str,
        operation: str,
        decision: str,
        rule: str | None,
        request_id: str,
    ) -> None:
        """Append one decision."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
        entry: dict[str, Any] = {
            "time": format_time(time),
            "account": account,
            "operation": operation,
            "decision": decision,
            "rule": rule,
            "request_id": request_id,
        }
        if self._path is None:
            with self._lock:
                self._memory.append(entry)
            return
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
        with self._lock:
            fd = self._open()
            os.write(fd, line)
            if self._fsync:
                os.fsync(fd)

    def _open(self) -> int:
        """Open the file for appending once, sealing a torn last line left by a crash."""
        if self._fd is None:
            assert self._path is not None
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                os.write(fd, b"\n")
            self._fd = fd
        return self._fd

    def entries(self) -> list[dict[str, Any]]:
        """Return every entry recorded (from the file when there is one)."""
        if self._path is None:
            with self._lock:
                return [dict(entry) for entry in self._memory]
        return list(read_audit(self._path))

    def close(self) -> None:
        """Close the file; a later record opens it again."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> AuditLog:
        """Use as a context manager that closes the file."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the file."""
        self.close()


def scan(path: Path) -> Iterator[tuple[dict[str, Any] | None, bool]]:
    """Yield (entry or None when unreadable, whether it is a torn last line) for each line of the file."""
    if path.is_dir():
        path = audit_path(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        for raw in handle:
            torn = not raw.endswith(b"\n")
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError:
                yield None, torn
                continue
            yield (entry if isinstance(entry, dict) else None), torn


def _entry_time(entry: dict[str, Any]) -> datetime | None:
    """Return an entry's time, None when it is missing or malformed."""
    try:
        return parse_instant(str(entry["time"]))
    except (KeyError, ValueError):
        return None


def passes(
    entry: dict[str, Any],
    account: str | None,
    decision: str | None,
    since: datetime | None,
    until: datetime | None,
) -> bool:
    """True when the entry passes the filters (since inclusive, until exclusive)."""
    if account is not None and entry.get("account") != account:
        return False
    if decision is not None and entry.get("decision") != decision:
        return False
    if since is None and until is None:
        return True
    when = _entry_time(entry)
    if when is None:
        return False
    return (since is None or when >= _utc(since)) and (until is None or when < _utc(until))


def read_audit(
    path: Path,
    *,
    account: str | None = None,
    decision: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the entries of an audit file (or data directory) that pass the filters, skipping bad lines."""
    for entry, _torn in scan(path):
        if entry is not None and passes(entry, account, decision, since, until):
            yield entry
