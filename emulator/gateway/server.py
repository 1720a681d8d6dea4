"""The HTTP server: one process, a bounded pool of request workers, clean shutdown on SIGINT and SIGTERM."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Protocol

from emulator.config import ConnectionLimits, Settings
from emulator.gateway.body import BodyGuard
from emulator.gateway.connections import PooledWSGIServer
from emulator.gateway.router import REKOGNITION_MAX_BODY, REKOGNITION_TARGET_PREFIX
from emulator.moto_bridge import request_handler_class

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)


class Servable(Protocol):
    """What the server needs of a built emulator (the composition root's Emulator is one)."""

    @property
    def wsgi(self) -> WSGIApplication:
        """The WSGI entry point."""

    @property
    def settings(self) -> Settings:
        """The settings it was built from: the connection limits and whether to warm up."""

    def warm_up(self) -> threading.Thread:
        """Start loading the models in the background."""

    def close(self) -> None:
        """Release what the emulator owns."""


def _body_limit(environ: WSGIEnvironment) -> int | None:
    """Rekognition bodies over the pipeline's limit are drained unread and refused; other bodies are read whole."""
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    return REKOGNITION_MAX_BODY if target.startswith(REKOGNITION_TARGET_PREFIX) else None


def start_server(emulator: Servable, host: str, port: int, limits: ConnectionLimits | None = None) -> PooledWSGIServer:
    """Bind a server for the emulator (port 0 picks a free port); limits default to the emulator's settings."""
    app = BodyGuard(emulator.wsgi, _body_limit)
    return PooledWSGIServer(host, port, app, request_handler_class(), limits or emulator.settings.connections)


def run_server(emulator: Servable) -> int:
    """Serve a built emulator until SIGINT or SIGTERM, then finish in-flight requests and close it."""
    settings = emulator.settings
    try:
        server = start_server(emulator, settings.host, settings.port)
    except OSError as err:  # the port is taken or the host cannot be bound
        emulator.close()
        print(f"rekognition-emulator: cannot listen on {settings.host}:{settings.port}: {err}", file=sys.stderr)
        return 2
    host, port = str(server.host), int(server.port)
    warming = emulator.warm_up() if settings.warm_up else None

    def stop(signum: int, frame: FrameType | None) -> None:
        del frame
        if server.stopping:
            log.warning("signal %s again: not waiting for in-flight requests", signum)
            server.abandon()
        else:
            log.info("signal %s: shutting down", signum)
            server.stop_soon()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exposed = " (--moto-api: /moto-api/ exposes and resets every account's state)" if settings.moto_api else ""
    print(f"Rekognition emulator listening on http://{host}:{port}{exposed}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if warming is not None:  # a model still loading in C++ at interpreter exit aborts the process
            warming.join()
        emulator.close()
    print("Rekognition emulator stopped", file=sys.stderr, flush=True)
    return 0
