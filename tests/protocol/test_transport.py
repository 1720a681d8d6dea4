"""Malformed transport on a real socket: bad chunking, wrong Content-Length, truncated or stalled bodies.

Each gets a 4xx error in its service's protocol (JSON for Rekognition, XML for S3 and STS), never a 500,
an HTML page, or a hang beyond the server's read timeout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from emulator.config import ConnectionLimits, Settings
from tests.rawhttp import (
    REKOGNITION_JSON,
    chunked,
    connect,
    exchange,
    read_answer,
    request_head,
    signed_headers,
)
from tests.support import LiveServer, start_live_server

LIST = "RekognitionService.ListCollections"
READ_TIMEOUT = 0.5
CHUNKED = {"Transfer-Encoding": "chunked"}
# (extra headers, body bytes, half-close after sending, expected error code)
FAULTS = {
    "chunk size zz": (CHUNKED, b"zz\r\n{}\r\n0\r\n\r\n", False, "InvalidRequest"),
    "negative chunk size": (CHUNKED, b"-2\r\n{}\r\n0\r\n\r\n", False, "InvalidRequest"),
    "chunk longer than its size": (CHUNKED, b"1\r\n{}\r\n0\r\n\r\n", False, "InvalidRequest"),
    "chunk cut short": (CHUNKED, b"10\r\n{}", True, "IncompleteBody"),
    "no last chunk": (CHUNKED, b"2\r\n{}\r\n", True, "IncompleteBody"),
    "Content-Length longer than the body": ({"Content-Length": "100"}, b"{}", True, "IncompleteBody"),
    "Content-Length not a number": ({"Content-Length": "abc"}, b"{}", False, "InvalidRequest"),
    "Content-Length negative": ({"Content-Length": "-2"}, b"{}", False, "InvalidRequest"),
}


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    """An in-memory server with a short read timeout."""
    server = start_live_server(Settings(port=0, data_dir=None, connections=ConnectionLimits(read_timeout=READ_TIMEOUT)))
    yield server
    server.stop()


@pytest.mark.parametrize("fault", FAULTS)
def test_rekognition_transport_faults_get_a_json_400(live: LiveServer, fault: str) -> None:
    extra, body, half_close, code = FAULTS[fault]
    head = request_head(live.endpoint, {"X-Amz-Target": LIST, "Content-Type": REKOGNITION_JSON, **extra})
    answer = exchange(live.endpoint, head + body, half_close=half_close)
    assert answer.status == 400, answer
    assert answer.json_error() == code


@pytest.mark.parametrize("fault", FAULTS)
def test_s3_transport_faults_get_an_xml_400(live: LiveServer, fault: str) -> None:
    extra, body, half_close, code = FAULTS[fault]
    head = request_head(live.endpoint, {"Content-Type": "application/octet-stream", **extra}, "PUT", "/bucket/key")
    answer = exchange(live.endpoint, head + body, half_close=half_close)
    assert answer.status == 400, answer
    assert answer.xml_error() == code


def test_sts_chunk_fault_gets_a_query_xml_400(live: LiveServer) -> None:
    head = request_head(live.endpoint, {"Content-Type": "application/x-www-form-urlencoded", **CHUNKED})
    answer = exchange(live.endpoint, head + b"zz\r\nAction=GetCallerIdentity\r\n0\r\n\r\n")
    assert answer.status == 400 and answer.body.startswith(b"<ErrorResponse")
    assert answer.xml_error() == "InvalidRequest"


def test_a_body_that_stops_arriving_gets_request_timeout(live: LiveServer) -> None:
    headers = {"X-Amz-Target": LIST, "Content-Type": REKOGNITION_JSON, "Content-Length": "100"}
    head = request_head(live.endpoint, headers)
    with connect(live.endpoint) as sock:
        sock.sendall(head + b'{"MaxResults"')  # and then nothing, with the connection left open
        answer = read_answer(sock, timeout=10 + READ_TIMEOUT)
    assert answer.status == 400
    assert answer.json_error() == "RequestTimeout"


def test_content_length_shorter_than_the_signed_body_is_refused(live: LiveServer) -> None:
    body = b'{"MaxResults": 10}'
    headers = signed_headers(live.endpoint, LIST, body)
    headers["Content-Length"] = str(len(body) - 5)
    answer = exchange(live.endpoint, request_head(live.endpoint, headers) + body)
    assert answer.status is not None and 400 <= answer.status < 500
    assert answer.json_error() == "InvalidSignatureException"


def test_a_well_formed_chunked_body_is_served(live: LiveServer) -> None:
    body = b'{"MaxResults": 10}'
    headers = {**signed_headers(live.endpoint, LIST, body), **CHUNKED}
    answer = exchange(live.endpoint, request_head(live.endpoint, headers) + chunked(body) + b"extra")
    assert answer.status == 200, answer
    assert json.loads(answer.body)["CollectionIds"] == []


def test_an_oversized_chunked_rekognition_body_is_refused(live: LiveServer) -> None:
    body = b'{"CollectionId":"' + b"a" * (17 * 1024 * 1024) + b'"}'
    head = request_head(live.endpoint, {"X-Amz-Target": "RekognitionService.ListFaces",
                                        "Content-Type": REKOGNITION_JSON, **CHUNKED})
    answer = exchange(live.endpoint, head + chunked(body, 1 << 20), timeout=60)
    assert answer.status == 400
    assert answer.json_error() == "ValidationException"


@pytest.mark.parametrize("line", [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/1.1 extra words\r\n\r\n"])
def test_an_unparsable_request_line_gets_xml_not_html(live: LiveServer, line: bytes) -> None:
    answer = exchange(live.endpoint, line)
    assert answer.status == 400, answer
    assert answer.xml_error() == "InvalidRequest"
