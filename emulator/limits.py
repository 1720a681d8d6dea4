"""Service quotas, an opt-in request-rate throttle and the image decode budget, as Rekognition applies them (no I/O).

Sources: "Guidelines and quotas in Amazon Rekognition" (docs.aws.amazon.com/rekognition/latest/dg/limits.html).
- Face vectors per collection: 20,000,000 is the documented maximum (the page also gives 10,000,000 as the
  default maximum). The emulator defaults to the maximum so that no real workload is refused; lower it with
  ``serve --max-faces-per-collection N`` to exercise ServiceQuotaExceededException.
- Collections per account: the quotas page documents no limit, and neither does the General Reference's
  quota table as captured, so the emulator has none (a number here would be an invention).
- TPS quotas are per account, region and operation and adjustable, so the throttle is off by default
  (``serve --throttle-tps N`` turns it on). Over the rate the answer is AWS's
  ProvisionedThroughputExceededException (HTTP 400, "Provisioned Rate exceeded."), which boto3 retries.
- Image decoding is admitted against a process-wide budget of pixels in flight (``DecodeBudget``): a
  decode waits, first come first served, until its pixels fit; one that would wait longer than
  ``max_wait`` is refused, which the caller answers with ThrottlingException (HTTP 500; the model says
  "Amazon Rekognition is temporarily unable to process the request. Try your call again."), the
  error AWS documents for the service being over capacity, as opposed to the caller's own TPS quota.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

MAX_FACES_PER_COLLECTION = 20_000_000
#: Largest Rekognition request body read: CompareFaces' two 5 MB images in base64 (14.0 MB) plus JSON fit;
#: a larger body is refused before it is read or authenticated.
MAX_REQUEST_BODY = 16 * 1024 * 1024
#: Largest image read from an S3 object ("Maximum image size stored as an Amazon S3 object is limited to 15 MB").
MAX_S3_IMAGE_BYTES = 15 * 1024 * 1024
#: Length of one face vector: the output of dlib's ResNet descriptor, what the engine computes and the index
#: and store keep (one owner for the three layers, which import nothing of each other).
DESCRIPTOR_SIZE = 128
THROTTLE_MESSAGE = "Provisioned Rate exceeded."
#: Pixels decoded at once across the process: two images at the 40 MP cap (about 320 MB as RGBA).
DECODE_BUDGET_PIXELS = 80_000_000
#: Longest a decode waits for room in the budget before the request is throttled, in seconds.
DECODE_MAX_WAIT = 15.0
OVERLOADED_MESSAGE = "Amazon Rekognition is temporarily unable to process the request. Try your call again."


@dataclass(frozen=True)
class Quotas:
    """Size quotas of one emulator instance (IndexFaces enforces them)."""

    faces_per_collection: int = MAX_FACES_PER_COLLECTION

    def faces_fit(self, current: int, adding: int) -> bool:
        """Tell whether a collection holding ``current`` faces can take ``adding`` more."""
        return adding <= 0 or current + adding <= self.faces_per_collection


class Throttle:
    """Token buckets keyed by (account, region, operation): ``tps`` tokens a second, bursts up to ``burst``."""

    def __init__(self, tps: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if tps <= 0:
            raise ValueError("tps must be positive; leave the throttle out to disable it")
        self.tps = float(tps)
        self.burst = float(burst) if burst is not None else max(1.0, self.tps)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}  # key -> (tokens, last refill)

    def allow(self, account: str, region: str, operation: str) -> bool:
        """Take one token from the caller's bucket; False when it is empty (the request is refused)."""
        key = (account, region, operation)
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.tps)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        return allowed

    def reset(self) -> None:
        """Refill every bucket (a reset of the emulator's state)."""
        with self._lock:
            self._buckets.clear()


class DecodeBudgetExceeded(Exception):
    """A decode waited longer than the budget's max_wait for room."""


class DecodeBudget:
    """Admits image decodes while their pixels fit a process-wide budget; waiters are served in arrival order.

    A decode larger than the whole budget is admitted alone. First come, first served: a large decode at the
    head of the queue is not overtaken by a stream of small ones, so it cannot starve.
    """

    def __init__(self, capacity: int = DECODE_BUDGET_PIXELS, max_wait: float = DECODE_MAX_WAIT) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = int(capacity)
        self.max_wait = float(max_wait)
        self._cond = threading.Condition()
        self._in_flight = 0
        self._queue: deque[object] = deque()

    @property
    def in_flight(self) -> int:
        """Pixels of the decodes admitted and not yet finished."""
        with self._cond:
            return self._in_flight

    @property
    def waiting(self) -> int:
        """Decodes waiting for room."""
        with self._cond:
            return len(self._queue)

    def wait_until_waiting(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` decodes wait for room (False after ``timeout`` seconds)."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._queue) >= count, timeout)

    @contextmanager
    def admit(self, pixels: int) -> Iterator[None]:
        """Run the body once ``pixels`` fit; raise DecodeBudgetExceeded after waiting max_wait seconds."""
        cost = min(max(0, int(pixels)), self.capacity)
        self._acquire(cost)
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= cost
                self._cond.notify_all()

    def _acquire(self, cost: int) -> None:
        """Queue up and wait until first in line with room for ``cost``."""
        ticket = object()
        deadline = time.monotonic() + self.max_wait
        with self._cond:
            self._queue.append(ticket)
            try:
                self._cond.notify_all()  # wait_until_waiting observers
                while self._queue[0] is not ticket or self._in_flight + cost > self.capacity:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise DecodeBudgetExceeded(f"no room for {cost} pixels within {self.max_wait} s")
                    self._cond.wait(remaining)
                self._in_flight += cost
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()  # the next in line may fit now
