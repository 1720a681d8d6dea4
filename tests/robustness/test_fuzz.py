"""Hostile input, short run: ~400 model-derived, malformed and pathological requests; no 5xx, only modeled errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.config import Settings
from emulator.engine import Engine
from tests.robustness.fuzzgen import send
from tests.robustness.fuzzrun import fuzz
from tests.support import LiveServer, start_live_server

REQUESTS = 400


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[LiveServer]:
    """A live server of its own, sharing the session's engine."""
    server = start_live_server(Settings(port=0, data_dir=Path(tmp_path_factory.mktemp("fuzz"))), engine)
    yield server
    server.stop()


def test_hostile_requests_get_modeled_answers(live: LiveServer, faces_dir: Path) -> None:
    del faces_dir
    report = fuzz(live.endpoint, REQUESTS, run_seed=2020)
    assert report.problems == []
    assert report.requests == REQUESTS
    assert report.statuses[200] > 0 and sum(n for s, n in report.statuses.items() if 400 <= s < 500) > 0
    status, _ = send(live.endpoint, "RekognitionService.ListCollections", b"{}")
    assert status == 200


def test_oversized_body_is_refused_unread(live: LiveServer) -> None:
    body = b'{"CollectionId":"' + b"a" * (20 * 1024 * 1024) + b'"}'
    status, answer = send(live.endpoint, "RekognitionService.ListFaces", body)
    assert status == 400 and b"ValidationException" in answer
