"""Shared fixtures: the face photos, one engine per session, live servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.config import Settings
from emulator.engine import Engine
from tests.support import LiveServer, start_live_server

REPO = Path(__file__).resolve().parent.parent


def faces_root() -> Path:
    """Return the folder of test face photos ($FACES_DIR or ../shared/faces)."""
    return Path(os.environ.get("FACES_DIR") or REPO.parent / "shared" / "faces")


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    """The face photos folder; the suite cannot run without it."""
    root = faces_root()
    if not (root / "MANIFEST.csv").exists():
        pytest.fail(f"face photos not found at {root}; set FACES_DIR")
    return root


@pytest.fixture(scope="session")
def engine() -> Engine:
    """One face engine (models loaded once) shared by every server of the session."""
    return Engine()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[LiveServer]:
    """A live emulator with a data dir, shared by the session's API tests."""
    live = start_live_server(Settings(port=0, data_dir=tmp_path_factory.mktemp("data")), engine)
    yield live
    live.stop()


@pytest.fixture
def rekognition(server: LiveServer) -> object:
    """A boto3 Rekognition client for the shared server."""
    return server.client()
