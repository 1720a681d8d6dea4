"""In-process Rekognition: boto3 calls answered by an emulator in this process, without a port."""

# `mock_rekognition` works like moto's `mock_aws` and composes with it in either order: inside it, every boto3
# Rekognition call is sent through the emulator's WSGI app (the same router and pipeline as the server) by a
# `before-send.rekognition` handler; everything else goes where it would have gone (to moto under mock_aws).

from __future__ import annotations

import functools
import inspect
import io
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload
from urllib.parse import urlsplit, urlunsplit

import botocore.handlers
from botocore.awsrequest import AWSResponse
from werkzeug.test import Client

from emulator.app import Emulator, create_app
from emulator.config import Settings
from emulator.identity.accounts import AccountsFile, load_accounts

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

    from emulator.engine import Engine

__all__ = ["MockRekognition", "mock_rekognition", "patch_client"]

P = ParamSpec("P")
T = TypeVar("T")

EVENT = "before-send.rekognition"
HANDLER_ID = "rekognition-emulator-in-process"
# A request we answered is pointed at this reserved host, so that moto's own before-send stubber (which runs
# after ours and matches *.amazonaws.com URLs) leaves it alone instead of running moto's canned rekognition.
ANSWERED_HOST = "rekognition-emulator.invalid"
DEFAULT_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
DEFAULT_REGION = "us-east-1"
# moto (under mock_aws) serves a request in the account this header names, as the server's router pins it.
MOTO_ACCOUNT_HEADER = "x-moto-account-id"
PIN_ID = "rekognition-emulator-moto-account"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


class _RawBody(io.BytesIO):
    """A response body botocore can stream, like urllib3's."""

    def stream(self, amt: int = 65536, **kwargs: Any) -> Iterator[bytes]:
        """Yield the body in chunks."""
        del kwargs
        while chunk := self.read(amt):
            yield chunk


