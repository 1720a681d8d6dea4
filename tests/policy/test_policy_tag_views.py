"""An account's tag views (accounts file joined with Organizations, and the file alone) and the decision over them."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator.policy import Rule
from emulator.policy.tag_views import decide, tags_reader

RULE = Rule(
    name="police-moratorium-2020",
    account_tags={"sector": ("police", "law-enforcement")},
    start=datetime(2020, 6, 10, tzinfo=UTC),
    end=datetime(2021, 6, 10, tzinfo=UTC),
    exempt_account_tags={"purpose": ("missing-children",)},
)
INSIDE = datetime(2020, 12, 1, tzinfo=UTC)
AFTER = datetime(2022, 1, 1, tzinfo=UTC)
FILE = {"111111111111": {"sector": "police"}, "222222222222": {"sector": "retail"}}


def test_views_are_the_union_and_the_file_alone() -> None:
    tags_of = tags_reader(lambda account: FILE.get(account, {}), lambda account: {"purpose": "missing-children"})
    assert list(tags_of("111111111111")) == [{"sector": "police", "purpose": "missing-children"},
                                             {"sector": "police"}]


def test_organizations_tags_bring_an_account_under_a_rule_but_never_out_of_one() -> None:
    brought_in = tags_reader(lambda a: FILE.get(a, {}), lambda a: {"sector": "law-enforcement"})
    decision = decide((RULE,), brought_in, account="222222222222", operation="SearchFaces", now=INSIDE)
    assert decision is not None and not decision.allowed
    exempted = tags_reader(lambda a: FILE.get(a, {}), lambda a: {"sector": "bakery", "purpose": "missing-children"})
    decision = decide((RULE,), exempted, account="111111111111", operation="SearchFaces", now=INSIDE)
    assert decision is not None and not decision.allowed and decision.rule is RULE


def test_no_covering_rule_reads_no_tags() -> None:
    def unreadable(account: str) -> dict[str, str]:
        raise AssertionError("tags read although no rule covers the request")

    tags_of = tags_reader(unreadable, unreadable)
    assert decide((RULE,), tags_of, account="111111111111", operation="SearchFaces", now=AFTER) is None
    assert decide((RULE,), tags_of, account="111111111111", operation="DetectFaces", now=INSIDE) is None


def test_unreadable_tags_deny_under_a_covering_rule() -> None:
    def broken(account: str) -> dict[str, str]:
        raise RuntimeError("organizations backend unavailable")

    tags_of = tags_reader(lambda a: FILE.get(a, {}), broken)
    decision = decide((RULE,), tags_of, account="222222222222", operation="IndexFaces", now=INSIDE)
    assert decision is not None and not decision.allowed
    assert decision.message is not None and "could not be read" in decision.message


def test_an_untagged_account_is_allowed() -> None:
    tags_of = tags_reader(lambda a: FILE.get(a, {}), lambda a: {})
    decision = decide((RULE,), tags_of, account="222222222222", operation="IndexFaces", now=INSIDE)
    assert decision is not None and decision.allowed
