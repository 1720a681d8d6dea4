"""The process-wide decode budget: waits, order, throttling, and its AWS answer through a live server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.engine import Engine
from emulator.limits import OVERLOADED_MESSAGE, DecodeBudget, DecodeBudgetExceeded
from tests.photos import identities, photo
from tests.support import start_live_server

WAIT = 30.0  # generous bound on every wait below; none is reached when the code works


class Holder:
    """A thread that holds ``pixels`` of a budget until released, recording when it got in."""

    def __init__(self, budget: DecodeBudget, pixels: int, log: list[str], name: str) -> None:
        self.inside = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(budget, pixels, log, name), daemon=True)

    def _run(self, budget: DecodeBudget, pixels: int, log: list[str], name: str) -> None:
        try:
            with budget.admit(pixels):
                log.append(name)
                self.inside.set()
                self.release.wait(WAIT)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            self.error = exc
            self.inside.set()

    def start(self) -> Holder:
        self.thread.start()
        return self

    def finish(self) -> None:
        self.release.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


def test_decodes_within_the_budget_run_together() -> None:
    budget = DecodeBudget(capacity=100)
    log: list[str] = []
    a, b = Holder(budget, 60, log, "a").start(), Holder(budget, 40, log, "b").start()
    assert a.inside.wait(WAIT) and b.inside.wait(WAIT)
    assert budget.in_flight == 100 and budget.waiting == 0
    a.finish()
    b.finish()
    assert budget.in_flight == 0


def test_an_oversize_decode_waits_for_room_then_runs() -> None:
    budget = DecodeBudget(capacity=100)
    log: list[str] = []
    first = Holder(budget, 70, log, "first").start()
    assert first.inside.wait(WAIT)
    second = Holder(budget, 70, log, "second").start()
    assert budget.wait_until_waiting(1, WAIT)
    assert not second.inside.is_set() and budget.in_flight == 70
    first.finish()
    assert second.inside.wait(WAIT) and second.error is None
    assert log == ["first", "second"] and budget.in_flight == 70
    second.finish()
    assert budget.in_flight == 0


def test_waiters_are_served_in_arrival_order() -> None:
    budget = DecodeBudget(capacity=100)
    log: list[str] = []
    holder = Holder(budget, 60, log, "holder").start()
    assert holder.inside.wait(WAIT)
    big = Holder(budget, 60, log, "big").start()
    assert budget.wait_until_waiting(1, WAIT)
    small = Holder(budget, 10, log, "small").start()  # would fit now, but the big one came first
    assert budget.wait_until_waiting(2, WAIT)
    assert not small.inside.is_set()
    holder.finish()
    assert big.inside.wait(WAIT) and small.inside.wait(WAIT)
    assert log == ["holder", "big", "small"]
    big.finish()
    small.finish()


def test_a_decode_larger_than_the_budget_runs_alone() -> None:
    budget = DecodeBudget(capacity=100)
    log: list[str] = []
    huge = Holder(budget, 10_000, log, "huge").start()
    assert huge.inside.wait(WAIT) and huge.error is None and budget.in_flight == 100
    other = Holder(budget, 1, log, "other").start()
    assert budget.wait_until_waiting(1, WAIT)
    huge.finish()
    assert other.inside.wait(WAIT)
    other.finish()


def test_a_long_wait_is_refused_and_leaves_the_budget_intact() -> None:
    budget = DecodeBudget(capacity=100, max_wait=0.0)
    log: list[str] = []
    holder = Holder(budget, 80, log, "holder").start()
    assert holder.inside.wait(WAIT)
    with pytest.raises(DecodeBudgetExceeded), budget.admit(30):
        pass
    assert budget.waiting == 0 and budget.in_flight == 80
    with budget.admit(20):  # still fits beside the holder
        assert budget.in_flight == 100
    holder.finish()


def test_a_waiter_that_times_out_lets_the_next_one_in() -> None:
    budget = DecodeBudget(capacity=100, max_wait=0.05)
    log: list[str] = []
    holder = Holder(budget, 100, log, "holder").start()
    assert holder.inside.wait(WAIT)
    late = Holder(budget, 50, log, "late").start()
    assert late.inside.wait(WAIT)  # set when it is refused
    assert isinstance(late.error, DecodeBudgetExceeded) and log == ["holder"]
    assert budget.waiting == 0 and budget.in_flight == 100
    holder.finish()
    late.thread.join(WAIT)


def _detect_in_thread(client: Any, image: bytes, out: dict[str, object]) -> Callable[[], None]:
    def run() -> None:
        try:
            out["faces"] = len(client.detect_faces(Image={"Bytes": image})["FaceDetails"])
        except Exception as exc:  # noqa: BLE001 - handed to the test thread
            out["error"] = exc
    return run


def test_live_requests_wait_for_the_budget_or_get_throttling(engine: Engine, faces_dir: Path) -> None:
    del faces_dir
    image = photo(next(iter(identities().values()))[0])
    live = start_live_server(Settings(port=0, data_dir=None, decode_budget_pixels=1000, decode_max_wait=WAIT), engine)
    try:
        client = live.client()
        budget = live.emulator.runtime.decode_budget
        out: dict[str, object] = {}
        with budget.admit(1000):  # the whole budget is taken: the request's decode has to wait
            waiter = threading.Thread(target=_detect_in_thread(client, image, out))
            waiter.start()
            assert budget.wait_until_waiting(1, WAIT)
        waiter.join(WAIT)
        assert out == {"faces": 1}
        budget.max_wait = 0.0
        with budget.admit(1000):
            with pytest.raises(ClientError) as err:
                client.detect_faces(Image={"Bytes": image})
        assert err.value.response["Error"]["Code"] == "ThrottlingException"
        assert err.value.response["Error"]["Message"] == OVERLOADED_MESSAGE
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert budget.in_flight == 0 and len(client.detect_faces(Image={"Bytes": image})["FaceDetails"]) == 1
    finally:
        live.stop()