def _text(value: str | bytes) -> str:
    """A header value as text (botocore keeps some, like X-Amz-Target, as bytes)."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return value


def _body_of(request: AWSPreparedRequest) -> bytes:
    """The request body as bytes."""
    body: Any = request.body
    if body is None:
        return b""
    if hasattr(body, "read"):
        data = body.read()
        if hasattr(body, "seek"):
            body.seek(0)
        body = data
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


class _WsgiStubber:
    """A botocore before-send handler answering Rekognition requests from the innermost active emulator."""

    def __init__(self) -> None:
        self._stack: list[Client] = []
        self._lock = threading.Lock()

    def push(self, client: Client) -> None:
        """Make an emulator's test client the one that answers."""
        with self._lock:
            self._stack.append(client)

    def remove(self, client: Client) -> None:
        """Stop answering from this client."""
        with self._lock:
            if client in self._stack:
                self._stack.remove(client)

    def _active(self) -> Client | None:
        """The innermost active client, if any."""
        with self._lock:
            return self._stack[-1] if self._stack else None

    def __call__(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        """Send the signed request through the emulator's WSGI app; None when no mock is active."""
        del kwargs
        client = self._active()
        url = urlsplit(request.url)
        if client is None or url.hostname == ANSWERED_HOST:  # inactive, or answered by another registration
            return None
        headers = [(str(_text(k)), _text(v)) for k, v in request.headers.items() if str(k).lower() != "content-length"]
        reply = client.open(url.path or "/", base_url=f"{url.scheme}://{url.netloc}", query_string=url.query,
                            method=request.method, headers=headers, data=_body_of(request))
        response = AWSResponse(request.url, reply.status_code, dict(reply.headers.items()),
                               _RawBody(reply.get_data()))
        request.url = urlunsplit(url._replace(netloc=ANSWERED_HOST))
        return response


class _AccountPin:
    """A before-send handler, first for every service: a request signed with a key of the active mock's accounts
    goes to moto in that key's account (moto alone would put every key it did not issue in its default account)."""

    def __init__(self) -> None:
        self._stack: list[AccountsFile] = []
        self._lock = threading.Lock()

    def push(self, accounts: AccountsFile) -> None:
        """Pin the keys of these accounts while their mock is the innermost active one."""
        with self._lock:
            self._stack.append(accounts)

    def remove(self, accounts: AccountsFile) -> None:
        """Stop pinning these accounts' keys."""
        with self._lock:
            if accounts in self._stack:
                self._stack.remove(accounts)

    def __call__(self, request: AWSPreparedRequest, **kwargs: Any) -> None:
        """Name the signing key's account to moto; leave every other request as it is."""
        del kwargs
        with self._lock:
            accounts = self._stack[-1] if self._stack else None
        if accounts is None:
            return
        found = _CREDENTIAL.search(_text(request.headers.get("Authorization", b"")))
        account = accounts.by_key(found[1]) if found else None
        if account is not None:
            request.headers[MOTO_ACCOUNT_HEADER] = account.id


_STUBBER = _WsgiStubber()
_PIN = _AccountPin()
# Sessions created from now on copy BUILTIN_HANDLERS (as moto's own stubber is installed); the pin runs before it.
botocore.handlers.BUILTIN_HANDLERS.append((EVENT, _STUBBER))
botocore.handlers.BUILTIN_HANDLERS.append(("before-send", _PIN, botocore.handlers.REGISTER_FIRST))


def patch_client(client: Any) -> Any:
    """Route a boto3 client created before `emulator.testing` was imported; returns the client."""
    client.meta.events.register_first(EVENT, _STUBBER, unique_id=HANDLER_ID)
    client.meta.events.register_first("before-send", _PIN, unique_id=PIN_ID)
    return client


def _patch_default_session() -> None:
    """Give boto3's existing default session the handler, so its later clients are routed too."""
    import boto3

    session = boto3.DEFAULT_SESSION
    if session is not None:
        session._session.register(EVENT, _STUBBER, unique_id=HANDLER_ID)
        session._session.get_component("event_emitter").register_first("before-send", _PIN, unique_id=PIN_ID)


class MockRekognition:
    """An in-process emulator answering boto3's Rekognition calls; a context manager and a decorator."""

    def __init__(self, *, data_dir: str | os.PathLike[str] | None = None,
                 accounts_file: str | os.PathLike[str] | None = None,
                 policy_file: str | os.PathLike[str] | None = None, now: str | None = None,
                 auth: bool = False, engine: Engine | None = None) -> None:
        self._options: dict[str, Any] = dict(data_dir=data_dir, accounts_file=accounts_file,
                                             policy_file=policy_file, now=now, auth=auth, engine=engine)
        self.settings = Settings(
            port=0, data_dir=Path(data_dir) if data_dir is not None else None,
            accounts_file=Path(accounts_file) if accounts_file is not None else None,
            policy_file=Path(policy_file) if policy_file is not None else None, now=now, auth=auth,
        )
        self._engine = engine
        self._emulator: Emulator | None = None
        self._client: Client | None = None
        self._saved_env: dict[str, str | None] = {}
        self._accounts: AccountsFile | None = None

    @property
    def emulator(self) -> Emulator:
        """The running emulator (its runtime, settings and WSGI app)."""
        if self._emulator is None:
            raise RuntimeError("mock_rekognition is not active")
        return self._emulator

    def start(self) -> None:
        """Create a fresh emulator and route Rekognition calls to it."""
        if self._emulator is not None:
            raise RuntimeError("this mock_rekognition is already active")
        self._emulator = create_app(self.settings, self._engine)
        self._client = Client(self._emulator.wsgi, use_cookies=False)
        self._accounts = load_accounts(self.settings.accounts_file)
        self._set_default_env()
        _patch_default_session()
        _STUBBER.push(self._client)
        _PIN.push(self._accounts)

    def stop(self) -> None:
        """Stop routing and close the emulator (its in-memory state is gone; a data dir keeps it)."""
        if self._client is not None:
            _STUBBER.remove(self._client)
            self._client = None
        if self._accounts is not None:
            _PIN.remove(self._accounts)
            self._accounts = None
        self._restore_env()
        if self._emulator is not None:
            emulator, self._emulator = self._emulator, None
            emulator.close()

    def reset(self) -> None:
        """Forget every account's Rekognition state, as POST /moto-api/reset does on a `serve --moto-api` server.

        moto's own state (under mock_aws) is left to moto.
        """
        self.emulator.reset()

    def client(self, region: str = DEFAULT_REGION, **kwargs: Any) -> Any:
        """A boto3 Rekognition client (any client made while active is routed the same way)."""
        import boto3

        return boto3.client("rekognition", region_name=region, **kwargs)

    def __enter__(self) -> MockRekognition:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __call__(self, func: Callable[P, T]) -> Callable[P, T]:
        """Decorate a sync function: every call runs inside its own fresh emulator."""
        if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
            raise TypeError("mock_rekognition decorates synchronous functions only")
        options = self._options

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            with MockRekognition(**options):
                return func(*args, **kwargs)

        return wrapper

    def _set_default_env(self) -> None:
        """Fake credentials and a region when the environment has none, so boto3 can sign; undone on stop."""
        wanted = dict(DEFAULT_CREDENTIALS) if "AWS_ACCESS_KEY_ID" not in os.environ else {}
        if "AWS_DEFAULT_REGION" not in os.environ and "AWS_REGION" not in os.environ:
            wanted["AWS_DEFAULT_REGION"] = DEFAULT_REGION
        for key, value in wanted.items():
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value

    def _restore_env(self) -> None:
        """Undo _set_default_env."""
        for key, old in self._saved_env.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
        self._saved_env.clear()


@overload
def mock_rekognition(func: Callable[P, T], /) -> Callable[P, T]: ...


@overload
def mock_rekognition(*, data_dir: str | os.PathLike[str] | None = None,
                     accounts_file: str | os.PathLike[str] | None = None,
                     policy_file: str | os.PathLike[str] | None = None, now: str | None = None,
                     auth: bool = False, engine: Engine | None = None) -> MockRekognition: ...


def mock_rekognition(func: Callable[P, T] | None = None, /, *, data_dir: str | os.PathLike[str] | None = None,
                     accounts_file: str | os.PathLike[str] | None = None,
                     policy_file: str | os.PathLike[str] | None = None, now: str | None = None,
                     auth: bool = False, engine: Engine | None = None) -> Callable[P, T] | MockRekognition:
    """`@mock_rekognition`, `@mock_rekognition(...)` or `with mock_rekognition(...) as mock:`."""
    # auth is off by default: moto's mock_aws sets the fake credentials FOOBARKEY, which no accounts file knows.
    mock = MockRekognition(data_dir=data_dir, accounts_file=accounts_file, policy_file=policy_file, now=now,
                           auth=auth, engine=engine)
    return mock(func) if func is not None else mock
