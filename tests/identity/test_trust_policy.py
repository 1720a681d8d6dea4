"""The pure STS checks: the IAM trust-policy check behind AssumeRole across accounts, and the calls refused."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from emulator.identity import Identity
from emulator.identity.trust import StsRefusal, check_call, check_unsigned, trusts


@dataclass(frozen=True)
class StsCall:
    """An STS call as the router reads it."""

    method: str
    role_arn: str | None
    partition: str


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_B = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole"}


def test_a_policy_naming_the_account_trusts_it_and_no_other() -> None:
    assert trusts(_doc(ALLOW_B), "222222222222", "aws")
    assert not trusts(_doc(ALLOW_B), "333333333333", "aws")
    assert trusts(_doc({**ALLOW_B, "Principal": {"AWS": ["222222222222"]}}), "222222222222", "aws")


def test_wildcards_actions_and_an_explicit_deny() -> None:
    star = {"Effect": "Allow", "Principal": "*", "Action": ["sts:Assume*"]}
    assert trusts(_doc(star), "444444444444", "aws")
    deny = {"Effect": "Deny", "Principal": {"AWS": "444444444444"}, "Action": "sts:*"}
    assert not trusts(_doc(star, deny), "444444444444", "aws")
    other_action = {**ALLOW_B, "Action": "sts:TagSession"}
    assert not trusts(_doc(other_action), "222222222222", "aws")


def test_unreadable_documents_trust_nobody() -> None:
    for document in ("", "not json", "[]", json.dumps({"Statement": "x"})):
        assert not trusts(document, "222222222222", "aws")


class _Iam:
    """An IAM with one role in account 111111111111 that trusts ALLOW_B's account."""

    role = "arn:aws:iam::111111111111:role/shared"

    def role_account(self, role_arn: str) -> str | None:
        return role_arn.split(":")[4] or None

    def role_trust_policy(self, account: str, role_arn: str, partition: str) -> str | None:
        return _doc(ALLOW_B) if (account, role_arn) == ("111111111111", self.role) else None

    def caller_arn(self, akid: str, account: str, partition: str) -> str:
        return f"arn:{partition}:iam::{account}:user/{akid}"


def _call(method: str, role_arn: str | None = None) -> StsCall:
    return StsCall(method, role_arn, "aws")


def _refusal(call: StsCall, caller: Identity, temporary: bool = False) -> tuple[str, int, str] | None:
    try:
        check_call(call, caller, temporary=temporary, iam=_Iam())
    except StsRefusal as refusal:
        return refusal.code, refusal.status, refusal.message
    return None


def test_assume_role_needs_a_role_that_trusts_the_callers_account() -> None:
    trusted = Identity("222222222222", "us-east-1", "AKIATRUSTED", "sts")
    other = Identity("333333333333", "us-east-1", "AKIAOTHER", "sts")
    assert _refusal(_call("assume_role", _Iam.role), trusted) is None
    assert _refusal(_call("assume_role", _Iam.role), other) == (
        "AccessDenied", 403,
        f"User: arn:aws:iam::333333333333:user/AKIAOTHER is not authorized to perform: sts:AssumeRole on resource: "
        f"{_Iam.role}",
    )
    missing = "arn:aws:iam::111111111111:role/none"
    refused = _refusal(_call("assume_role", missing), trusted)
    assert refused is not None and refused[:2] == ("AccessDenied", 403)
    refused = _refusal(_call("assume_role"), trusted)
    assert refused is not None and refused[:2] == ("ValidationError", 400)


def test_federation_and_session_token_with_session_credentials_are_refused() -> None:
    caller = Identity("222222222222", "us-east-1", "AKIA", "sts")
    for method in ("assume_role_with_web_identity", "assume_role_with_saml"):
        refused = _refusal(_call(method), caller)
        assert refused is not None and refused[:2] == ("InvalidIdentityToken", 400)
        with pytest.raises(StsRefusal):
            check_unsigned(_call(method))
    check_unsigned(_call("get_caller_identity"))
    check_unsigned(None)
    assert _refusal(_call("get_session_token"), caller) is None
    assert _refusal(_call("get_session_token"), caller, temporary=True) == (
        "AccessDenied", 403, "Cannot call GetSessionToken with session credentials"
    )
    assert _refusal(_call("get_caller_identity"), caller, temporary=True) is None
