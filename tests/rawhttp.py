"""Raw HTTP over a socket for transport tests: exact bytes out, the answer read until the server closes."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REKOGNITION_JSON = "application/x-amz-json-1.1"


@dataclass
class Answer:
    """What came back on a connection: status None when the server closed without answering."""

    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json_error(self) -> str:
        """The __type of an AWS JSON error body (fails the test if it is not one)."""
        assert self.headers.get("content-type") == REKOGNITION_JSON, (self.headers, self.body)
        document: dict[str, Any] = json.loads(self.body)
        assert set(document) == {"__type", "message"}, document
        return str(document["__type"])

    def xml_error(self) -> str:
        """The <Code> of an AWS XML error body (fails the test if it is not one)."""
        assert self.headers.get("content-type") in ("application/xml", "text/xml"), (self.headers, self.body)
        text = self.body.decode()
        assert "<html" not in text.lower() and "<Error>" in text, text
        return text.split("<Code>", 1)[1].split("</Code>", 1)[0]


def connect(endpoint: str, timeout: float = 10.0) -> socket.socket:
    """Open a TCP connection to the server."""
    url = urlsplit(endpoint)
    sock = socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def exchange(endpoint: str, data: bytes, *, half_close: bool = False, timeout: float = 10.0) -> Answer:
    """Send data on a new connection (then shut our write side if half_close) and read the answer."""
    with connect(endpoint, timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return read_answer(sock, timeout)


def read_answer(sock: socket.socket, timeout: float = 10.0) -> Answer:
    """Read until the server closes the connection (TimeoutError if it does not within timeout)."""
    raw = read_to_close(sock, timeout)
    while raw.startswith(b"HTTP/1.1 100"):  # interim 100 Continue answers
        raw = raw.split(b"\r\n\r\n", 1)[1]
    if not raw:
        return Answer(None)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(lines[0].split()[1]), headers, body)


def read_to_close(sock: socket.socket, timeout: float) -> bytes:
    """Every byte the server sends until it closes; TimeoutError if it keeps the connection past timeout."""
    deadline = time.monotonic() + timeout
    data = b""
    while True:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def read_until(sock: socket.socket, marker: bytes, timeout: float = 10.0) -> bytes:
    """Read until marker has arrived (e.g. an interim `100 Continue`)."""
    deadline = time.monotonic() + timeout
    data = b""
    while marker not in data:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        assert chunk, f"closed before {marker!r}: {data!r}"
        data += chunk
    return data


def signed_headers(endpoint: str, target: str, body: bytes, region: str = "us-east-1") -> dict[str, str]:
    """SigV4 headers (default credentials) for a Rekognition JSON request carrying body."""
    headers = {"Content-Type": REKOGNITION_JSON, "X-Amz-Target": target}
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials("testing", "testing"), "rekognition", region).add_auth(request)
    return dict(request.headers.items())


def request_head(endpoint: str, headers: dict[str, str], method: str = "POST", path: str = "/") -> bytes:
    """The request line and header section (ending in the empty line) for raw sending."""
    host = urlsplit(endpoint).netloc
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def chunked(body: bytes, size: int = 7) -> bytes:
    """body in Transfer-Encoding: chunked framing, size bytes a chunk."""
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"
