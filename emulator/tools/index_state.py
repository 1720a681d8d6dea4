"""index-folder's resume file: one JSON line per photo already indexed, tied to one collection instance.

The file lives in the user's cache dir (``$XDG_CACHE_HOME/rekognition-emulator/index-folder/``, default
``~/.cache/...``), named by a hash of (endpoint, collection ARN, source), so read-only photo folders
and S3 prefixes work alike.  Its first line records the collection's ARN and creation time: when the
collection was deleted and created again (or an in-memory server restarted), the old lines are
ignored and the folder is indexed again.  Lines are appended as photos finish, so an interrupted run
resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any, TextIO


def default_state_path(endpoint: str, collection_arn: str, source: str) -> Path:
    """The resume file for one (endpoint, collection, source) in the user's cache dir."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha1(f"{endpoint}\n{collection_arn}\n{source}".encode()).hexdigest()[:16]
    name = collection_arn.rpartition("/")[2] or "collection"
    return base / "rekognition-emulator" / "index-folder" / f"{name}-{digest}.jsonl"


class IndexState:
    """The set of photo keys already indexed into one collection instance; thread-safe appends."""

    def __init__(self, path: Path, header: dict[str, Any], fresh: bool = False) -> None:
        """Load the keys recorded under the same header (all ignored with fresh) and open for appending."""
        self.path = path
        self.done: dict[str, dict[str, Any]] = {} if fresh else _load(path, header)
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.done:
            self._fh: TextIO = open(path, "a", encoding="utf-8")
        else:
            self._fh = open(path, "w", encoding="utf-8")
            self._write({"header": header})

    def record(self, key: str, **info: Any) -> None:
        """Remember that the photo with this key was processed."""
        with self._lock:
            self.done[key] = info
            self._write({"key": key, **info})

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._fh.close()

    def _write(self, obj: dict[str, Any]) -> None:
        """Append one line and flush it."""
        self._fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self._fh.flush()


def _load(path: Path, header: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Keys recorded in the file if its header matches; torn or unreadable lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    if not lines or _parse(lines[0]).get("header") != header:
        return {}
    done: dict[str, dict[str, Any]] = {}
    for line in lines[1:]:
        obj = _parse(line)
        if isinstance(obj.get("key"), str):
            done[obj.pop("key")] = obj
    return done


def _parse(line: str) -> dict[str, Any]:
    """One JSON object line, or {} when torn or not an object."""
    try:
        obj = json.loads(line)
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}
