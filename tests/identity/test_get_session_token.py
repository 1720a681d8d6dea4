"""GetSessionToken credentials: the caller's own account, their own token and expiry, like AWS."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.identity.accounts import AccountsFile
from tests.identity.helpers import ACME, POLICE, Serve, echoed_identity, make_role


def _code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    """(code, HTTP status) of a ClientError."""
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_session_credentials_work_and_belong_to_the_callers_account(
    serve: Serve, client: Any, accounts_file: AccountsFile
) -> None:
    endpoint = serve(accounts_file)
    acme = client("sts", endpoint, *ACME[:2]).get_session_token(DurationSeconds=900)["Credentials"]
    police = client("sts", endpoint, *POLICE[:2]).get_session_token()["Credentials"]
    assert acme["AccessKeyId"] != police["AccessKeyId"] and acme["SessionToken"] != police["SessionToken"]
    creds = (acme["AccessKeyId"], acme["SecretAccessKey"])
    token = acme["SessionToken"]
    assert client("sts", endpoint, *creds, token=token).get_caller_identity()["Account"] == ACME[2]
    seen = echoed_identity(client("rekognition", endpoint, *creds, token=token, region="eu-west-1").list_collections())
    assert (seen["account"], seen["region"], seen["access_key_id"]) == (ACME[2], "eu-west-1", creds[0])
    s3 = client("s3", endpoint, *creds, token=token)
    s3.create_bucket(Bucket="made-with-session-keys")
    buckets = client("s3", endpoint, *ACME[:2]).list_buckets()["Buckets"]
    assert [b["Name"] for b in buckets] == ["made-with-session-keys"]
    police_creds = (police["AccessKeyId"], police["SecretAccessKey"])
    rek = client("rekognition", endpoint, *police_creds, token=police["SessionToken"])
    assert echoed_identity(rek.list_collections())["account"] == POLICE[2]


def test_session_credentials_need_their_own_token(serve: Serve, client: Any, accounts_file: AccountsFile) -> None:
    endpoint = serve(accounts_file)
    acme = client("sts", endpoint, *ACME[:2]).get_session_token()["Credentials"]
    police = client("sts", endpoint, *POLICE[:2]).get_session_token()["Credentials"]
    creds = (acme["AccessKeyId"], acme["SecretAccessKey"])
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint, *creds).list_collections()
    assert _code(exc) == ("UnrecognizedClientException", 400)
    with pytest.raises(ClientError) as exc:
        client("rekognition", endpoint, *creds, token=police["SessionToken"]).list_collections()
    assert _code(exc) == ("UnrecognizedClientException", 400)
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint, creds[0], "wrong", token=acme["SessionToken"]).get_caller_identity()
    assert _code(exc) == ("SignatureDoesNotMatch", 403)


def test_session_credentials_expire(serve: Serve, client: Any) -> None:
    offset = [0.0]
    endpoint = serve(clock=lambda: time.time() + offset[0])
    creds = client("sts", endpoint).get_session_token(DurationSeconds=900)["Credentials"]
    rek = client("rekognition", endpoint, creds["AccessKeyId"], creds["SecretAccessKey"], token=creds["SessionToken"])
    rek.list_collections()
    offset[0] = 901.0  # the signature is made with the real clock: 15 minutes of skew are still accepted
    with pytest.raises(ClientError) as exc:
        rek.list_collections()
    assert _code(exc) == ("ExpiredTokenException", 400)


def test_get_session_token_refuses_session_credentials(serve: Serve, client: Any) -> None:
    endpoint = serve()
    creds = client("sts", endpoint).get_session_token()["Credentials"]
    session = (creds["AccessKeyId"], creds["SecretAccessKey"])
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint, *session, token=creds["SessionToken"]).get_session_token()
    assert _code(exc) == ("AccessDenied", 403)
    assert exc.value.response["Error"]["Message"] == "Cannot call GetSessionToken with session credentials"
    role_arn = make_role(serve, client, "123456789012", "own-role", "123456789012")
    role = client("sts", endpoint).assume_role(RoleArn=role_arn, RoleSessionName="session")["Credentials"]
    role_sts = client("sts", endpoint, role["AccessKeyId"], role["SecretAccessKey"], token=role["SessionToken"])
    assert role_sts.get_caller_identity()["Account"] == "123456789012"  # AssumeRole credentials keep working
    with pytest.raises(ClientError) as exc:
        role_sts.get_session_token()
    assert _code(exc) == ("AccessDenied", 403)
