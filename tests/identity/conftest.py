"""Fixtures: a real threaded server running AwsRouter (with a stand-in Rekognition app or the whole emulator)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from werkzeug.serving import make_server

from emulator import moto_bridge
from emulator.config import Settings
from emulator.engine import Engine
from emulator.gateway.router import AwsRouter
from emulator.identity.accounts import AccountsFile, load_accounts
from tests.identity.helpers import ACCOUNTS_TOML, Serve, stand_in_rekognition
from tests.support import LiveServer, start_live_server

_SESSION = boto3.session.Session()


@pytest.fixture(autouse=True)
def _clean_moto() -> Iterator[None]:
    """Every test starts and ends with empty moto state."""
    moto_bridge.reset_moto()
    yield
    moto_bridge.reset_moto()


@pytest.fixture
def accounts_file(tmp_path: Path) -> AccountsFile:
    """The two-account accounts file of the tests."""
    path = tmp_path / "accounts.toml"
    path.write_text(ACCOUNTS_TOML)
    return load_accounts(path)


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start AwsRouter(stand-in, accounts, **kw) on a free port; return its endpoint URL."""
    servers: list[Any] = []

    def start(accounts: AccountsFile | None = None, **kwargs: Any) -> str:
        router = AwsRouter(stand_in_rekognition().wsgi_app, accounts or load_accounts(None), **kwargs)
        server = make_server("127.0.0.1", 0, router, threaded=True, request_handler=moto_bridge.request_handler_class())
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def client() -> Callable[..., Any]:
    """boto3 client factory: client(service, endpoint, key, secret, region=..., token=...)."""

    def make(
        service: str,
        endpoint: str,
        key: str = "testing",
        secret: str = "testing",
        *,
        region: str = "us-east-1",
        token: str | None = None,
        **config: Any,
    ) -> Any:
        return _SESSION.client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=Config(retries={"max_attempts": 1}, **config),
        )

    return make


@pytest.fixture
def live(tmp_path: Path, engine: Engine) -> Iterator[Callable[..., LiveServer]]:
    """Start the whole emulator (real Rekognition) with the two accounts: live(**settings) -> LiveServer."""
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(ACCOUNTS_TOML)
    servers: list[LiveServer] = []

    def start(**settings: Any) -> LiveServer:
        settings = {"data_dir": None, **settings}
        server = start_live_server(Settings(port=0, accounts_file=accounts, **settings), engine)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
