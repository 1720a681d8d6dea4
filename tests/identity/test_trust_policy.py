"""The pure IAM trust-policy check behind AssumeRole across accounts."""

from __future__ import annotations

import json

from emulator.identity.trust import trusts


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
