"""Evaluating rules: windows, tag matching, exemptions, failing closed, messages, and a property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.policy import RECOGNITION_OPERATIONS, Decision, Rule, builtin_policy, covers, evaluate

START = datetime(2020, 6, 10, tzinfo=UTC)
END = datetime(2021, 6, 10, tzinfo=UTC)
POLICE = "111111111111"
RULE = Rule(
    name="police-moratorium-2020",
    account_tags={"sector": ("police", "law-enforcement")},
    start=START,
    end=END,
    exempt_account_tags={"purpose": ("missing-children", "anti-trafficking")},
)
INSIDE = datetime(2020, 12, 1, tzinfo=UTC)


def decide(
    tags: dict[str, str] | None, operation: str = "SearchFacesByImage", now: datetime = INSIDE
) -> Decision:
    """Evaluate the test rule for the police account."""
    return evaluate((RULE,), account=POLICE, tags=tags, operation=operation, now=now)


def test_tagged_account_denied_inside_the_window() -> None:
    decision = decide({"sector": "police"})
    assert not decision.allowed and decision.rule is RULE
    assert decision.message == (
        "User: arn:aws:iam::111111111111:root is not authorized to perform: rekognition:SearchFacesByImage: "
        "denied by moratorium police-moratorium-2020 (2020-06-10 to 2021-06-10) "
        "for accounts tagged sector=police"
    )
    assert not decide({"sector": "law-enforcement", "team": "x"}).allowed


def test_window_start_inclusive_end_exclusive() -> None:
    tags = {"sector": "police"}
    assert decide(tags, now=START - timedelta(microseconds=1)).allowed
    assert not decide(tags, now=START).allowed
    assert not decide(tags, now=END - timedelta(microseconds=1)).allowed
    assert decide(tags, now=END).allowed


def test_instants_with_offsets_and_naive_instants_compare_in_utc() -> None:
    tags = {"sector": "police"}
    plus_two = timezone(timedelta(hours=2))
    assert decide(tags, now=datetime(2020, 6, 10, 1, 59, tzinfo=plus_two)).allowed
    assert not decide(tags, now=datetime(2020, 6, 10, 2, 0, tzinfo=plus_two)).allowed
    assert not decide(tags, now=datetime(2020, 6, 10)).allowed


def test_exemption_any_matching_key() -> None:
    assert decide({"sector": "police", "purpose": "missing-children"}).allowed
    assert decide({"sector": "police", "purpose": "anti-trafficking"}).allowed
    assert not decide({"sector": "police", "purpose": "surveillance"}).allowed
    two_keys = Rule("r", {"sector": ("police",)}, START, None, exempt_account_tags={"a": ("1",), "b": ("2",)})
    for tags in ({"sector": "police", "a": "1"}, {"sector": "police", "b": "2"}):
        assert evaluate((two_keys,), account=POLICE, tags=tags, operation="IndexFaces", now=INSIDE).allowed


def test_all_selector_keys_must_match() -> None:
    rule = Rule("r", {"sector": ("police",), "country": ("us", "uk")}, START, None)
    for tags, allowed in [
        ({"sector": "police", "country": "uk"}, False),
        ({"sector": "police"}, True),
        ({"country": "us"}, True),
        ({"sector": "police", "country": "fr"}, True),
    ]:
        assert (
            evaluate((rule,), account=POLICE, tags=tags, operation="IndexFaces", now=INSIDE).allowed
            is allowed
        )
    decision = evaluate(
        (rule,),
        account=POLICE,
        tags={"sector": "police", "country": "uk"},
        operation="IndexFaces",
        now=INSIDE,
    )
    assert decision.message is not None
    assert decision.message.endswith(
        "(2020-06-10 until further notice) for accounts tagged sector=police, country=uk"
    )


def test_empty_selector_covers_every_account() -> None:
    rule = Rule("everyone", {}, START, None)
    decision = evaluate((rule,), account="123456789012", tags={}, operation="CompareFaces", now=INSIDE)
    assert (
        not decision.allowed
        and decision.message is not None
        and decision.message.endswith("for all accounts")
    )


def test_untagged_and_other_accounts_allowed() -> None:
    assert decide({}) == Decision(allowed=True, rule=None, message=None)
    assert decide({"sector": "retail"}).allowed
    assert decide({"Sector": "police"}).allowed  # tag keys are case-sensitive, as in AWS


def test_tags_none_fails_closed_when_covered() -> None:
    decision = decide(None)
    assert not decision.allowed and decision.rule is RULE
    assert decision.message == (
        "User: arn:aws:iam::111111111111:root is not authorized to perform: rekognition:SearchFacesByImage: "
        "denied by moratorium police-moratorium-2020 (2020-06-10 to 2021-06-10) "
        "because the account's tags could not be read"
    )


def test_tags_none_allowed_when_nothing_covers() -> None:
    assert decide(None, operation="DetectFaces").allowed
    assert decide(None, now=END).allowed
    assert evaluate((), account=POLICE, tags=None, operation="IndexFaces", now=INSIDE).allowed


def test_operations_not_covered_allowed() -> None:
    for operation in ("DetectFaces", "CreateCollection", "ListFaces", "DeleteFaces", "DeleteCollection"):
        assert decide({"sector": "police"}, operation=operation).allowed
    narrow = Rule("narrow", {"sector": ("police",)}, START, None, operations=frozenset({"IndexFaces"}))
    tags = {"sector": "police"}
    assert evaluate((narrow,), account=POLICE, tags=tags, operation="SearchFaces", now=INSIDE).allowed
    assert not evaluate((narrow,), account=POLICE, tags=tags, operation="IndexFaces", now=INSIDE).allowed


def test_covers() -> None:
    rules = builtin_policy()
    assert covers(rules, "SearchFacesByImage", START)
    assert not covers(rules, "SearchFacesByImage", START - timedelta(seconds=1))
    assert not covers(rules, "SearchFacesByImage", END)
    assert not covers(rules, "DetectFaces", START)
    assert not covers((), "IndexFaces", START)


def test_builtin_policy() -> None:
    rules = builtin_policy()
    police = {"sector": "police"}
    for operation in sorted(RECOGNITION_OPERATIONS):
        assert not evaluate(rules, account=POLICE, tags=police, operation=operation, now=START).allowed
        assert evaluate(rules, account=POLICE, tags=police, operation=operation, now=END).allowed
    assert evaluate(rules, account=POLICE, tags=police, operation="DetectFaces", now=START).allowed
    law = {"sector": "law-enforcement"}
    assert not evaluate(rules, account=POLICE, tags=law, operation="CompareFaces", now=START).allowed
    exempt = {"sector": "police", "purpose": "missing-children"}
    assert not evaluate(rules, account=POLICE, tags=exempt, operation="CompareFaces", now=START).allowed


def test_first_denying_rule_wins_and_exempt_rules_are_skipped() -> None:
    exempting = Rule("a", {"sector": ("police",)}, START, None, exempt_account_tags={"purpose": ("x",)})
    strict = Rule("b", {"sector": ("police",)}, START, None)
    tags = {"sector": "police", "purpose": "x"}
    decision = evaluate((exempting, strict), account=POLICE, tags=tags, operation="IndexFaces", now=INSIDE)
    assert decision.rule is strict


def test_window_shows_time_of_day_when_not_midnight() -> None:
    rule = Rule("r", {}, datetime(2020, 6, 10, 12, 30, tzinfo=UTC), datetime(2020, 6, 11, tzinfo=UTC))
    decision = evaluate(
        (rule,), account=POLICE, tags={}, operation="IndexFaces", now=datetime(2020, 6, 10, 13)
    )
    assert decision.message is not None and "(2020-06-10T12:30:00Z to 2020-06-11)" in decision.message


# The property: an oracle written from the definition, against random tags, operations and instants.
KEYS = ("sector", "purpose", "country")
VALUES = ("police", "law-enforcement", "missing-children", "anti-trafficking", "us", "retail")
OPERATIONS = sorted(RECOGNITION_OPERATIONS | {"DetectFaces", "ListFaces", "CreateCollection"})
tag_sets = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=3)
selectors = st.dictionaries(
    st.sampled_from(KEYS), st.lists(st.sampled_from(VALUES), min_size=1, max_size=3).map(tuple), max_size=2
)
near_window = st.one_of(
    st.sampled_from([START, END, START - timedelta(microseconds=1), END - timedelta(microseconds=1)]),
    st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2023, 1, 1), timezones=st.just(UTC)),
)


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    """Draw a rule with a random selector, exemptions, operations and window (maybe open-ended)."""
    start = draw(
        st.datetimes(min_value=datetime(2019, 6, 1), max_value=datetime(2021, 1, 1), timezones=st.just(UTC))
    )
    end = draw(
        st.one_of(
            st.none(),
            st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=2000)).map(
                lambda d: start + d
            ),
        )
    )
    return Rule(
        name="r",
        account_tags=draw(selectors),
        start=start,
        end=end,
        operations=draw(st.frozensets(st.sampled_from(OPERATIONS), min_size=1)),
        exempt_account_tags=draw(selectors),
    )


def should_deny(rule: Rule, tags: dict[str, str] | None, operation: str, now: datetime) -> bool:
    """The oracle, straight from the definition."""
    inside = rule.start <= now and (rule.end is None or now < rule.end)
    if operation not in rule.operations or not inside:
        return False
    if tags is None:
        return True
    matches = all(tags.get(k) in v for k, v in rule.account_tags.items())
    exempt = any(tags.get(k) in v for k, v in rule.exempt_account_tags.items())
    return matches and not exempt


@settings(max_examples=400, deadline=None)
@given(tags=tag_sets, operation=st.sampled_from(OPERATIONS), now=near_window)
def test_property_builtin_like_rule(tags: dict[str, str], operation: str, now: datetime) -> None:
    decision = evaluate((RULE,), account=POLICE, tags=tags, operation=operation, now=now)
    assert decision.allowed is not should_deny(RULE, tags, operation, now)
    assert (decision.message is None) is decision.allowed


@settings(max_examples=200, deadline=None)
@given(
    rule_list=st.lists(rules(), max_size=3),
    tags=st.one_of(st.none(), tag_sets),
    operation=st.sampled_from(OPERATIONS),
    now=near_window,
)
def test_property_random_rules(
    rule_list: list[Rule], tags: dict[str, str] | None, operation: str, now: datetime
) -> None:
    decision = evaluate(rule_list, account=POLICE, tags=tags, operation=operation, now=now)
    assert decision.allowed is not any(should_deny(rule, tags, operation, now) for rule in rule_list)
    if not decision.allowed:
        assert decision.rule is not None and should_deny(decision.rule, tags, operation, now)
    assert covers(rule_list, operation, now) is any(
        should_deny(rule, None, operation, now) for rule in rule_list
    )
