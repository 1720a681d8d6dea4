"""The video tracker on synthetic boxes and descriptors: continuity, distinct people, re-identification, memory."""

from __future__ import annotations

import numpy as np

from emulator.engine.video.tracking import LOST_AFTER_MS, MEMORY_MS, Tracker, iou


def person(seed: int) -> np.ndarray:
    """A random 128-d unit-ish descriptor far (about 1.4) from every other seed's."""
    v = np.random.default_rng(seed).normal(size=128)
    return (v / np.linalg.norm(v)).astype(np.float32)


def near(desc: np.ndarray, amount: float, seed: int) -> np.ndarray:
    """The descriptor moved `amount` (Euclidean) in a random direction."""
    step = np.random.default_rng(seed).normal(size=128)
    return (desc + amount * step / np.linalg.norm(step)).astype(np.float32)


def test_iou() -> None:
    """Overlap of boxes: identical 1, disjoint 0, half-shifted 1/3."""
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0
    assert abs(iou((0, 0, 10, 10), (5, 0, 10, 10)) - 1 / 3) < 1e-9


def test_same_person_keeps_index_while_moving() -> None:
    """A face drifting across frames, its descriptor varying a little, keeps index 0."""
    tracker, a = Tracker(), person(1)
    indices = [tracker.assign(ms, [(100 + ms / 10, 100, 80, 80)], [near(a, 0.3, ms)])[0] for ms in range(0, 2000, 200)]
    assert indices == [0] * 10


def test_two_people_get_two_indices_and_keep_them_when_they_swap_order() -> None:
    """Two faces in a frame are two indices; listed in the other order next frame, each keeps its own."""
    tracker, a, b = Tracker(), person(1), person(2)
    first = tracker.assign(0, [(0, 0, 90, 90), (300, 0, 60, 60)], [a, b])
    assert sorted(first) == [0, 1]
    second = tracker.assign(200, [(300, 0, 60, 60), (0, 0, 90, 90)], [near(b, 0.2, 3), near(a, 0.2, 4)])
    assert second == [first[1], first[0]]


def test_returning_person_gets_old_index_and_a_stranger_a_new_one() -> None:
    """After a gap longer than a lost track lasts, the same person (elsewhere in frame) is re-identified."""
    tracker, a, b = Tracker(), person(1), person(2)
    assert tracker.assign(0, [(0, 0, 80, 80)], [a]) == [0]
    assert tracker.assign(200, [], []) == []
    later = 200 + LOST_AFTER_MS + 1000
    assert tracker.assign(later, [(400, 200, 60, 60)], [b]) == [1]
    assert tracker.assign(later + 200, [(400, 200, 60, 60), (10, 300, 70, 70)], [b, near(a, 0.35, 9)]) == [1, 0]


def test_same_place_different_person_is_a_new_index() -> None:
    """A different person in the very box of a track is not taken for it (descriptor far apart)."""
    tracker = Tracker()
    assert tracker.assign(0, [(0, 0, 80, 80)], [person(1)]) == [0]
    assert tracker.assign(200, [(0, 0, 80, 80)], [person(2)]) == [1]


def test_overlap_carries_a_drifting_descriptor_and_boxes_alone_without_descriptors() -> None:
    """A face whose descriptor drifts past 0.6 but stays in place continues; so does a face without descriptor."""
    tracker, a = Tracker(), person(1)
    assert tracker.assign(0, [(0, 0, 80, 80)], [a]) == [0]
    assert tracker.assign(200, [(4, 2, 80, 80)], [near(a, 0.68, 5)]) == [0]
    assert tracker.assign(400, [(6, 2, 80, 80)], [None]) == [0]


def test_forgotten_after_memory() -> None:
    """Past MEMORY_MS an ended track is forgotten: the person comes back under a new index."""
    tracker, a = Tracker(), person(1)
    assert tracker.assign(0, [(0, 0, 80, 80)], [a]) == [0]
    assert tracker.assign(LOST_AFTER_MS + 1, [], []) == []
    assert tracker.assign(MEMORY_MS + LOST_AFTER_MS + 10, [(0, 0, 80, 80)], [a]) == [1]
