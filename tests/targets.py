"""The two ways the API suite reaches the emulator: a live server on a free port, or mock_rekognition in-process.

A test (or a module fixture) that takes `backend` runs once per way. Both share the session's loaded engine, and
both keep state across the session's tests in one data dir, as a long-running server does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config
from moto import mock_aws

from emulator.app import Emulator
from emulator.config import Settings
from emulator.engine import Engine
from emulator.testing import MockRekognition, mock_rekognition
from tests.support import LiveServer, start_live_server

#: One attempt per call, as the live server's clients: a retry would hide the first answer.
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


class Target(Protocol):
    """Where a test's boto3 calls go: `client()` makes a client, `emulator` is what answers them."""

    kind: str

    @property
    def emulator(self) -> Emulator:
        """The emulator answering this target's calls (its runtime, settings and WSGI app)."""
        ...

    def client(self, service: str = "rekognition", region: str = "us-east-1", key: str = "testing",
               secret: str = "testing", **kw: Any) -> Any:
        """A boto3 client for one service of this target."""
        ...


class Backend(Protocol):
    """One way of running the emulator for a module's tests; `active()` makes it answer for a while."""

    kind: str

    def active(self) -> contextlib.AbstractContextManager[Target]:
        """Route calls to this backend for the duration of the with-block (re-entrant)."""
        ...


class Launcher(Protocol):
    """Starts an emulator of one kind from options, for the with-block; leaving the block stops it."""

    def __call__(self, *, data_dir: Path | None, accounts_file: Path | None = None, policy_file: Path | None = None,
                 now: str | None = None) -> contextlib.AbstractContextManager[Target]:
        """An emulator with these options (data_dir None: in memory)."""
        ...


@contextlib.contextmanager
def launched(kind: str, engine: Engine, *, data_dir: Path | None, accounts_file: Path | None = None,
             policy_file: Path | None = None, now: str | None = None) -> Iterator[Target]:
    """A live server (kind "server") or mock_aws + mock_rekognition ("inprocess") with the same options."""
    if kind == "server":
        live = start_live_server(Settings(port=0, data_dir=data_dir, accounts_file=accounts_file,
                                          policy_file=policy_file, now=now), engine)
        try:
            yield ServerTarget(live)
        finally:
            live.stop()
        return
    with mock_aws(), mock_rekognition(data_dir=data_dir, accounts_file=accounts_file, policy_file=policy_file, now=now,
                                      auth=True, engine=engine) as mock:
        yield InProcessTarget(mock)


class ServerBackend:
    """The session's live server: always answering, clients carry its endpoint_url."""

    kind = "server"

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    @contextlib.contextmanager
    def active(self) -> Iterator[Target]:
        """The server answers whether or not the block is entered."""
        yield ServerTarget(self.server)


class ServerTarget:
    """A live server seen as a Target."""

    kind = "server"

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    @property
    def emulator(self) -> Emulator:
        """The server's emulator."""
        return self.server.emulator

    def client(self, service: str = "rekognition", region: str = "us-east-1", key: str = "testing",
               secret: str = "testing", **kw: Any) -> Any:
        """A boto3 client with the server's endpoint_url."""
        return self.server.client(service, region=region, key=key, secret=secret, **kw)


class InProcessBackend:
    """moto's mock_aws with mock_rekognition inside it, on the session's data dir and engine.

    Each activation is a fresh emulator opened on the same data dir (what a test run with a data_dir= does), so
    state carries over from test to test as on the server; nested activations share the outer one.
    """

    kind = "inprocess"

    def __init__(self, data_dir: Path, engine: Engine) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self._mock: MockRekognition | None = None

    @contextlib.contextmanager
    def active(self) -> Iterator[Target]:
        """Start mock_aws and mock_rekognition (signatures checked, as the server does) unless already running."""
        if self._mock is not None:
            yield InProcessTarget(self._mock)
            return
        with mock_aws(), mock_rekognition(data_dir=self.data_dir, engine=self.engine, auth=True) as mock:
            self._mock = mock
            try:
                yield InProcessTarget(mock)
            finally:
                self._mock = None


class InProcessTarget:
    """An active mock_rekognition seen as a Target: plain boto3 clients, no endpoint_url."""

    kind = "inprocess"

    def __init__(self, mock: MockRekognition) -> None:
        self.mock = mock

    @property
    def emulator(self) -> Emulator:
        """The mock's current emulator."""
        return self.mock.emulator

    def client(self, service: str = "rekognition", region: str = "us-east-1", key: str = "testing",
               secret: str = "testing", **kw: Any) -> Any:
        """A boto3 client as user code makes it (no endpoint_url): Rekognition goes to the mock, the rest to moto."""
        return boto3.client(service, region_name=region, aws_access_key_id=key, aws_secret_access_key=secret,
                            config=kw.pop("config", NO_RETRIES), **kw)
