"""IAM trust policies: may a caller's account assume a role? Pure: the document comes from the IAM store."""

from __future__ import annotations

import fnmatch
import json
from typing import Any


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
