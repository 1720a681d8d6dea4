"""Keys moto minted, account isolation in S3, and what moto_bridge reads from moto."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import moto_bridge
from emulator.identity.accounts import AccountsFile
from tests.identity.helpers import ACME, POLICE, Serve, echoed_identity, make_role

ROLE_ACCOUNT = "333333333333"
CALLER_ACCOUNT = "123456789012"  # the default testing/testing key's account


def test_iam_created_keys_are_accepted_and_mapped_to_the_users_account(
    serve: Serve, client: Any, accounts_file: AccountsFile
) -> None:
    endpoint = serve(accounts_file)
    iam = client("iam", endpoint, *ACME[:2])
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    creds = (key["AccessKeyId"], key["SecretAccessKey"])
    assert client("sts", endpoint, *creds).get_caller_identity()["Account"] == ACME[2]
    assert echoed_identity(client("rekognition", endpoint, *creds).list_collections())["account"] == ACME[2]
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint, creds[0], "wrong-secret").list_collections()
    assert exc.value.response["Error"]["Code"] == "InvalidSignatureException"
    iam.update_access_key(UserName="alice", AccessKeyId=creds[0], Status="Inactive")
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint, *creds).get_caller_identity()
    assert exc.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_assumed_role_credentials_need_their_session_token(serve: Serve, client: Any) -> None:
    endpoint = serve()
    role_arn = make_role(serve, client, ROLE_ACCOUNT, "any", CALLER_ACCOUNT)
    creds = client("sts", endpoint).assume_role(RoleArn=role_arn, RoleSessionName="session")["Credentials"]
    akid, secret, token = creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
    assert client("sts", endpoint, akid, secret, token=token).get_caller_identity()["Account"] == ROLE_ACCOUNT
    rek = client("rekognition", endpoint, akid, secret, token=token, region="eu-west-1")
    assert echoed_identity(rek.list_collections())["account"] == ROLE_ACCOUNT
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint, akid, secret, token="forged").list_collections()
    assert exc.value.response["Error"]["Code"] == "UnrecognizedClientException"
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint, akid, secret).get_caller_identity()
    assert exc.value.response["Error"]["Code"] == "InvalidClientTokenId"
    with pytest.raises(ClientError) as exc:
        client("s3", endpoint, akid, secret, token="forged").list_buckets()
    assert exc.value.response["Error"]["Code"] == "InvalidToken"


def test_expired_session_token_is_refused(serve: Serve, client: Any) -> None:
    import time

    offset = [0.0]
    endpoint = serve(clock=lambda: time.time() + offset[0])
    role_arn = make_role(serve, client, ROLE_ACCOUNT, "any", CALLER_ACCOUNT)
    creds = client("sts", endpoint).assume_role(RoleArn=role_arn, RoleSessionName="session", DurationSeconds=900)[
        "Credentials"
    ]
    offset[0] = 901.0  # the server's clock moves past the expiry; requests are signed "now", within skew
    args = (creds["AccessKeyId"], creds["SecretAccessKey"])
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint, *args, token=creds["SessionToken"]).list_collections()
    assert exc.value.response["Error"]["Code"] == "ExpiredTokenException"
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint, *args, token=creds["SessionToken"]).get_caller_identity()
    assert exc.value.response["Error"]["Code"] == "ExpiredToken"


def test_minted_key_reports_secret_account_token_expiry(serve: Serve, client: Any) -> None:
    endpoint = serve()
    iam = client("iam", endpoint)
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    assert moto_bridge.minted_key(key["AccessKeyId"]) == (key["SecretAccessKey"], "123456789012", None, None)
    role_arn = make_role(serve, client, ROLE_ACCOUNT, "r", CALLER_ACCOUNT)
    creds = client("sts", endpoint).assume_role(RoleArn=role_arn, RoleSessionName="session")["Credentials"]
    secret, account, token, expiry = moto_bridge.minted_key(creds["AccessKeyId"]) or ("", "", None, None)
    assert (secret, account, token) == (creds["SecretAccessKey"], ROLE_ACCOUNT, creds["SessionToken"])
    assert expiry == pytest.approx(creds["Expiration"].timestamp(), abs=1)
    assert moto_bridge.minted_key("AKIANOTMINTED0000000") is None


def test_buckets_are_isolated_between_accounts(serve: Serve, client: Any, accounts_file: AccountsFile) -> None:
    endpoint = serve(accounts_file)
    police, acme = client("s3", endpoint, *POLICE[:2]), client("s3", endpoint, *ACME[:2])
    police.create_bucket(Bucket="police-photos")
    police.put_object(Bucket="police-photos", Key="dir/a b+c.jpg", Body=b"face")
    assert [b["Name"] for b in police.list_buckets()["Buckets"]] == ["police-photos"]
    assert acme.list_buckets()["Buckets"] == []
    read = moto_bridge.read_s3_object
    assert read(POLICE[2], "police-photos", "dir/a b+c.jpg", None, region="us-east-1") == b"face"
    police.put_object(Bucket="police-photos", Key="ünï/código 1.jpg", Body=b"utf8")
    assert police.get_object(Bucket="police-photos", Key="ünï/código 1.jpg")["Body"].read() == b"utf8"
    with pytest.raises(moto_bridge.S3ObjectUnavailable):
        moto_bridge.read_s3_object(ACME[2], "police-photos", "dir/a b+c.jpg", None, region="us-east-1")


def test_read_s3_object_honours_version_and_reports_missing(serve: Serve, client: Any) -> None:
    endpoint = serve()
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket="versions", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket="versions", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="versions", Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket="versions", Key="k", Body=b"two")
    account = "123456789012"
    assert moto_bridge.read_s3_object(account, "versions", "k", None, region="eu-west-1") == b"two"
    assert moto_bridge.read_s3_object(account, "versions", "k", first, region="eu-west-1") == b"one"
    with pytest.raises(moto_bridge.S3ObjectUnavailable):  # the bucket is in eu-west-1, not in the caller's region
        moto_bridge.read_s3_object(account, "versions", "k", None, region="us-east-1")
    for bucket, key, version in [
        ("versions", "k", "no-such-version"),
        ("versions", "missing", None),
        ("no-such-bucket", "k", None),
    ]:
        with pytest.raises(moto_bridge.S3ObjectUnavailable):
            moto_bridge.read_s3_object(account, bucket, key, version, region="eu-west-1")
    s3.delete_object(Bucket="versions", Key="k")  # a delete marker is not an object
    with pytest.raises(moto_bridge.S3ObjectUnavailable):
        moto_bridge.read_s3_object(account, "versions", "k", None, region="eu-west-1")


def test_read_s3_object_size_limit(serve: Serve, client: Any) -> None:
    endpoint = serve()
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket="sizes")
    s3.put_object(Bucket="sizes", Key="big", Body=b"x" * 2048)
    big = moto_bridge.read_s3_object("123456789012", "sizes", "big", None, max_bytes=2048, region="us-east-1")
    assert len(big) == 2048
    with pytest.raises(moto_bridge.S3ObjectTooLarge):
        moto_bridge.read_s3_object("123456789012", "sizes", "big", None, max_bytes=2047, region="us-east-1")


def test_copy_s3_object_streams_the_object_to_a_file(serve: Serve, client: Any, tmp_path: Path) -> None:
    """Videos are copied in pieces (never whole in memory), found and refused exactly as read_s3_object does."""
    endpoint = serve()
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket="videos")
    s3.put_bucket_versioning(Bucket="videos", VersioningConfiguration={"Status": "Enabled"})
    payload = os.urandom(2 * moto_bridge.s3.COPY_PIECE + 12345)  # crosses two piece boundaries
    first = s3.put_object(Bucket="videos", Key="clip.mp4", Body=payload)["VersionId"]
    s3.put_object(Bucket="videos", Key="clip.mp4", Body=b"newer")
    account, dest = "123456789012", tmp_path / "copy.mp4"
    moto_bridge.copy_s3_object(account, "videos", "clip.mp4", first, dest, len(payload), region="us-east-1")
    assert dest.read_bytes() == payload
    moto_bridge.copy_s3_object(account, "videos", "clip.mp4", None, dest, len(payload), region="us-east-1")
    assert dest.read_bytes() == b"newer"
    with pytest.raises(moto_bridge.S3ObjectTooLarge):
        moto_bridge.copy_s3_object(account, "videos", "clip.mp4", first, dest, len(payload) - 1, region="us-east-1")
    for other_account, region in [(ACME[2], "us-east-1"), (account, "eu-west-1")]:
        with pytest.raises(moto_bridge.S3ObjectUnavailable):
            moto_bridge.copy_s3_object(other_account, "videos", "clip.mp4", None, dest, 1 << 30, region=region)


def test_underscore_metadata_survives_signature_check(serve: Serve, client: Any) -> None:
    endpoint = serve()
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket="meta")
    s3.put_object(Bucket="meta", Key="k", Body=b"v", Metadata={"my_key": "1", "other-key": "2"})
    assert s3.head_object(Bucket="meta", Key="k")["Metadata"] == {"my_key": "1", "other-key": "2"}


def test_presigned_get_is_verified(serve: Serve, client: Any) -> None:
    import urllib.error
    import urllib.request

    endpoint = serve()
    s3 = client("s3", endpoint, signature_version="s3v4")
    s3.create_bucket(Bucket="shared")
    s3.put_object(Bucket="shared", Key="k", Body=b"presigned")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "shared", "Key": "k"}, ExpiresIn=60)
    with urllib.request.urlopen(url) as resp:
        assert resp.read() == b"presigned"
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"))
    exc.value.close()  # an HTTPError holds the response: closing it closes the connection
    assert exc.value.code == 403


def test_organization_tags(serve: Serve, client: Any, accounts_file: AccountsFile) -> None:
    endpoint = serve(accounts_file)
    org = client("organizations", endpoint, *ACME[:2])
    org.create_organization(FeatureSet="ALL")
    status = org.create_account(AccountName="unit", Email="u@example.com", Tags=[{"Key": "sector", "Value": "police"}])
    member = status["CreateAccountStatus"]["AccountId"]
    assert moto_bridge.organization_tags(member) == {"sector": "police"}
    org.tag_resource(ResourceId=member, Tags=[{"Key": "purpose", "Value": "missing-children"}])
    assert moto_bridge.organization_tags(member) == {"sector": "police", "purpose": "missing-children"}
    org.tag_resource(ResourceId=ACME[2], Tags=[{"Key": "sector", "Value": "retail"}])
    assert moto_bridge.organization_tags(ACME[2]) == {"sector": "retail"}
    assert moto_bridge.organization_tags(POLICE[2]) == {}
    assert moto_bridge.organization_tags("999999999999") == {}


def test_expired_presigned_url_is_refused(serve: Serve, client: Any) -> None:
    import time
    import urllib.error
    import urllib.request

    offset = [0.0]
    endpoint = serve(clock=lambda: time.time() + offset[0])
    s3 = client("s3", endpoint, signature_version="s3v4")
    s3.create_bucket(Bucket="shared")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "shared", "Key": "k"}, ExpiresIn=5)
    offset[0] = 10.0
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(url)
    with exc.value:  # an HTTPError holds the response: closing it closes the connection
        body = exc.value.read()
    assert exc.value.code == 403
    assert b"<Code>AccessDenied</Code><Message>Request has expired</Message>" in body


@pytest.mark.parametrize(
    ("target", "body"),
    [
        ("Foo.Bar", b"Action=AssumeRoleWithWebIdentity"),  # a target makes moto route elsewhere
        (None, b"Action=AssumeRoleWithWebIdentity&junk"),  # moto cannot read this Action: falls back to S3
        (None, b"Action=AssumeRoleWith%57ebIdentity"),  # moto does not decode the Action
    ],
)
def test_unsigned_federation_lookalike_cannot_reach_s3(serve: Serve, target: str | None, body: bytes) -> None:
    import http.client
    from urllib.parse import urlsplit

    from moto.s3.models import s3_backends

    url = urlsplit(serve())
    headers = {"Content-Type": "application/x-www-form-urlencoded"} | ({"X-Amz-Target": target} if target else {})
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.request("PUT", "/victim-bucket", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert 400 <= response.status < 500
    assert "victim-bucket" not in s3_backends.bucket_accounts


def test_multipart_upload_and_concurrent_puts_through_the_router(serve: Serve, client: Any) -> None:
    import io
    from concurrent.futures import ThreadPoolExecutor

    from boto3.s3.transfer import TransferConfig

    endpoint = serve()
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket="load")
    s3.put_bucket_versioning(Bucket="load", VersioningConfiguration={"Status": "Enabled"})
    payload = bytes(range(256)) * (6 * 4096 + 7)  # ~6 MiB, two parts
    s3.upload_fileobj(io.BytesIO(payload), "load", "big", Config=TransferConfig(multipart_threshold=5 * 2**20))
    assert moto_bridge.read_s3_object("123456789012", "load", "big", None, region="us-east-1") == payload

    clients = [client("s3", endpoint) for _ in range(8)]  # created here: boto3 sessions are not thread-safe

    def put(i: int) -> None:
        clients[i % 8].put_object(Bucket="load", Key="same", Body=str(i).encode())

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(40)))
    versions = s3.list_object_versions(Bucket="load", Prefix="same")["Versions"]
    assert len(versions) == 40
