"""The policy clock and ISO-8601 parsing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from emulator.policy import PolicyClock, parse_instant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-06-10T00:00:00Z", datetime(2020, 6, 10, tzinfo=UTC)),
        ("2020-06-10T02:00:00+02:00", datetime(2020, 6, 10, tzinfo=UTC)),
        ("2020-06-09T20:00:00-04:00", datetime(2020, 6, 10, tzinfo=UTC)),
        ("2020-06-10T00:00:00", datetime(2020, 6, 10, tzinfo=UTC)),
        ("2020-06-10T00:00:00.250Z", datetime(2020, 6, 10, 0, 0, 0, 250000, tzinfo=UTC)),
        ("2020-06-10", datetime(2020, 6, 10, tzinfo=UTC)),
        (" 2020-06-10 ", datetime(2020, 6, 10, tzinfo=UTC)),
    ],
)
def test_parse_instant(text: str, expected: datetime) -> None:
    parsed = parse_instant(text)
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["", "yesterday", "2020-13-01", "2020-06-10T25:00:00Z", "10/06/2020"])
def test_parse_instant_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="ISO-8601"):
        parse_instant(text)


def test_clock_starts_at_start_and_advances_with_the_monotonic_clock() -> None:
    ticks = [100.0]
    clock = PolicyClock(datetime(2020, 6, 10, tzinfo=UTC), monotonic=lambda: ticks[0])
    assert clock.now() == datetime(2020, 6, 10, tzinfo=UTC)
    ticks[0] = 190.5
    assert clock.now() == datetime(2020, 6, 10, 0, 1, 30, 500000, tzinfo=UTC)
    assert clock.start == datetime(2020, 6, 10, tzinfo=UTC)


def test_clock_advances_in_real_time() -> None:
    start = datetime(2021, 6, 9, 23, 59, 59, tzinfo=UTC)
    clock = PolicyClock(start)
    first = clock.now()
    mark = time.monotonic()
    while time.monotonic() < mark + 0.05:  # until the monotonic clock has advanced 50 ms past the first reading
        pass
    second = clock.now()
    assert start <= first < second < start + timedelta(seconds=5)
    assert second - first >= timedelta(seconds=0.05)


def test_clock_naive_start_is_utc_and_offsets_are_converted() -> None:
    assert PolicyClock(datetime(2020, 6, 10), monotonic=lambda: 0.0).now() == datetime(
        2020, 6, 10, tzinfo=UTC
    )
    assert PolicyClock.from_text("2020-06-10T02:00:00+02:00").now() >= datetime(2020, 6, 10, tzinfo=UTC)


def test_clock_without_start_follows_real_utc() -> None:
    for clock in (PolicyClock(None), PolicyClock(), PolicyClock.from_text(None)):
        assert clock.start is None
        assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
        assert clock.now().tzinfo is not None
