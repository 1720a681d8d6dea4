"""STS account switching: AssumeRole needs an existing role that trusts the caller; federation is refused."""

from __future__ import annotations

import base64
import http.client
import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from emulator import moto_bridge
from emulator.identity.accounts import AccountsFile
from tests.identity.helpers import ACME, POLICE, Serve, echoed_identity, make_role, trust_policy

FOREIGN = "333333333333"
STS_NS = b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'


def _denied(exc: pytest.ExceptionInfo[ClientError], caller: str, role_arn: str) -> None:
    """Assert the ClientError is STS's AccessDenied 403 for this caller and role."""
    error = exc.value.response["Error"]
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"


def _minted_roles() -> int:
    """How many assumed-role sessions moto's STS holds, in every account."""
    from moto.sts.models import sts_backends

    with moto_bridge.MOTO_LOCK:
        return sum(
            len(backend.assumed_roles)
            for per_account in list(dict.values(sts_backends))
            for backend in list(dict.values(per_account))
        )


def _post(endpoint: str, body: bytes, *, path: str = "/", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """POST raw bytes to the router; return (status, body)."""
    url = urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _signed_post(endpoint: str, key: tuple[str, str, str], query: str, body: bytes) -> tuple[int, bytes]:
    """POST a form body with a query string, SigV4-signed for sts with the key."""
    url = f"{endpoint}/?{query}" if query else f"{endpoint}/"
    request = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    SigV4Auth(Credentials(key[0], key[1]), "sts", "us-east-1").add_auth(request)
    headers = {k: str(v) for k, v in request.headers.items()}
    return _post(endpoint, body, path="/" + (f"?{query}" if query else ""), headers=headers)


def test_assume_role_into_a_foreign_account_without_the_role_is_denied(serve: Serve, client: Any) -> None:
    endpoint = serve()
    role_arn = f"arn:aws:iam::{FOREIGN}:role/anything"
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint).assume_role(RoleArn=role_arn, RoleSessionName="sess")
    _denied(exc, "arn:aws:iam::123456789012:root", role_arn)
    assert _minted_roles() == 0
    from moto.iam.models import iam_backends

    assert FOREIGN not in dict.keys(iam_backends)  # the check read moto's IAM without creating a backend


def test_assume_role_whose_trust_policy_does_not_name_the_caller_is_denied(
    serve: Serve, client: Any, accounts_file: AccountsFile
) -> None:
    endpoint = serve(accounts_file)
    role_arn = make_role(serve, client, ACME[2], "partners", "999999999999", f"arn:aws:iam::{ACME[2]}:root")
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint, *POLICE[:2]).assume_role(RoleArn=role_arn, RoleSessionName="sess")
    _denied(exc, f"arn:aws:iam::{POLICE[2]}:root", role_arn)
    assert _minted_roles() == 0


