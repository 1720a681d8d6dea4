"""SigV4 as strict as AWS: the scope's region and service, the payload hash, session tokens, SigV4A."""

from __future__ import annotations

import hashlib
import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from emulator.identity.scope import real_regions
from tests.identity.helpers import Serve, echoed_identity

REKOGNITION = {"X-Amz-Target": "RekognitionService.ListCollections", "Content-Type": "application/x-amz-json-1.1"}
QUERY = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
CALLER_IDENTITY = b"Action=GetCallerIdentity&Version=2011-06-15"
SCOPED_TO = "Credential should be scoped to correct service: '{}'. "
SCOPED_TO_REKOGNITION = SCOPED_TO.format("rekognition")
VALID_REGION = "Credential should be scoped to a valid region. "


def _signing_payload_as(base: type[SigV4Auth], value: str) -> type[SigV4Auth]:
    """A botocore signer whose canonical request takes `value` as the body's hash (S3's: also its header)."""

    class Signer(base):  # type: ignore[misc]
        def payload(self, request: AWSRequest) -> str:
            return value

    return Signer


_UnsignedPayload = _signing_payload_as(SigV4Auth, "UNSIGNED-PAYLOAD")


def _send(
    endpoint: str,
    body: bytes,
    headers: dict[str, str],
    *,
    service: str = "rekognition",
    region: str = "us-east-1",
    method: str = "POST",
    path: str = "/",
    token: str | None = None,
    signer: type[SigV4Auth] = SigV4Auth,
    sent_body: bytes | None = None,
) -> tuple[int, bytes]:
    """Sign a raw request with botocore (key testing) and send it as signed, or with `sent_body` instead."""
    request = AWSRequest(method=method, url=endpoint + path, data=body, headers=dict(headers))
    signer(Credentials("testing", "testing", token), service, region).add_auth(request)
    url = urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        conn.request(method, path, body=body if sent_body is None else sent_body, headers=dict(request.headers))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _json_error(status: int, body: bytes) -> tuple[int, str, str]:
    """(status, __type, message) of a JSON error answer."""
    error = json.loads(body)
    return status, error["__type"], error["message"]


def _xml_error(status: int, body: bytes) -> tuple[int, str, str]:
    """(status, Code, Message) of an XML error answer."""
    text = body.decode()
    return status, text.split("<Code>")[1].split("</Code>")[0], text.split("<Message>")[1].split("</Message>")[0]


def _code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    """(code, HTTP status, message) of a ClientError."""
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


@pytest.mark.parametrize("service", ["s3", "sts", "iam", "dynamodb"])
def test_rekognition_refuses_a_signature_scoped_to_another_service(serve: Serve, service: str) -> None:
    status, body = _send(serve(), b"{}", REKOGNITION, service=service)
    assert _json_error(status, body) == (400, "InvalidSignatureException", SCOPED_TO_REKOGNITION)


def test_moto_refuses_a_scope_that_is_not_the_signing_name_of_the_service_it_reaches(serve: Serve) -> None:
    endpoint = serve()
    status, body = _send(endpoint, CALLER_IDENTITY, QUERY, service="STS")  # moto would lower-case it
    assert _xml_error(status, body) == (403, "SignatureDoesNotMatch", SCOPED_TO.format("sts"))
    assert b'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"' in body
    status, body = _send(endpoint, b"Action=ListIdentities&Version=2010-12-01", QUERY, service="email")
    assert _xml_error(status, body) == (403, "SignatureDoesNotMatch", SCOPED_TO.format("ses"))
    status, body = _send(endpoint, b"", {}, service="S3", method="GET")
    assert _xml_error(status, body) == (
        400,
        "AuthorizationHeaderMalformed",
        'The authorization header is malformed; incorrect service "S3". This endpoint belongs to "s3".',
    )
    status, body = _send(endpoint, CALLER_IDENTITY, QUERY, service="no-such-service")
    assert status == 403 and b"Credential should be scoped to correct service" in body


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("sts", lambda c: c.get_caller_identity()),
        ("s3", lambda c: c.list_buckets()),
        ("ses", lambda c: c.list_identities()),
        ("sesv2", lambda c: c.list_email_identities()),
        ("cloudwatch", lambda c: c.list_metrics()),
        ("lambda", lambda c: c.list_functions()),
        ("dynamodb", lambda c: c.list_tables()),
        ("dynamodbstreams", lambda c: c.list_streams()),
        ("events", lambda c: c.list_event_buses()),
    ],
)
def test_boto3_clients_sign_as_their_service_expects(serve: Serve, client: Any, service: str, call: Any) -> None:
    call(client(service, serve(), region="eu-west-1"))


def test_an_unknown_region_is_refused_in_each_services_words(serve: Serve, client: Any) -> None:
    endpoint = serve()
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint, region="not-a-region").list_collections()
    assert _code(exc) == ("InvalidSignatureException", 400, VALID_REGION)
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint, region="not-a-region").get_caller_identity()
    assert _code(exc) == ("SignatureDoesNotMatch", 403, VALID_REGION)
    with pytest.raises(ClientError) as exc:
        client("s3", endpoint, region="not-a-region").list_buckets()
    assert _code(exc) == (
        "AuthorizationHeaderMalformed",
        400,
        "The authorization header is malformed; the region 'not-a-region' is wrong; expecting 'us-east-1'",
    )
    status, body = _send(endpoint, b"{}", REKOGNITION, service="sts", region="aws-global")  # a pseudo-region
    assert _json_error(status, body) == (400, "InvalidSignatureException", VALID_REGION + SCOPED_TO_REKOGNITION)


