"""SigV4 verification through a real server: accepted, refused with each service's own error code."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.identity.helpers import ACME, POLICE, Serve, echoed_identity

SERVICES_CALLS = {
    "rekognition": lambda c: c.list_collections(),
    "s3": lambda c: c.list_buckets(),
    "sts": lambda c: c.get_caller_identity(),
    "iam": lambda c: c.list_users(),
    "organizations": lambda c: c.list_roots(),
}
WRONG_SECRET_CODES = {
    "rekognition": ("InvalidSignatureException", 400),
    "s3": ("SignatureDoesNotMatch", 403),
    "sts": ("SignatureDoesNotMatch", 403),
    "iam": ("SignatureDoesNotMatch", 403),
    "organizations": ("InvalidSignatureException", 400),
}
UNKNOWN_KEY_CODES = {
    "rekognition": ("UnrecognizedClientException", 400),
    "s3": ("InvalidAccessKeyId", 403),
    "sts": ("InvalidClientTokenId", 403),
    "iam": ("InvalidClientTokenId", 403),
    "organizations": ("UnrecognizedClientException", 400),
}


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    """(code, HTTP status) of a ClientError."""
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("service", sorted(SERVICES_CALLS))
def test_right_secret_is_accepted(serve: Serve, client: Any, service: str) -> None:
    endpoint = serve()
    if service == "organizations":
        client(service, endpoint).create_organization(FeatureSet="ALL")
    SERVICES_CALLS[service](client(service, endpoint))


@pytest.mark.parametrize("service", sorted(SERVICES_CALLS))
def test_wrong_secret_is_refused_with_the_service_code(serve: Serve, client: Any, service: str) -> None:
    endpoint = serve()
    with pytest.raises(ClientError) as exc:
        SERVICES_CALLS[service](client(service, endpoint, "testing", "not-the-secret"))
    assert _error(exc) == WRONG_SECRET_CODES[service]


@pytest.mark.parametrize("service", sorted(SERVICES_CALLS))
def test_unknown_key_is_refused_with_the_service_code(serve: Serve, client: Any, service: str) -> None:
    endpoint = serve()
    with pytest.raises(ClientError) as exc:
        SERVICES_CALLS[service](client(service, endpoint, "AKIANOBODY0000000000", "x"))
    assert _error(exc) == UNKNOWN_KEY_CODES[service]


def test_rekognition_messages_are_aws_wording(serve: Serve, client: Any) -> None:
    endpoint = serve()
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint, "nobody", "x").list_collections()
    assert exc.value.response["Error"]["Message"] == "The security token included in the request is invalid."
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint, "testing", "wrong").list_collections()
    assert exc.value.response["Error"]["Message"].startswith("The request signature we calculated does not match")
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    assert exc.value.response["ResponseMetadata"]["RequestId"]


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("rekognition", ("MissingAuthenticationTokenException", 400)),
        ("s3", ("AccessDenied", 403)),
        ("sts", ("MissingAuthenticationToken", 403)),
        ("organizations", ("MissingAuthenticationTokenException", 400)),
    ],
)
def test_unsigned_request_is_refused(serve: Serve, client: Any, service: str, expected: tuple[str, int]) -> None:
    from botocore import UNSIGNED

    endpoint = serve()
    unsigned = client(service, endpoint, signature_version=UNSIGNED)
    with pytest.raises(ClientError) as exc:
        SERVICES_CALLS[service](unsigned)
    assert _error(exc) == expected


@pytest.mark.parametrize("offset", [16 * 60, -16 * 60])
def test_clock_16_minutes_off_is_refused(serve: Serve, client: Any, offset: int) -> None:
    endpoint = serve(clock=lambda: time.time() + offset)
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint).list_collections()
    assert _error(exc) == ("InvalidSignatureException", 400)
    word = "Signature expired" if offset > 0 else "Signature not yet current"
    assert exc.value.response["Error"]["Message"].startswith(word)
    with pytest.raises(ClientError) as exc:
        client("s3", endpoint).list_buckets()
    assert _error(exc) == ("RequestTimeTooSkewed", 403)
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint).get_caller_identity()
    assert _error(exc) == ("SignatureDoesNotMatch", 403)


def test_clock_14_minutes_off_is_accepted(serve: Serve, client: Any) -> None:
    endpoint = serve(clock=lambda: time.time() + 14 * 60)
    client("rekognition", endpoint).list_collections()


def test_rekognition_body_altered_after_signing_is_refused(serve: Serve, client: Any) -> None:
    endpoint = serve()
    rek = client("rekognition", endpoint)

    def tamper(request: Any, **_: Any) -> None:
        request.body = request.body.replace(b"5", b"6")

    rek.meta.events.register("before-send.rekognition.ListCollections", tamper)
    with pytest.raises(ClientError) as exc:
        rek.list_collections(MaxResults=5)
    assert _error(exc) == ("InvalidSignatureException", 400)


def test_signed_target_altered_is_refused(serve: Serve, client: Any) -> None:
    endpoint = serve()
    rek = client("rekognition", endpoint)

    def tamper(request: Any, **_: Any) -> None:
        request.headers["X-Amz-Target"] = "RekognitionService.ListFaces"

    rek.meta.events.register("before-send.rekognition.ListCollections", tamper)
    with pytest.raises(ClientError) as exc:
        rek.list_collections()
    assert _error(exc)[0] == "InvalidSignatureException"


def test_s3_body_altered_gives_content_sha256_mismatch(serve: Serve, client: Any) -> None:
    endpoint = serve()
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket="bucket-b")

    def tamper(request: Any, **_: Any) -> None:
        body = request.body.read() if hasattr(request.body, "read") else request.body
        request.body = body.replace(b"hello", b"HELLO")

    s3.meta.events.register("before-send.s3.PutObject", tamper)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket="bucket-b", Key="k", Body=b"hello world")
    assert _error(exc) == ("XAmzContentSHA256Mismatch", 400)


def test_rekognition_gets_identity_with_account_and_region(serve: Serve, client: Any, accounts_file: Any) -> None:
    endpoint = serve(accounts_file)
    seen = echoed_identity(client("rekognition", endpoint, *POLICE[:2], region="eu-west-1").list_collections())
    assert seen == {
        "account": "111111111111",
        "region": "eu-west-1",
        "access_key_id": POLICE[0],
        "service": "rekognition",
    }
    response = client("rekognition", endpoint, *ACME[:2]).list_collections(MaxResults=7)
    assert echoed_identity(response)["account"] == ACME[2]
    assert response["CollectionIds"][1] == '{"MaxResults": 7}'  # the body survives the router's read
    assert response["FaceModelVersions"] == [ACME[2]]


def test_accounts_file_replaces_the_default_key(serve: Serve, client: Any, accounts_file: Any) -> None:
    endpoint = serve(accounts_file)
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint).get_caller_identity()
    assert _error(exc)[0] == "InvalidClientTokenId"


def test_get_caller_identity_returns_the_mapped_account(serve: Serve, client: Any, accounts_file: Any) -> None:
    endpoint = serve(accounts_file)
    assert client("sts", endpoint, *POLICE[:2]).get_caller_identity()["Account"] == POLICE[2]
    assert client("sts", endpoint, *ACME[:2], region="eu-west-1").get_caller_identity()["Account"] == ACME[2]


def test_default_key_maps_to_default_account(serve: Serve, client: Any) -> None:
    endpoint = serve()
    assert client("sts", endpoint).get_caller_identity()["Account"] == "123456789012"


def test_client_cannot_pick_its_account_with_x_moto_account_id(serve: Serve, client: Any, accounts_file: Any) -> None:
    endpoint = serve(accounts_file)
    sts = client("sts", endpoint, *ACME[:2])
    rek = client("rekognition", endpoint, *ACME[:2])

    def pick(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = POLICE[2]

    sts.meta.events.register("before-sign.sts.GetCallerIdentity", pick)
    rek.meta.events.register("before-sign.rekognition.ListCollections", pick)
    assert sts.get_caller_identity()["Account"] == ACME[2]
    assert echoed_identity(rek.list_collections())["account"] == ACME[2]


def test_moto_account_override_wins(serve: Serve, client: Any, accounts_file: Any) -> None:
    endpoint = serve(accounts_file, moto_account_override="555555555555")
    assert client("sts", endpoint, *ACME[:2]).get_caller_identity()["Account"] == "555555555555"
    assert echoed_identity(client("rekognition", endpoint, *POLICE[:2]).list_collections())["account"] == (
        "555555555555"
    )
    with pytest.raises(ClientError):
        client("sts", endpoint, *ACME[:1], "wrong").get_caller_identity()


def test_auth_off_maps_keys_without_checking(serve: Serve, client: Any, accounts_file: Any) -> None:
    endpoint = serve(accounts_file, auth=False)
    assert client("sts", endpoint, "whoever", "x").get_caller_identity()["Account"] == "123456789012"
    assert client("sts", endpoint, POLICE[0], "wrong").get_caller_identity()["Account"] == POLICE[2]
    seen = echoed_identity(client("rekognition", endpoint, "whoever", "x", region="eu-west-1").list_collections())
    assert (seen["account"], seen["region"]) == ("123456789012", "eu-west-1")


def test_auth_off_unsigned_defaults_to_us_east_1(serve: Serve, client: Any) -> None:
    from botocore import UNSIGNED

    endpoint = serve(auth=False)
    seen = echoed_identity(client("rekognition", endpoint, signature_version=UNSIGNED).list_collections())
    assert (seen["account"], seen["region"]) == ("123456789012", "us-east-1")


def test_unsigned_moto_api_reset_reaches_moto_only_with_the_moto_api_on(serve: Serve, client: Any) -> None:
    import urllib.error
    import urllib.request

    endpoint = serve()
    client("s3", endpoint).create_bucket(Bucket="before-reset")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    refused.value.close()  # an HTTPError holds the response: closing it closes the connection
    assert refused.value.code == 404
    assert [b["Name"] for b in client("s3", endpoint).list_buckets()["Buckets"]] == ["before-reset"]
    endpoint = serve(moto_api=True)
    with urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")) as resp:
        assert resp.status == 200
    assert client("s3", endpoint).list_buckets()["Buckets"] == []
