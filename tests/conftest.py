"""Shared fixtures: the face photos, one engine per session, live servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.config import Settings
from emulator.engine import Engine
from tests.photos import REPO, faces_root
from tests.support import LiveServer, start_live_server

__all__ = ["REPO", "faces_root"]


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    """The face photos folder; the suite cannot run without it (faces_root says where it looked)."""
    return faces_root()


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