def test_every_region_of_every_partition_is_accepted(serve: Serve) -> None:
    endpoint = serve()
    regions = real_regions()
    assert {"us-east-1", "eu-west-1", "us-west-2", "ap-south-1", "cn-north-1", "us-gov-west-1"} <= regions
    for region in sorted(regions):
        status, body = _send(endpoint, b"{}", REKOGNITION, region=region)
        assert status == 200, (region, body)
        assert echoed_identity(json.loads(body))["region"] == region


def test_unsigned_payload_is_refused_for_rekognition(serve: Serve) -> None:
    endpoint = serve()
    headers = {**REKOGNITION, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}
    status, body = _send(endpoint, b"{}", headers, signer=_UnsignedPayload)
    assert _json_error(status, body)[:2] == (400, "InvalidSignatureException")
    swapped = b'{"CollectionId": "someone-elses"}'
    status, body = _send(endpoint, b"{}", headers, signer=_UnsignedPayload, sent_body=swapped)
    assert _json_error(status, body)[:2] == (400, "InvalidSignatureException")


def test_rekognition_signature_covers_the_body_whatever_the_content_sha256_header(serve: Serve) -> None:
    endpoint = serve()
    headers = {**REKOGNITION, "X-Amz-Content-SHA256": hashlib.sha256(b"{}").hexdigest()}
    assert _send(endpoint, b"{}", headers)[0] == 200
    status, body = _send(endpoint, b"{}", headers, sent_body=b"[]")
    assert _json_error(status, body)[:2] == (400, "InvalidSignatureException")


def test_s3_still_takes_unsigned_payload_and_refuses_a_garbage_payload_hash(serve: Serve, client: Any) -> None:
    endpoint = serve()
    client("s3", endpoint).create_bucket(Bucket="unsigned-payload")
    headers = {"Content-Type": "application/octet-stream"}
    status, _ = _send(endpoint, b"hello", headers, service="s3", method="PUT", path="/unsigned-payload/k",
                      signer=_signing_payload_as(S3SigV4Auth, "UNSIGNED-PAYLOAD"))
    assert status == 200
    assert client("s3", endpoint).get_object(Bucket="unsigned-payload", Key="k")["Body"].read() == b"hello"
    status, body = _send(endpoint, b"x", headers, service="s3", method="PUT", path="/unsigned-payload/k2",
                         signer=_signing_payload_as(S3SigV4Auth, "NOT-A-HASH"))
    code, message = _xml_error(status, body)[1:]
    assert (status, code) == (400, "InvalidArgument")
    assert message.startswith("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER")


def test_a_permanent_key_with_a_session_token_is_refused(serve: Serve, client: Any) -> None:
    endpoint = serve()
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint, token="made-up").list_collections()
    assert _code(exc) == ("UnrecognizedClientException", 400, "The security token included in the request is invalid.")
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint, token="made-up").get_caller_identity()
    assert _code(exc) == ("InvalidClientTokenId", 403, "The security token included in the request is invalid.")
    with pytest.raises(ClientError) as exc:
        client("s3", endpoint, token="made-up").list_buckets()
    assert _code(exc)[:2] == ("InvalidToken", 400)


def test_sigv4a_is_refused_as_unsupported(serve: Serve) -> None:
    endpoint = serve()
    now = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    authorization = (
        f"AWS4-ECDSA-P256-SHA256 Credential=testing/{now[:8]}/rekognition/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100" + "ab" * 32
    )
    url = urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        headers = {**REKOGNITION, "X-Amz-Date": now, "X-Amz-Region-Set": "*", "Authorization": authorization}
        conn.request("POST", "/", body=b"{}", headers=headers)
        response = conn.getresponse()
        status, kind, message = _json_error(response.status, response.read())
    finally:
        conn.close()
    assert (status, kind) == (400, "IncompleteSignatureException")
    assert message == "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). "


def test_a_signed_empty_content_type_verifies(serve: Serve) -> None:
    status, body = _send(serve(), b"{}", {**REKOGNITION, "Content-Type": ""})
    assert status == 200, body
    assert echoed_identity(json.loads(body))["account"] == "123456789012"


def test_a_presigned_url_for_an_unknown_region_is_refused_in_s3s_words(serve: Serve, client: Any) -> None:
    import urllib.error
    import urllib.request

    endpoint = serve()
    client("s3", endpoint).create_bucket(Bucket="presigned")
    client("s3", endpoint).put_object(Bucket="presigned", Key="k", Body=b"data")
    good = client("s3", endpoint, signature_version="s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": "presigned", "Key": "k"}
    )
    with urllib.request.urlopen(good, timeout=30) as response:
        assert response.read() == b"data"
    bad = client("s3", endpoint, region="not-a-region", signature_version="s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": "presigned", "Key": "k"}
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(bad, timeout=30)
    with exc.value:  # an HTTPError holds the response: closing it closes the connection
        body = exc.value.read()
    assert _xml_error(exc.value.code, body) == (
        400,
        "AuthorizationQueryParametersError",
        "Error parsing the X-Amz-Credential parameter; the region 'not-a-region' is wrong; expecting 'us-east-1'",
    )
