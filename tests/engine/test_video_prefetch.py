"""The decode-ahead thread: order kept, errors re-raised in the consumer, an early stop ends the thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from emulator.engine.video.prefetch import prefetched


def decoder_threads() -> list[threading.Thread]:
    """Live prefetch threads."""
    return [t for t in threading.enumerate() if t.name == "video-decode"]


def test_items_in_order_and_thread_ends() -> None:
    """Every item, in order; no thread left after the end."""
    assert list(prefetched(iter(range(50)))) == list(range(50))
    assert not decoder_threads()


def test_producer_error_reraises_in_consumer() -> None:
    """An exception in the source reaches the consumer after the items before it."""
    def source() -> Iterator[int]:
        yield 1
        raise ValueError("bad frame")

    got = []
    with pytest.raises(ValueError, match="bad frame"):
        for item in prefetched(source()):
            got.append(item)
    assert got == [1]


def test_early_close_stops_and_closes_the_source() -> None:
    """Leaving after two items stops the producer, closes the source, and runs at most `depth` ahead."""
    produced: list[int] = []
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    items = prefetched(source(), depth=2)
    assert [next(items), next(items)] == [0, 1]
    items.close()
    assert closed.is_set() and not decoder_threads()
    assert len(produced) <= 2 + 2 + 1  # consumed, queued, and the one in the producer's hand