def test_a_deny_statement_and_a_service_principal_do_not_let_the_caller_in(
    serve: Serve, client: Any, accounts_file: AccountsFile
) -> None:
    endpoint = serve(accounts_file)
    iam = client("iam", serve(moto_account_override=ACME[2]))
    allow_then_deny = json.loads(trust_policy(POLICE[2]))
    allow_then_deny["Statement"].append({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    service_only = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    for name, policy in [("denied", allow_then_deny), ("ec2", service_only)]:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(policy))["Role"]["Arn"]
        with pytest.raises(ClientError) as exc:
            client("sts", endpoint, *POLICE[:2]).assume_role(RoleArn=arn, RoleSessionName="sess")
        _denied(exc, f"arn:aws:iam::{POLICE[2]}:root", arn)


def test_denial_names_the_iam_user_that_asked(serve: Serve, client: Any) -> None:
    endpoint = serve()
    iam = client("iam", endpoint)
    iam.create_user(UserName="mallory")
    key = iam.create_access_key(UserName="mallory")["AccessKey"]
    role_arn = f"arn:aws:iam::{FOREIGN}:role/admin"
    with pytest.raises(ClientError) as exc:
        client("sts", endpoint, key["AccessKeyId"], key["SecretAccessKey"]).assume_role(
            RoleArn=role_arn, RoleSessionName="sess"
        )
    _denied(exc, "arn:aws:iam::123456789012:user/mallory", role_arn)


@pytest.mark.parametrize("principal", ["{caller}", "arn:aws:iam::{caller}:root", "*"])
def test_assume_role_trusted_by_the_role_works_and_maps_to_the_roles_account(
    serve: Serve, client: Any, accounts_file: AccountsFile, principal: str
) -> None:
    endpoint = serve(accounts_file)
    role_arn = make_role(serve, client, ACME[2], "auditor", principal.format(caller=POLICE[2]))
    creds = client("sts", endpoint, *POLICE[:2]).assume_role(RoleArn=role_arn, RoleSessionName="audit")["Credentials"]
    args = (creds["AccessKeyId"], creds["SecretAccessKey"])
    token = creds["SessionToken"]
    assert client("sts", endpoint, *args, token=token).get_caller_identity()["Account"] == ACME[2]
    assert echoed_identity(client("rekognition", endpoint, *args, token=token).list_collections())["account"] == ACME[2]
    client("s3", endpoint, *args, token=token).create_bucket(Bucket="audit-bucket")
    assert [b["Name"] for b in client("s3", endpoint, *ACME[:2]).list_buckets()["Buckets"]] == ["audit-bucket"]


def test_same_account_role_works_without_naming_the_caller(serve: Serve, client: Any) -> None:
    endpoint = serve()
    role_arn = make_role(serve, client, "123456789012", "local", "999999999999")
    creds = client("sts", endpoint).assume_role(RoleArn=role_arn, RoleSessionName="sess")["Credentials"]
    sts = client("sts", endpoint, creds["AccessKeyId"], creds["SecretAccessKey"], token=creds["SessionToken"])
    identity = sts.get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"].endswith(":assumed-role/local/sess")


def test_keys_of_a_deleted_role_are_refused(serve: Serve, client: Any, accounts_file: AccountsFile) -> None:
    endpoint = serve(accounts_file)
    role_arn = make_role(serve, client, ACME[2], "temporary", POLICE[2])
    creds = client("sts", endpoint, *POLICE[:2]).assume_role(RoleArn=role_arn, RoleSessionName="sess")["Credentials"]
    assert moto_bridge.minted_key(creds["AccessKeyId"]) is not None
    client("iam", endpoint, *ACME[:2]).delete_role(RoleName="temporary")
    assert moto_bridge.minted_key(creds["AccessKeyId"]) is None
    assert moto_bridge.minted_key(creds["AccessKeyId"], require_role=False) is not None
    with pytest.raises(ClientError) as exc:
        client(
            "s3", endpoint, creds["AccessKeyId"], creds["SecretAccessKey"], token=creds["SessionToken"]
        ).list_buckets()
    assert exc.value.response["Error"]["Code"] == "InvalidAccessKeyId"


def test_role_arn_is_read_as_moto_reads_it_query_string_first(
    serve: Serve, client: Any, accounts_file: AccountsFile
) -> None:
    endpoint = serve(accounts_file)
    own = make_role(serve, client, POLICE[2], "own", POLICE[2])
    foreign = f"arn:aws:iam::{FOREIGN}:role/untagged"
    form = {"Action": "AssumeRole", "Version": "2011-06-15", "RoleSessionName": "sess", "RoleArn": own}
    status, body = _signed_post(endpoint, POLICE, urlencode({"RoleArn": foreign}), urlencode(form).encode())
    assert status == 403, body
    assert STS_NS in body and b"<Code>AccessDenied</Code>" in body and foreign.encode() in body
    assert _minted_roles() == 0
    status, body = _signed_post(endpoint, POLICE, "", urlencode(form).encode())
    assert status == 200, body
    assert _minted_roles() == 1


def test_gzipped_assume_role_is_checked_too(serve: Serve, client: Any) -> None:
    import gzip

    endpoint = serve()
    form = {
        "Action": "AssumeRole",
        "Version": "2011-06-15",
        "RoleSessionName": "sess",
        "RoleArn": f"arn:aws:iam::{FOREIGN}:role/x",
    }
    body = gzip.compress(urlencode(form).encode())
    request = AWSRequest(
        method="POST",
        url=f"{endpoint}/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"},
    )
    SigV4Auth(Credentials("testing", "testing"), "sts", "us-east-1").add_auth(request)
    status, answer = _post(endpoint, body, headers={k: str(v) for k, v in request.headers.items()})
    assert status == 403, answer
    assert b"<Code>AccessDenied</Code>" in answer
    assert _minted_roles() == 0


