"""Service quotas and an opt-in request-rate throttle, as Rekognition applies them (pure, no I/O).

Sources: "Guidelines and quotas in Amazon Rekognition" (docs.aws.amazon.com/rekognition/latest/dg/limits.html).
- Face vectors per collection: 20,000,000 is the documented maximum (the page also gives 10,000,000 as the
  default maximum). The emulator defaults to the maximum so that no real workload is refused; lower it with
  ``serve --max-faces-per-collection N`` to exercise ServiceQuotaExceededException.
- Collections per account: the quotas page documents no limit, and neither does the General Reference's
  quota table as captured, so the default is None (unlimited). A number here would be an invention.
- TPS quotas are per account, region and operation and adjustable, so the throttle is off by default
  (``serve --throttle-tps N`` turns it on). Over the rate the answer is AWS's
  ProvisionedThroughputExceededException (HTTP 400, "Provisioned Rate exceeded."), which boto3 retries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_FACES_PER_COLLECTION = 20_000_000
THROTTLE_MESSAGE = "Provisioned Rate exceeded."


@dataclass(frozen=True)
class Quotas:
    """Size quotas of one emulator instance; None means unlimited."""

    faces_per_collection: int = MAX_FACES_PER_COLLECTION
    collections_per_account: int | None = None

    def faces_fit(self, current: int, adding: int) -> bool:
        """Tell whether a collection holding ``current`` faces can take ``adding`` more."""
        return adding <= 0 or current + adding <= self.faces_per_collection

    def collections_fit(self, current: int) -> bool:
        """Tell whether an account holding ``current`` collections can create one more."""
        return self.collections_per_account is None or current < self.collections_per_account


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
