"""Stable person indices across analysed frames: match faces to tracks by box overlap and descriptor distance."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: Box as (left, top, width, height) in pixels.
Box = tuple[float, float, float, float]

#: dlib's descriptor distance under which two faces are the same person (its documented 0.6 threshold).
SAME_PERSON = 0.6
#: A looser distance accepted when the boxes also overlap this much between two analysed frames (motion
#: continuity carries a turned or blurred face whose descriptor drifts).
NEAR_DISTANCE, NEAR_IOU = 0.75, 0.3
#: Without descriptors, the box overlap alone that continues a track.
BOX_ONLY_IOU = 0.5
#: Stricter distance to give a returning person an ended track's index (no box continuity to back it up).
REIDENTIFY = 0.55
#: A track not seen for this long ends (faces missed for a few samples keep their track meanwhile).
LOST_AFTER_MS = 1000
#: How long, and how many, ended tracks are remembered for a returning person.
MEMORY_MS = 60_000
MEMORY_TRACKS = 64
#: Descriptors kept per track (its recent looks); distance to a track is the smallest to any of them.
LOOKS = 8


@dataclass(eq=False)
class Track:
    """One person's track: its index, last box and time, and recent descriptors."""

    index: int
    box: Box
    last_ms: int
    looks: deque[np.ndarray] = field(default_factory=lambda: deque(maxlen=LOOKS))

    def distance(self, descriptor: np.ndarray | None) -> float:
        """Smallest Euclidean distance from the descriptor to this track's looks (inf without either)."""
        if descriptor is None or not self.looks:
            return float("inf")
        return float(np.min(np.linalg.norm(np.stack(self.looks) - descriptor, axis=1)))

    def see(self, box: Box, ms: int, descriptor: np.ndarray | None) -> None:
        """Record the track's face in a new frame."""
        self.box, self.last_ms = box, ms
        if descriptor is not None:
            self.looks.append(np.asarray(descriptor, dtype=np.float32))


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (left, top, width, height) boxes."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


class Tracker:
    """Assigns each face of each analysed frame a 0-based index, stable for the same person; not thread-safe."""

    def __init__(self) -> None:
        """Start with no tracks."""
        self._active: list[Track] = []
        self._ended: deque[Track] = deque(maxlen=MEMORY_TRACKS)
        self._next = 0

    def assign(self, ms: int, boxes: Sequence[Box], descriptors: Sequence[np.ndarray | None]) -> list[int]:
        """The index of each face of the frame at `ms` (boxes and descriptors in the same order), all distinct."""
        self._expire(ms)
        out: list[int | None] = [None] * len(boxes)
        pairs = []
        for i, (box, desc) in enumerate(zip(boxes, descriptors, strict=True)):
            for track in self._active:
                score = _continuation(track, box, desc)
                if score is not None:
                    pairs.append((score, i, track))
        for i, track in _assign(pairs, out):
            track.see(boxes[i], ms, descriptors[i])
        self._reidentify(ms, boxes, descriptors, out)
        for i, index in enumerate(out):
            if index is None:
                track = Track(self._next, boxes[i], ms)
                track.see(boxes[i], ms, descriptors[i])
                self._active.append(track)
                out[i] = self._next
                self._next += 1
        return [int(index) for index in out if index is not None]

    def _reidentify(self, ms: int, boxes: Sequence[Box], descriptors: Sequence[np.ndarray | None],
                    out: list[int | None]) -> None:
        """Give unmatched faces the index of an ended track whose descriptor matches, closest pairs first."""
        pairs = []
        for i, desc in enumerate(descriptors):
            if out[i] is None:
                for track in self._ended:
                    d = track.distance(desc)
                    if d < REIDENTIFY:
                        pairs.append((d, i, track))
        for i, track in _assign(pairs, out):
            track.see(boxes[i], ms, descriptors[i])
            self._ended.remove(track)
            self._active.append(track)

    def _expire(self, ms: int) -> None:
        """End tracks unseen for LOST_AFTER_MS and forget ended ones older than MEMORY_MS."""
        for track in [t for t in self._active if ms - t.last_ms > LOST_AFTER_MS]:
            self._active.remove(track)
            self._ended.append(track)
        while self._ended and ms - self._ended[0].last_ms > MEMORY_MS:
            self._ended.popleft()


def _continuation(track: Track, box: Box, descriptor: np.ndarray | None) -> float | None:
    """How well a face continues an active track (lower is better), or None when it cannot be that person."""
    overlap = iou(track.box, box)
    d = track.distance(descriptor)
    if d < SAME_PERSON or (overlap >= NEAR_IOU and d < NEAR_DISTANCE):
        return d - 0.25 * overlap
    if d == float("inf") and overlap >= BOX_ONLY_IOU:
        return 1.0 - overlap
    return None


def _assign(pairs: list[tuple[float, int, Track]], out: list[int | None]) -> list[tuple[int, Track]]:
    """Closest pairs first, give each face still without an index the index of a track not yet given; the pairs made."""
    made = []
    given: set[int] = set()
    for _, i, track in sorted(pairs, key=lambda p: p[0]):
        if out[i] is None and track.index not in given:
            out[i] = track.index
            given.add(track.index)
            made.append((i, track))
    return made
