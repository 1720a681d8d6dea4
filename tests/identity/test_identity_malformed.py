"""Garbled requests get an AWS error in the caller's protocol, never a 5xx or a traceback."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest

from tests.identity.helpers import Serve

NOW = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
TODAY = NOW[:8]
GOOD_SCOPE = f"testing/{TODAY}/us-east-1/rekognition/aws4_request"
SIG = "0" * 64
AUTHORIZATIONS = [
    "",
    "AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256 ",
    "AWS4-HMAC-SHA256 Credential=",
    "AWS4-HMAC-SHA256 Credential=testing, SignedHeaders=host, Signature=" + SIG,
    f"AWS4-HMAC-SHA256 Credential={GOOD_SCOPE}, SignedHeaders=host, Signature=xyz",
    f"AWS4-HMAC-SHA256 Credential={GOOD_SCOPE}, SignedHeaders=x-amz-date, Signature={SIG}",
    f"AWS4-HMAC-SHA256 Credential={GOOD_SCOPE}, SignedHeaders=host;x-missing, Signature={SIG}",
    f"AWS4-HMAC-SHA256 Credential={GOOD_SCOPE},SignedHeaders=host;x-amz-date,Signature={SIG}",
    f"AWS4-HMAC-SHA256 Credential=testing/2001/us-east-1/rekognition/aws4_request, SignedHeaders=host, Signature={SIG}",
    f"AWS4-HMAC-SHA256 Credential=/{TODAY}//rekognition/aws4_request, SignedHeaders=host, Signature={SIG}",
    "AWS testing:c2lnbmF0dXJl",
    "Bearer abc.def.ghi",
    "AWS4-HMAC-SHA256 Credential=\u00e9\u00e9/x/y/z/aws4_request, SignedHeaders=host, Signature=" + SIG,
    "AWS4-HMAC-SHA256 ,,,,===,,",
]
DATES = [NOW, "", "not-a-date", "20010101T000000Z", "99999999T999999Z"]


def _post(endpoint: str, headers: dict[str, str], body: bytes = b"{}", path: str = "/") -> tuple[int, bytes]:
    """Send a raw request; return (status, body)."""
    url = urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("authorization", AUTHORIZATIONS)
def test_garbled_rekognition_authorization_gets_a_json_4xx(serve: Serve, authorization: str) -> None:
    endpoint = serve()
    for date in DATES:
        headers = {
            "X-Amz-Target": "RekognitionService.ListCollections",
            "X-Amz-Date": date,
            "Content-Type": "application/x-amz-json-1.1",
        }
        if authorization:
            headers["Authorization"] = authorization
        status, body = _post(endpoint, {k: v for k, v in headers.items() if v})
        assert 400 <= status < 500, (authorization, date, status, body)
        error = json.loads(body)
        assert error["__type"] in {
            "MissingAuthenticationTokenException",
            "IncompleteSignatureException",
            "InvalidSignatureException",
            "UnrecognizedClientException",
        }, (authorization, date, error)


def test_missing_and_incomplete_are_told_apart(serve: Serve) -> None:
    endpoint = serve()
    target = {"X-Amz-Target": "RekognitionService.ListCollections", "X-Amz-Date": NOW}
    assert json.loads(_post(endpoint, target)[1])["__type"] == "MissingAuthenticationTokenException"
    garbled = {**target, "Authorization": "AWS4-HMAC-SHA256 Credential=testing"}
    assert json.loads(_post(endpoint, garbled)[1])["__type"] == "IncompleteSignatureException"


@pytest.mark.parametrize("authorization", AUTHORIZATIONS)
def test_garbled_query_and_s3_authorization_gets_a_4xx(serve: Serve, authorization: str) -> None:
    endpoint = serve()
    for scope_service, content_type, path in [
        ("sts", "application/x-www-form-urlencoded", "/"),
        ("s3", "application/octet-stream", "/bucket/key"),
    ]:
        auth = authorization.replace("/rekognition/", f"/{scope_service}/")
        headers = {"Content-Type": content_type, "X-Amz-Date": NOW}
        if auth:
            headers["Authorization"] = auth
        status, body = _post(endpoint, headers, b"Action=GetCallerIdentity&Version=2011-06-15", path)
        assert 400 <= status < 500, (auth, status, body)
        assert b"<Code>" in body


def test_content_length_garbage_does_not_crash(serve: Serve) -> None:
    endpoint = serve()
    url = urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    conn.putrequest("POST", "/")
    conn.putheader("X-Amz-Target", "RekognitionService.ListCollections")
    conn.putheader("Content-Length", "abc")
    conn.endheaders()
    response = conn.getresponse()
    assert 400 <= response.status < 500
    conn.close()
