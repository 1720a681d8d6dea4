"""Decide whether an account may perform an operation now, under a set of moratorium rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from emulator.policy.rules import Rule, TagSelector


@dataclass(frozen=True)
class Decision:
    """The outcome: allowed, or denied by a rule with the AccessDeniedException message to answer."""

    allowed: bool
    rule: Rule | None = None
    message: str | None = None


ALLOW = Decision(allowed=True)


def covers(rules: Iterable[Rule], operation: str, now: datetime) -> bool:
    """True when some rule applies to the operation at ``now``, so the account's tags must be read."""
    return any(rule.covers(operation, now) for rule in rules)


def evaluate(
    rules: Iterable[Rule], *, account: str, tags: Mapping[str, str] | None, operation: str, now: datetime
) -> Decision:
    """Allow, or deny by the first rule that covers the operation now and selects the account.

    ``tags=None`` means the account's tags could not be read: any covering rule then denies (fail closed).
    """
    for rule in rules:
        if not rule.covers(operation, now):
            continue
        if tags is None:
            reason = "because the account's tags could not be read"
            return Decision(False, rule, _message(rule, account, operation, reason))
        if _selects(rule.account_tags, tags) and not _exempts(rule.exempt_account_tags, tags):
            reason = f"for {_describe_tags(rule.account_tags, tags)}"
            return Decision(False, rule, _message(rule, account, operation, reason))
    return ALLOW


def _selects(selector: TagSelector, tags: Mapping[str, str]) -> bool:
    """True when every key of the selector matches one of its listed values (an empty selector: all)."""
    return all(tags.get(key) in values for key, values in selector.items())


def _exempts(selector: TagSelector, tags: Mapping[str, str]) -> bool:
    """True when any key of the exemption selector matches one of its listed values."""
    return any(tags.get(key) in values for key, values in selector.items())


def _describe_tags(selector: TagSelector, tags: Mapping[str, str]) -> str:
    """Say which of the account's tags selected it, e.g. ``accounts tagged sector=police``."""
    if not selector:
        return "all accounts"
    return "accounts tagged " + ", ".join(f"{key}={tags[key]}" for key in selector)


def _format_instant(instant: datetime) -> str:
    """Show a date alone at midnight UTC, else the full instant in UTC with a Z."""
    instant = instant.astimezone(UTC)
    if instant.time() == datetime.min.time():
        return instant.date().isoformat()
    return instant.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def describe_window(rule: Rule) -> str:
    """Say a rule's window, e.g. ``2020-06-10 to 2021-06-10`` or ``2020-06-10 until further notice``."""
    start = _format_instant(rule.start)
    if rule.end is None:
        return f"{start} until further notice"
    return f"{start} to {_format_instant(rule.end)}"


def _message(rule: Rule, account: str, operation: str, reason: str) -> str:
    """Build the AccessDeniedException message in the shape IAM denials use."""
    return (
        f"User: arn:aws:iam::{account}:root is not authorized to perform: rekognition:{operation}: "
        f"denied by moratorium {rule.name} ({describe_window(rule)}) {reason}"
    )
