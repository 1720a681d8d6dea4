"""STS calls and IAM trust policies: which calls are refused, may a caller assume a role. Pure: IAM is handed in."""

from __future__ import annotations

import fnmatch
import json
from typing import Any, Protocol

from emulator.identity import Identity

FEDERATION_METHODS = frozenset({"assume_role_with_web_identity", "assume_role_with_saml"})
"""STS's calls (moto's handler names) that mint keys on an identity token or SAML assertion alone."""
# With auth on, they are refused as AWS refuses a token it cannot validate: the emulator validates no identity
# tokens or SAML assertions, so it never mints keys on one (signed or not).
_BAD_IDENTITY_TOKEN = (
    "InvalidIdentityToken",
    400,
    "The web identity token that was passed could not be validated by AWS. "
    "Get a new identity token from the identity provider and then retry the request.",
)


class StsRefusal(Exception):
    """An STS call refused before it reaches moto: (code, status, message) in STS's query-XML format."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.status, self.message = code, status, message


class StsRequest(Protocol):
    """An STS call as STS reads it: its handler method, the RoleArn of AssumeRole, the partition."""

    @property
    def method(self) -> str:
        """moto's handler name of the action, e.g. assume_role."""

    @property
    def role_arn(self) -> str | None:
        """AssumeRole's RoleArn; None when absent (or another action)."""

    @property
    def partition(self) -> str:
        """The partition the call is made in."""


class IamDirectory(Protocol):
    """What the checks read from IAM and STS (the moto bridge provides it)."""

    def role_account(self, role_arn: str) -> str | None:
        """The account a role ARN names, None when it names none."""

    def role_trust_policy(self, account: str, role_arn: str, partition: str) -> str | None:
        """The trust policy document of the role with exactly this ARN in the account; None if there is none."""

    def caller_arn(self, akid: str, account: str, partition: str) -> str:
        """The ARN AWS names the key's caller by."""


def unreadable_call() -> StsRefusal:
    """The refusal of an STS request that cannot be read (fail closed: the backend might still read a role in it)."""
    return StsRefusal("MalformedQueryString", 400, "The request could not be parsed.")


def check_unsigned(call: StsRequest | None) -> None:
    """An unsigned federation call gets STS's bad-token answer (the caller is told it is unauthenticated otherwise)."""
    if call is not None and call.method in FEDERATION_METHODS:
        raise StsRefusal(*_BAD_IDENTITY_TOKEN)


def check_call(call: StsRequest, caller: Identity, *, temporary: bool, iam: IamDirectory) -> None:
    """Refuse federation calls, GetSessionToken with session credentials, and AssumeRole of a role that does not
    exist or does not trust the caller's account; return when STS may answer."""
    check_unsigned(call)
    if call.method == "get_session_token" and temporary:
        raise StsRefusal("AccessDenied", 403, "Cannot call GetSessionToken with session credentials")
    if call.method != "assume_role":
        return
    if call.role_arn is None:
        raise StsRefusal(
            "ValidationError",
            400,
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: "
            "Member must not be null",
        )
    target = iam.role_account(call.role_arn) or caller.account
    document = iam.role_trust_policy(target, call.role_arn, call.partition)
    same_account = target == caller.account
    if document is None or not (same_account or trusts(document, caller.account, call.partition)):
        arn = iam.caller_arn(caller.access_key_id, caller.account, call.partition)
        raise StsRefusal(
            "AccessDenied",
            403,
            f"User: {arn} is not authorized to perform: sts:AssumeRole on resource: {call.role_arn}",
        )


def trusts(document: str, caller_account: str, partition: str) -> bool:
    """Whether a trust policy document allows (and does not deny) sts:AssumeRole to the caller's account."""
    try:
        policy = json.loads(document)
    except ValueError:
        return False
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    statements = [statements] if isinstance(statements, dict) else statements
    names = {caller_account, f"arn:{partition}:iam::{caller_account}:root", "*"}
    verdicts = [
        str(statement.get("Effect"))
        for statement in statements
        if isinstance(statement, dict) and _names_assume_role(statement) and _names_principal(statement, names)
    ]
    return "Allow" in verdicts and "Deny" not in verdicts


def _names_assume_role(statement: dict[str, Any]) -> bool:
    """Whether a statement's Action (wildcards, any case) covers sts:AssumeRole."""
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    return any(isinstance(a, str) and fnmatch.fnmatchcase("sts:assumerole", a.lower()) for a in actions)


def _names_principal(statement: dict[str, Any], names: set[str]) -> bool:
    """Whether a statement's Principal is "*" or its AWS principals include one of `names`."""
    principal = statement.get("Principal")
    if principal == "*":
        return True
    aws = principal.get("AWS", []) if isinstance(principal, dict) else []
    aws = [aws] if isinstance(aws, str) else aws
    return any(isinstance(p, str) and p in names for p in aws)