def _saml_assertion(role_arn: str) -> str:
    """A minimal SAML response naming the role, as moto's AssumeRoleWithSAML reads it."""
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Assertion><saml:AttributeStatement>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
<saml:AttributeValue>{role_arn},arn:aws:iam::{FOREIGN}:saml-provider/idp</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
<saml:AttributeValue>s</saml:AttributeValue></saml:Attribute>
</saml:AttributeStatement></saml:Assertion></samlp:Response>"""
    return base64.b64encode(xml.encode()).decode()


def test_unsigned_federation_is_refused_with_auth_on(serve: Serve, client: Any) -> None:
    endpoint = serve()
    role_arn = make_role(serve, client, FOREIGN, "web", "*")
    sts = client("sts", endpoint, signature_version=UNSIGNED)
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="sess", WebIdentityToken="token")
    assert exc.value.response["Error"]["Code"] == "InvalidIdentityToken"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as exc:
        sts.assume_role_with_saml(
            RoleArn=role_arn,
            PrincipalArn=f"arn:aws:iam::{FOREIGN}:saml-provider/idp",
            SAMLAssertion=_saml_assertion(role_arn),
        )
    assert exc.value.response["Error"]["Code"] == "InvalidIdentityToken"
    assert _minted_roles() == 0
    form = urlencode(
        {
            "Action": "AssumeRoleWithWebIdentity",
            "RoleArn": role_arn,
            "RoleSessionName": "sess",
            "WebIdentityToken": "t",
            "Version": "2011-06-15",
        }
    ).encode()
    status, body = _post(endpoint, form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and STS_NS in body and b"<Code>InvalidIdentityToken</Code>" in body
    status, body = _signed_post(endpoint, ("testing", "testing", ""), "", form)  # a signature makes no token valid
    assert status == 400 and b"<Code>InvalidIdentityToken</Code>" in body
    assert _minted_roles() == 0
    with pytest.raises(ClientError) as exc:
        client("s3", endpoint, signature_version=UNSIGNED).list_buckets()
    assert exc.value.response["Error"]["Code"] == "AccessDenied"


def test_auth_off_keeps_motos_federation_behaviour(serve: Serve, client: Any) -> None:
    endpoint = serve(auth=False)
    sts = client("sts", endpoint, signature_version=UNSIGNED)
    creds = sts.assume_role_with_web_identity(
        RoleArn=f"arn:aws:iam::{FOREIGN}:role/web", RoleSessionName="sess", WebIdentityToken="token"
    )["Credentials"]
    role_sts = client("sts", endpoint, creds["AccessKeyId"], creds["SecretAccessKey"], token=creds["SessionToken"])
    assert role_sts.get_caller_identity()["Account"] == FOREIGN
    creds = client("sts", endpoint).assume_role(RoleArn=f"arn:aws:iam::{FOREIGN}:role/none", RoleSessionName="sess")[
        "Credentials"
    ]
    assert creds["AccessKeyId"]
    assert time.time() < creds["Expiration"].timestamp()
