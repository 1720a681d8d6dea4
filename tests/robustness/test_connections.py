"""Connections have limits: a fixed pool of workers, read and idle timeouts, and a prompt drain on SIGTERM."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from emulator.config import ConnectionLimits, Settings
from emulator.gateway.connections import PooledWSGIServer
from tests.photos import identities, photo
from tests.rawhttp import (
    REKOGNITION_JSON,
    connect,
    read_answer,
    read_to_close,
    read_until,
    request_head,
    signed_headers,
)
from tests.robustness.procserver import ServerProcess
from tests.support import start_live_server

HALF_HEADERS = b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Tar"


def test_idle_connections_take_no_thread_each() -> None:
    live = start_live_server(Settings(port=0, data_dir=None))  # the default limits
    try:
        client = live.client()
        client.list_collections()
        before = threading.active_count()
        idle = [connect(live.endpoint) for _ in range(200)]
        try:
            assert client.list_collections()["CollectionIds"] == []  # answered with 200 idle sockets open
            assert threading.active_count() - before < 5
        finally:
            for sock in idle:
                sock.close()
    finally:
        live.stop()


def test_half_sent_requests_wait_for_the_workers_and_are_dropped_after_the_read_timeout() -> None:
    live = start_live_server(Settings(port=0, data_dir=None, connections=ConnectionLimits(workers=2, read_timeout=0.5)))
    try:
        client = live.client()
        client.list_collections()
        before = threading.active_count()
        stalled = [connect(live.endpoint) for _ in range(6)]
        for sock in stalled:
            sock.sendall(HALF_HEADERS)
        assert client.list_collections()["CollectionIds"] == []  # served once a worker is free again
        assert threading.active_count() - before < 5
        for sock in stalled:
            assert read_to_close(sock, 10) == b""  # dropped by the server, without an answer
            sock.close()
    finally:
        live.stop()


def test_a_connection_that_sends_nothing_is_closed_after_the_idle_timeout() -> None:
    live = start_live_server(Settings(port=0, data_dir=None, connections=ConnectionLimits(idle_timeout=0.5)))
    try:
        with connect(live.endpoint) as sock:
            assert read_to_close(sock, 10) == b""
        assert live.client().list_collections()["CollectionIds"] == []
    finally:
        live.stop()


def test_at_the_connection_cap_the_longest_idle_connection_makes_room() -> None:
    live = start_live_server(Settings(port=0, data_dir=None, connections=ConnectionLimits(max_connections=3)))
    try:
        idle = [connect(live.endpoint) for _ in range(3)]
        assert live.client().list_collections()["CollectionIds"] == []
        assert read_to_close(idle[0], 10) == b""
        for sock in idle:
            sock.close()
    finally:
        live.stop()


class HeldApp:
    """A WSGI app whose requests wait until the test releases them."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        """Answer `done` once released."""
        self.started.set()
        self.release.wait(30)
        start_response("200 OK", [("Content-Length", "4")])
        return [b"done"]


def _pooled(app: HeldApp, **limits: Any) -> tuple[PooledWSGIServer, threading.Thread, socket.socket]:
    """A pooled server running app in a thread, and a connection whose request app holds."""
    server = PooledWSGIServer("127.0.0.1", 0, app, WSGIRequestHandler, ConnectionLimits(**limits))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    sock = connect(f"http://127.0.0.1:{server.port}")
    sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert app.started.wait(10)
    return server, thread, sock


def test_a_stop_lets_the_request_in_flight_finish() -> None:
    app = HeldApp()
    server, thread, sock = _pooled(app, shutdown_grace=60)
    with sock:
        server.stop_soon()
        deadline = time.monotonic() + 10
        while True:  # new connections are refused once the drain has begun
            try:
                connect(f"http://127.0.0.1:{server.port}").close()
            except (ConnectionRefusedError, ConnectionResetError):  # reset: it was in the backlog as it closed
                break
            assert time.monotonic() < deadline
        assert thread.is_alive()
        app.release.set()
        answer = read_answer(sock)
    assert (answer.status, answer.body) == (200, b"done")
    thread.join(10)
    assert not thread.is_alive()


def test_a_stop_waits_no_longer_than_the_grace_and_a_second_signal_not_at_all() -> None:
    for grace, abandon in ((0.2, False), (60.0, True)):
        app = HeldApp()
        server, thread, sock = _pooled(app, shutdown_grace=grace)
        with sock:
            server.stop_soon()
            if abandon:
                server.abandon()
            thread.join(10)
            assert not thread.is_alive() and not app.release.is_set()  # returned with the request still held
            app.release.set()


def _threads(pid: int) -> int:
    """The number of threads of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no Threads line")


