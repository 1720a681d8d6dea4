"""index-folder's work: IndexFaces for each photo on a thread pool, outcomes tallied into a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from emulator.tools.index_sources import MAX_BYTES, Photo
from emulator.tools.index_state import IndexState

# Photo outcomes that are not errors, and how the summary names them.
INDEXED = "indexed"
SKIP_LABELS = {
    "already-done": "already done",
    "no-face": "no face",
    "filtered": "faces found, none indexed",
    "bad-format": "bad format",
    "too-large": "too large",
}
# Skips that still make the exit code 1 (the API refused the photo).
FAILED_SKIPS = frozenset({"bad-format", "too-large"})
_ERROR_SKIPS = {"InvalidImageFormatException": "bad-format", "ImageTooLargeException": "too-large"}


@dataclass(frozen=True)
class Outcome:
    """What happened to one photo."""

    kind: str  # INDEXED, a SKIP_LABELS key, or "error"
    faces: int = 0
    unindexed_faces: int = 0
    unindexed: tuple[str, ...] = ()  # every reason of every face in UnindexedFaces
    message: str = ""


@dataclass
class Summary:
    """Totals of one run."""

    photos: int = 0
    indexed_photos: int = 0
    faces_indexed: int = 0
    faces_unindexed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unindexed: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (photo, message): errors and refused photos

    def add(self, photo: Photo, outcome: Outcome) -> None:
        """Count one photo's outcome."""
        self.photos += 1
        self.faces_unindexed += outcome.unindexed_faces
        self.unindexed.update(outcome.unindexed)
        if outcome.kind == INDEXED:
            self.indexed_photos += 1
            self.faces_indexed += outcome.faces
        elif outcome.kind == "error":
            self.errors += 1
        else:
            self.skipped[outcome.kind] += 1
        if outcome.kind == "error" or outcome.kind in FAILED_SKIPS:
            self.problems.append((photo.name, outcome.message))

    @property
    def exit_code(self) -> int:
        """0 when every photo was indexed, already done or had no indexable face; else 1."""
        return 1 if self.problems else 0


def index_one(client: Any, collection_id: str, photo: Photo, quality_filter: str | None) -> Outcome:
    """Send one photo to IndexFaces and classify the answer; never raises for a per-photo problem."""
    if photo.path is not None and photo.size > MAX_BYTES:
        return Outcome("too-large", message=f"{photo.size} bytes, over the API's {MAX_BYTES}-byte limit")
    params: dict[str, Any] = {"CollectionId": collection_id, "ExternalImageId": photo.external_id}
    if quality_filter:
        params["QualityFilter"] = quality_filter
    try:
        response = client.index_faces(Image=photo.image(), **params)
    except ClientError as err:
        code = str(err.response.get("Error", {}).get("Code", "ClientError"))
        message = f"{code}: {err.response.get('Error', {}).get('Message', '')}"
        return Outcome(_ERROR_SKIPS.get(code, "error"), message=message)
    except (BotoCoreError, OSError) as err:
        return Outcome("error", message=f"{type(err).__name__}: {err}")
    records = response.get("FaceRecords", [])
    unindexed = response.get("UnindexedFaces", [])
    reasons = tuple(str(r) for face in unindexed for r in face.get("Reasons", []))
    kind = INDEXED if records else "filtered" if unindexed else "no-face"
    return Outcome(kind, faces=len(records), unindexed_faces=len(unindexed), unindexed=reasons)


def run(photos: list[Photo], work: Callable[[Photo], Outcome], state: IndexState, workers: int,
        progress: Callable[[int], Any] | None = None) -> Summary:
    """Process every photo not in the state on `workers` threads; record the successes in the state."""
    summary = Summary()
    todo = []
    for photo in photos:
        if photo.state_key in state.done:
            summary.add(photo, Outcome("already-done"))
        else:
            todo.append(photo)
    tick = progress or (lambda n: None)
    tick(len(photos) - len(todo))
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="index-folder") as pool:
        futures: dict[Future[Outcome], Photo] = {pool.submit(work, photo): photo for photo in todo}
        try:
            for future in as_completed(futures):
                photo, outcome = futures[future], future.result()
                if outcome.kind in (INDEXED, "no-face", "filtered"):
                    state.record(photo.state_key, external_id=photo.external_id, outcome=outcome.kind,
                                 faces=outcome.faces)
                summary.add(photo, outcome)
                tick(1)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return summary


def format_summary(summary: Summary) -> str:
    """The final report printed by index-folder."""
    lines = [f"photos: {summary.photos}",
             f"photos indexed: {summary.indexed_photos}",
             f"faces indexed: {summary.faces_indexed}",
             f"photos skipped: {sum(summary.skipped.values())}"]
    lines += [f"  {label}: {summary.skipped[kind]}" for kind, label in SKIP_LABELS.items()]
    lines.append(f"photos failed with an error: {summary.errors}")
    lines.append(f"faces not indexed: {summary.faces_unindexed} (reasons below; a face can have several)")
    lines += [f"  {reason}: {count}" for reason, count in sorted(summary.unindexed.items())]
    if summary.problems:
        lines.append(f"photos that need attention (exit code 1): {len(summary.problems)}")
        lines += [f"  {name}: {message}" for name, message in sorted(summary.problems)]
    return "\n".join(lines)
