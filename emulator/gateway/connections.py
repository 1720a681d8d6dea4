"""A WSGI server with a fixed pool of request workers, read and idle timeouts, and a bounded shutdown.

One thread (the one calling serve_forever) accepts connections and watches the idle ones in a selector: a
connection costs no thread until its first request bytes arrive, and is closed after the idle timeout if
none do. A readable connection is queued for one of a fixed number of worker threads, which run the request
handler with a per-read timeout: a client that stops sending mid-headers or mid-body is dropped. Beyond
max_connections open connections the server stops accepting, so new ones wait in the listen backlog. The
request handler closes every connection after its response (Werkzeug's dev server has no keep-alive), so the
idle timeout is the time a connection may stay open without sending a request.

stop_soon() (a signal handler calls it) stops accepting, closes idle connections, cuts requests that are
still arriving once they stall (at the latest STOP_READ_LIMIT seconds after the stop), lets the requests
being processed finish, and gives up on them after the shutdown grace.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.serving import WSGIRequestHandler

from emulator.config import ConnectionLimits
from emulator.gateway.handler import TransportServer, bounded_handler

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger(__name__)

STOP_STALL = 1.0  # s a request still arriving after a stop may go without new bytes before it is cut
STOP_READ_LIMIT = 5.0  # s after a stop by which every request still arriving is cut
_ACCEPT_PAUSE = 0.1  # s without accepting after accept() failed (e.g. out of file descriptors)
_WAKE = object()


@dataclass(eq=False)
class Connection:
    """One accepted connection: its socket, and where its request is (the Transport the body reader sees)."""

    sock: socket.socket
    address: Any
    last: float = field(default_factory=time.monotonic)  # accepted, handed to a worker, or last bytes read
    reading: bool = True  # False once the whole request has been read
    cut: bool = False

    def progress(self) -> None:
        """Some bytes of the request arrived."""
        self.last = time.monotonic()

    def received(self) -> None:
        """The whole request has been read."""
        self.reading = False

    def cut_reading(self) -> None:
        """Shut the read side: a read blocked on a client that sends nothing more returns end-of-file now."""
        if not self.cut:
            self.cut = True
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RD)


class _BindFailed(Exception):
    """Carries a bind OSError past werkzeug's `except OSError: sys.exit(1)`."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class PooledWSGIServer(TransportServer):
    """Werkzeug's WSGI server with a bounded worker pool, timeouts and a bounded drain on stop."""

    multithread = True

    def __init__(self, host: str, port: int, app: WSGIApplication, handler: type[WSGIRequestHandler],
                 limits: ConnectionLimits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._active: dict[socket.socket, Connection] = {}  # held by a worker
        self._waiting: dict[socket.socket, Connection] = {}  # idle, in the selector (dispatcher thread only)
        self._open = 0  # accepted and not yet closed
        self._ready: queue.SimpleQueue[Connection | None] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_w.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._stop_at: float | None = None
        self._abandon = False
        self._accept_paused_until = 0.0
        self._serving = False
        self._done = threading.Event()
        self._done.set()
        try:  # the state above exists first: werkzeug calls server_close when binding fails
            super().__init__(host, port, app, bounded_handler(handler, limits.read_timeout))
        except _BindFailed as failed:
            raise failed.error from None

    def server_bind(self) -> None:
        """Bind; a failure escapes werkzeug's handler (which prints and calls sys.exit) as OSError to the caller."""
        try:
            super().server_bind()
        except OSError as err:
            raise _BindFailed(err) from err

    @property
    def stopping(self) -> bool:
        """True once a stop was asked for."""
        return self._stop_at is not None

    def stop_soon(self) -> None:
        """Ask serve_forever to stop and drain (safe from a signal handler: no locks, no waiting)."""
        if self._stop_at is None:
            self._stop_at = time.monotonic()
        self._wake()

    def abandon(self) -> None:
        """Stop waiting for in-flight requests (a second signal)."""
        self._abandon = True
        self.stop_soon()

    def shutdown(self) -> None:
        """Stop, and wait until serve_forever has drained and returned."""
        self.stop_soon()
        if self._serving:
            self._done.wait()

    def connection_of(self, sock: socket.socket) -> Connection | None:
        """The Connection a worker is serving on sock."""
        with self._lock:
            return self._active.get(sock)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Accept and dispatch connections until stop_soon(), then drain."""
        self._serving = True
        self._done.clear()
        try:
            self._workers = [threading.Thread(target=self._work, name=f"http-worker-{i}", daemon=True)
                             for i in range(self.limits.workers)]
            for worker in self._workers:
                worker.start()
            self.socket.setblocking(False)
            self._selector.register(self._wake_r, selectors.EVENT_READ, _WAKE)
            self._dispatch(poll_interval)
            self._drain()
        finally:
            self._serving = False
            self.server_close()
            self._done.set()

    def server_close(self) -> None:
        """Close the listening socket, the idle connections and the wake-up pair."""
        super().server_close()
        for conn in list(self._waiting.values()):
            self._close_waiting(conn)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def _dispatch(self, poll_interval: float) -> None:
        """The accept loop: new connections wait in the selector until readable, then go to the workers."""
        listening = False
        while self._stop_at is None:
            with self._lock:
                room = self._open < self.limits.max_connections or bool(self._waiting)
            room = room and time.monotonic() >= self._accept_paused_until
            if room != listening:
                if room:
                    self._selector.register(self.socket, selectors.EVENT_READ, None)
                else:
                    self._selector.unregister(self.socket)
                listening = room
            for key, _ in self._selector.select(self._select_timeout(poll_interval)):
                if key.data is _WAKE:
                    with contextlib.suppress(OSError):
                        self._wake_r.recv(4096)
                elif key.data is None:
                    self._accept()
                else:
                    self._hand_over(key.data)
            self._expire_idle()

    def _select_timeout(self, poll_interval: float) -> float:
        """Sleep until the next idle deadline or the end of an accept pause, at most poll_interval."""
        now = time.monotonic()
        wake_at = [now + poll_interval]
        oldest = next(iter(self._waiting.values()), None)
        if oldest is not None:
            wake_at.append(oldest.last + self.limits.idle_timeout)
        if self._accept_paused_until > now:
            wake_at.append(self._accept_paused_until)
        return max(0.0, min(wake_at) - now)

    def _accept(self) -> None:
        """Accept what the listen backlog holds, closing the longest-idle connection when at the cap."""
        while self._stop_at is None:
            with self._lock:
                full = self._open >= self.limits.max_connections
            if full:
                if not self._waiting:
                    return
                self._close_waiting(next(iter(self._waiting.values())))
            try:
                sock, address = self.socket.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as err:  # out of file descriptors: stop listening for a moment
                log.warning("accept failed: %s", err)
                self._accept_paused_until = time.monotonic() + _ACCEPT_PAUSE
                return
            sock.setblocking(True)
            conn = Connection(sock, address)
            with self._lock:
                self._open += 1
            self._waiting[sock] = conn
            self._selector.register(sock, selectors.EVENT_READ, conn)

    def _hand_over(self, conn: Connection) -> None:
        """A waiting connection has request bytes: queue it for a worker."""
        self._selector.unregister(conn.sock)
        del self._waiting[conn.sock]
        self._ready.put(conn)

    def _expire_idle(self) -> None:
        """Close connections that sent nothing within the idle timeout (the oldest are first)."""
        deadline = time.monotonic() - self.limits.idle_timeout
        while self._waiting:
            conn = next(iter(self._waiting.values()))
            if conn.last > deadline:
                return
            self._close_waiting(conn)

    def _close_waiting(self, conn: Connection) -> None:
        """Close an idle connection."""
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(conn.sock)
        self._waiting.pop(conn.sock, None)
        self._close(conn)

    def _close(self, conn: Connection) -> None:
        """Close a connection and count it closed."""
        with contextlib.suppress(OSError):
            conn.sock.close()
        with self._lock:
            was_full = self._open >= self.limits.max_connections
            self._open -= 1
        if was_full and self._stop_at is None:
            self._wake()  # the accept loop stopped listening for want of room

    def _wake(self) -> None:
        """Wake the accept loop."""
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def _work(self) -> None:
        """A worker: serve queued connections one at a time until a None arrives."""
        while (conn := self._ready.get()) is not None:
            conn.last = time.monotonic()
            with self._lock:
                self._active[conn.sock] = conn
            try:
                self.finish_request(conn.sock, conn.address)
            except Exception:  # noqa: BLE001 - one bad connection must not end the worker
                log.exception("request from %s failed", conn.address)
            finally:
                with self._lock:
                    self._active.pop(conn.sock, None)
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_WR)
                self._close(conn)

    def _drain(self) -> None:
        """After a stop: refuse new connections, close idle ones, cut stalled uploads, let the rest finish."""
        stop_at = self._stop_at or time.monotonic()
        with contextlib.suppress(OSError):
            self.socket.close()  # connections still in the backlog are refused
        for conn in list(self._waiting.values()):
            self._close_waiting(conn)
        for _ in self._workers:
            self._ready.put(None)  # after the queued connections: those are served (or cut) first
        deadline = stop_at + self.limits.shutdown_grace
        while any(worker.is_alive() for worker in self._workers):
            now = time.monotonic()
            if self._abandon or now >= deadline:
                busy = sum(worker.is_alive() for worker in self._workers)
                log.warning("stopping with %d request(s) still in flight", busy)
                return
            with self._lock:
                active = list(self._active.values())
            for conn in active:
                if not conn.reading or now - max(conn.last, stop_at) > STOP_STALL or now - stop_at > STOP_READ_LIMIT:
                    conn.cut_reading()  # harmless once the request is read: the response still goes out
            for worker in self._workers:
                worker.join(timeout=0.05)
                if worker.is_alive():
                    break
