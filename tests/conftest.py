"""Shared fixtures: the face photos, one engine per session, live servers, the API suite's two backends."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.config import Settings
from emulator.engine import Engine
from tests.photos import REPO, faces_root
from tests.support import LiveServer, start_live_server
from tests.targets import Backend, InProcessBackend, Launcher, ServerBackend, Target, launched

__all__ = ["REPO", "faces_root"]


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    """The face photos folder; the suite cannot run without it (faces_root says where it looked)."""
    return faces_root()


@pytest.fixture(scope="session")
def engine() -> Engine:
    """One face engine (models loaded once) shared by every server and in-process emulator of the session."""
    return Engine()


@pytest.fixture(scope="session")
def rekognition_engine(engine: Engine) -> Engine:
    """Give the pytest plugin's `rekognition_emulator` fixture the session's already-loaded engine."""
    return engine


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[LiveServer]:
    """A live emulator with a data dir, shared by the session's API tests."""
    live = start_live_server(Settings(port=0, data_dir=tmp_path_factory.mktemp("data")), engine)
    yield live
    live.stop()


@pytest.fixture(scope="session")
def inprocess_backend(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> InProcessBackend:
    """mock_rekognition (inside mock_aws) on one data dir for the session, as the live server keeps one."""
    return InProcessBackend(tmp_path_factory.mktemp("inprocess-data"), engine)


@pytest.fixture(scope="module", params=["server", "inprocess"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The API suite's two ways: the live server and mock_rekognition; a test taking it runs once per way.

    Module fixtures that call the API enter `backend.active()` themselves (they are set up before a test's own
    activation); the test's body runs inside one (`_route_to_backend`).
    """
    if request.param == "server":
        return ServerBackend(request.getfixturevalue("server"))
    backend: InProcessBackend = request.getfixturevalue("inprocess_backend")
    return backend


@pytest.fixture(autouse=True)
def _route_to_backend(request: pytest.FixtureRequest) -> Iterator[None]:
    """Keep a test that runs on a backend (directly or through its fixtures) inside its activation."""
    if "backend" not in request.fixturenames:
        yield
        return
    chosen: Backend = request.getfixturevalue("backend")
    with chosen.active():
        yield


@pytest.fixture
def api(backend: Backend, _route_to_backend: None) -> Iterator[Target]:
    """Where this test's calls go (the live server or the in-process mock): `api.client(...)`, `api.emulator`."""
    with backend.active() as target:
        yield target


@pytest.fixture
def rekognition(api: Target) -> Any:
    """A boto3 Rekognition client for the test's backend."""
    return api.client()


@pytest.fixture(params=["server", "inprocess"])
def launch(request: pytest.FixtureRequest, engine: Engine) -> Launcher:
    """Start emulators of this test's kind from options (accounts, policy, clock, data dir), e.g. to restart one."""
    return functools.partial(launched, request.param, engine)