def test_serve_options_bound_a_server_process(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", ["--workers", "3", "--read-timeout", "0.5"])
    endpoint = server.start()
    held: list[socket.socket] = []
    try:
        client = server.client()
        client.list_collections()
        before = _threads(server.pid)
        held += [connect(endpoint) for _ in range(100)]
        stalled = connect(endpoint)
        held.append(stalled)
        stalled.sendall(HALF_HEADERS)
        assert client.list_collections()["CollectionIds"] == []
        assert _threads(server.pid) - before < 5
        assert read_to_close(stalled, 10) == b""
        server.terminate()
        assert server.wait(timeout=10) == 0
    finally:
        server.kill()
        for sock in held:
            sock.close()


def _index_request(endpoint: str, image: bytes) -> tuple[bytes, bytes]:
    """The head (asking for 100 Continue) and body of a signed IndexFaces request."""
    body = json.dumps({"CollectionId": "drain", "ExternalImageId": "in-flight",
                       "Image": {"Bytes": base64.b64encode(image).decode()}}).encode()
    headers = signed_headers(endpoint, "RekognitionService.IndexFaces", body)
    headers.update({"Content-Length": str(len(body)), "Expect": "100-continue"})
    return request_head(endpoint, headers), body


def test_sigterm_with_idle_and_half_sent_connections_finishes_in_flight_work_and_exits(
    tmp_path: Path, faces_dir: Path
) -> None:
    del faces_dir
    first, second = (photo(paths[0]) for paths in list(identities().values())[:2])
    server = ServerProcess(tmp_path / "data")
    endpoint = server.start()
    held: list[socket.socket] = []
    try:
        client = server.client()
        client.create_collection(CollectionId="drain")
        client.index_faces(CollectionId="drain", Image={"Bytes": first})  # the engine is loaded
        held += [connect(endpoint) for _ in range(50)]  # idle
        half_headers = connect(endpoint)
        half_headers.sendall(HALF_HEADERS)
        half_body = connect(endpoint)
        half_body.sendall(request_head(endpoint, {"X-Amz-Target": "RekognitionService.ListCollections",
                                                  "Content-Type": REKOGNITION_JSON, "Content-Length": "1000",
                                                  "Expect": "100-continue"}))
        read_until(half_body, b"100 Continue")  # a worker holds it, waiting for the rest of the body
        half_body.sendall(b'{"MaxRes')
        in_flight = connect(endpoint, timeout=60)
        head, body = _index_request(endpoint, second)
        in_flight.sendall(head)
        read_until(in_flight, b"100 Continue")
        in_flight.sendall(body)
        held += [half_headers, half_body, in_flight]
        server.terminate()
        started = time.monotonic()
        code = server.wait(timeout=10)
        assert time.monotonic() - started < 10
        assert code == 0, server.tail()
        answer = read_answer(in_flight, 10)
        assert answer.status == 200, answer
        assert json.loads(answer.body)["FaceRecords"]
        cut = read_answer(half_body, 10)
        assert cut.status == 400 and cut.json_error() == "IncompleteBody"
        assert "Rekognition emulator stopped" in server.tail()
    finally:
        server.kill()
        for sock in held:
            sock.close()


def test_serve_on_a_taken_port_says_so_and_exits_2() -> None:
    """Binding a port in use is a clean start-up error (werkzeug's own handler would sys.exit(1) mid-init)."""
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "emulator", "serve", "--in-memory", "--port", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
