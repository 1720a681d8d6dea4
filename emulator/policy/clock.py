"""The policy clock: an instant to start from, advancing in real time, and ISO-8601 parsing."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta


def parse_instant(text: str) -> datetime:
    """Parse ISO-8601 (``Z`` or an offset) or a bare date into a UTC datetime; naive means UTC."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO-8601 instant or date: {text!r}") from None
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


class PolicyClock:
    """Tell the instant the policy sees: ``start`` plus the real time elapsed since construction."""

    def __init__(
        self, start: datetime | None = None, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        """Start from ``start`` (naive means UTC), or follow the real UTC clock when it is None."""
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._start = start.astimezone(UTC) if start is not None else None
        self._monotonic = monotonic
        self._origin = monotonic()

    @classmethod
    def from_text(cls, text: str | None) -> PolicyClock:
        """Build a clock from a ``--now`` argument; None or empty follows the real clock."""
        return cls(parse_instant(text) if text else None)

    @property
    def start(self) -> datetime | None:
        """The instant the clock started from, None when it follows the real clock."""
        return self._start

    def now(self) -> datetime:
        """Return the current policy instant, in UTC."""
        if self._start is None:
            return datetime.now(UTC)
        return self._start + timedelta(seconds=self._monotonic() - self._origin)
