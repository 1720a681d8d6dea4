"""Dispatch to moto: its request handler, one request under the lock, /moto-api, and which backend a request is for."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any

from emulator.moto_bridge.common import MOTO_LOCK, copy_environ, moto_wsgi_app
from emulator.moto_bridge.s3 import S3_ISOLATED, install_s3_isolation

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from werkzeug.serving import WSGIRequestHandler

_MOTO_API_PREFIX = "/moto-api"  # moto's dispatcher sends every PATH_INFO with this prefix to its management API
_BACKEND_ALIASES = {"awslambda": "lambda"}  # moto backends named unlike their botocore service


def request_handler_class() -> type[WSGIRequestHandler]:
    """Return moto's Werkzeug request handler, which keeps underscore header names (S3 metadata)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    return MotoRequestHandler


def call_moto(
    environ: dict[str, Any], start_response: Callable[..., Any], app: WSGIApplication | None = None
) -> list[bytes]:
    """Dispatch one request to moto (or `app`) under MOTO_LOCK, draining its response inside the lock.

    S3 answers it as AWS does across accounts: a bucket of another account is AccessDenied.
    """
    app = app or moto_wsgi_app()
    install_s3_isolation()
    with MOTO_LOCK:
        isolated = S3_ISOLATED.set(True)
        try:
            result: Iterable[bytes] = app(environ, start_response)
            try:
                return list(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        finally:
            S3_ISOLATED.reset(isolated)


def moto_api_path(environ: dict[str, Any]) -> str | None:
    """The request's path when moto's dispatcher would send it to moto's management API (/moto-api), else None."""
    path: Any = environ.get("PATH_INFO", "")
    if isinstance(path, bytes):  # moto's dispatcher decodes the same way
        path = path.decode("utf-8", "replace")
    return path if isinstance(path, str) and path.startswith(_MOTO_API_PREFIX) else None


def reset_moto() -> None:
    """Reset every moto backend, as POST /moto-api/reset does."""
    from moto.moto_api._internal.models import moto_api_backend

    with MOTO_LOCK:
        moto_api_backend.reset()


def moto_host(environ: dict[str, Any], body: bytes) -> tuple[Any, str | None]:
    """moto's dispatcher and the host it routes the request by; None for paths it serves itself or cannot read."""
    dispatcher: Any = moto_wsgi_app()
    path = str(environ.get("PATH_INFO", ""))
    if path.startswith(("/moto-api", "/favicon.ico", "/latest/meta-data/", "/latest/api/")):
        return dispatcher, None
    try:
        host = dispatcher.infer_service_region_host(copy_environ(environ, body), path)
    except Exception:  # moto's dispatcher fails the same way (e.g. a dynamodb scope without X-Amz-Target)
        return dispatcher, None
    return dispatcher, host if isinstance(host, str) else None


def dispatched_service(environ: dict[str, Any], body: bytes, services: Collection[str]) -> str | None:
    """The service (one of `services`, botocore's names) moto would dispatch a signed request to.

    "" when moto has no backend for it; None when it cannot tell (moto routes by path, or its reading fails).
    """
    dispatcher, host = moto_host(environ, body)
    if host is None:
        return None
    backend = host if host in _moto_modules() else None
    for name, pattern in dispatcher.backend_url_patterns if backend is None else []:
        if pattern.match(f"http://{host}"):
            backend = name
            break
    if backend is None:
        return ""
    wanted = _norm(_BACKEND_ALIASES.get(backend, backend))
    return next((service for service in services if _norm(service) == wanted), None)


@functools.cache
def _moto_modules() -> frozenset[str]:
    """moto's service modules, which its dispatcher also takes as host names (listed once, not per request)."""
    from moto.backends import list_of_moto_modules

    return frozenset(list_of_moto_modules())


def _norm(name: str) -> str:
    """A service name with case, '-' and '_' ignored (moto's backend names drop them)."""
    return name.lower().replace("-", "").replace("_", "")
