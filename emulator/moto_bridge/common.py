"""What every part of the bridge shares: moto's lock, its partition, and the process-wide moto WSGI app."""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

MOTO_LOCK = threading.RLock()
"""Held around every moto dispatch and every read of moto state: moto itself is not thread-safe."""

PARTITION = "aws"
_app: WSGIApplication | None = None
_app_lock = threading.Lock()


def moto_wsgi_app() -> WSGIApplication:
    """Return the process-wide moto WSGI app (DomainDispatcherApplication), created once."""
    global _app
    with _app_lock:
        if _app is None:
            from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

            _app = DomainDispatcherApplication(create_backend_app)
        assert _app is not None
        return _app


def copy_environ(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    """A copy of the environ with its own body stream, so that parsing it leaves the original unread."""
    copy = dict(environ)
    copy["wsgi.input"] = io.BytesIO(body)
    return copy
