"""Run an iterator in a background thread a few items ahead, so decoding overlaps the engine's work."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar, cast

T = TypeVar("T")

#: Items the producer may run ahead: bounds memory to this many decoded RGB frames.
DEPTH = 2
_DONE = object()


class _Failed:
    """An exception raised by the producer, handed to the consumer to re-raise."""

    def __init__(self, error: BaseException) -> None:
        """Keep the exception."""
        self.error = error


def prefetched(items: Iterator[T], depth: int = DEPTH) -> Generator[T, None, None]:
    """Yield `items` while a daemon thread computes the next ones (at most `depth` waiting); errors re-raise here.

    Closing the generator early (an exception or break in the consumer) stops the producer at its next item
    and waits for it, so the source (a PyAV container) is free to close afterwards.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        """Queue an item unless the consumer has gone; True when queued."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        """Run the source to its end, the consumer's exit, or an error."""
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed over and re-raised in the consumer
            put(_Failed(exc))
            return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        put(_DONE)

    worker = threading.Thread(target=produce, name="video-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast(T, item)
    finally:
        stop.set()
        worker.join()
