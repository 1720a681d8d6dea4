"""The audit log of policy decisions: one JSON line per decision, a reader with filters, and its CLI."""

from __future__ import annotations

import argparse
import json
import os
import sys
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


def _scan(path: Path) -> Iterator[tuple[dict[str, Any] | None, bool]]:
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


def _keep(
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
    for entry, _torn in _scan(path):
        if entry is not None and _keep(entry, account, decision, since, until):
            yield entry


def format_entry(entry: dict[str, Any]) -> str:
    """Format an entry as one readable, column-aligned line."""
    return "  ".join(
        [
            f"{entry.get('time', '?'):<24}",
            f"{entry.get('decision', '?'):<5}",
            f"{entry.get('account', '?'):<12}",
            f"{entry.get('operation', '?'):<20}",
            f"{entry.get('rule') or '-':<24}",
            str(entry.get("request_id", "")),
        ]
    ).rstrip()


def _instant_arg(text: str) -> datetime:
    """Parse an ISO-8601 command-line argument."""
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser(default_data_dir: Path | None) -> argparse.ArgumentParser:
    """Build the ``audit`` command's argument parser."""
    parser = argparse.ArgumentParser(
        prog="rekognition-emulator audit", description="Show the policy decisions recorded in the audit log."
    )
    where = f"the server's data directory, holding {AUDIT_FILE}"
    parser.add_argument(
        "--data-dir", type=Path, default=default_data_dir, required=default_data_dir is None, help=where
    )
    parser.add_argument("--account", help="only this account id")
    parser.add_argument("--decision", choices=DECISIONS, help="only allowed or only denied requests")
    parser.add_argument("--since", type=_instant_arg, help="only entries at or after this ISO-8601 instant")
    parser.add_argument("--until", type=_instant_arg, help="only entries before this ISO-8601 instant")
    parser.add_argument("--json", action="store_true", help="print raw JSON lines")
    return parser


def audit_main(argv: list[str], *, default_data_dir: Path | None = None) -> int:
    """Run the ``audit`` command: print the entries of DIR/audit.jsonl that pass the filters."""
    try:
        args = _parser(default_data_dir).parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    out, skipped = sys.stdout, 0
    try:
        for entry, torn in _scan(args.data_dir):
            if entry is None:
                skipped += 0 if torn else 1
                continue
            if _keep(entry, args.account, args.decision, args.since, args.until):
                out.write(
                    (json.dumps(entry, separators=(",", ":")) if args.json else format_entry(entry)) + "\n"
                )
        out.flush()
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except OSError as exc:
        print(f"audit: cannot read {args.data_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if skipped:
        print(f"audit: skipped {skipped} unreadable line(s)", file=sys.stderr)
    return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null after the reader went away, so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
