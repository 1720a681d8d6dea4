"""The HTTP server: one process, threaded, clean shutdown on SIGINT and SIGTERM."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from werkzeug.serving import BaseWSGIServer, make_server

from emulator.app import Emulator, create_app
from emulator.config import Settings
from emulator.engine.models import ModelNotFound
from emulator.moto_bridge import request_handler_class
from emulator.store import StoreVersionError

log = logging.getLogger(__name__)


def start_server(emulator: Emulator, host: str, port: int) -> BaseWSGIServer:
    """Bind a threaded server for the emulator (port 0 picks a free port)."""
    server = make_server(host, port, emulator.wsgi, threaded=True, request_handler=request_handler_class())
    server.daemon_threads = False  # type: ignore[attr-defined]
    server.block_on_close = True  # type: ignore[attr-defined]
    return server


def serve(settings: Settings) -> int:
    """Run the server until SIGINT or SIGTERM, then finish in-flight requests and close the store."""
    try:
        emulator = create_app(settings)
    except (ValueError, StoreVersionError, ModelNotFound) as err:  # bad files, data dir or model: named
        print(f"rekognition-emulator: {err}", file=sys.stderr)
        return 2
    try:
        server = start_server(emulator, settings.host, settings.port)
    except OSError as err:  # the port is taken or the host cannot be bound
        emulator.close()
        print(f"rekognition-emulator: cannot listen on {settings.host}:{settings.port}: {err}", file=sys.stderr)
        return 2
    host, port = str(server.host), int(server.port)

    def stop(signum: int, frame: FrameType | None) -> None:
        del frame
        log.info("signal %s: shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"Rekognition emulator listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        emulator.close()
    print("Rekognition emulator stopped", file=sys.stderr, flush=True)
    return 0
