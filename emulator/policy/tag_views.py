"""An account's tags as the policy sees them, and the decision over every view (unreadable tags fail closed)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from emulator.policy.decision import Decision, covers, evaluate
from emulator.policy.rules import Rule

log = logging.getLogger(__name__)

Tags = Mapping[str, str]
TagsReader = Callable[[str], Sequence[Tags]]  # account -> the tag views a request must pass, every one


def tags_reader(file_tags_of: Callable[[str], Tags], organization_tags_of: Callable[[str], Tags]) -> TagsReader:
    """Return a reader of the tag views a policy must pass for an account.

    The union of the accounts file's and Organizations' tags, and the file's tags on their own: tags set
    through Organizations bring an account under a rule, but cannot take it out of one the file puts it
    under (by overwriting the tag, or by adding an exemption).
    """

    def tags_of(account: str) -> Sequence[Tags]:
        own = dict(file_tags_of(account))
        return ({**own, **organization_tags_of(account)}, own)

    return tags_of


def decide(
    rules: Iterable[Rule], tags_of: TagsReader, *, account: str, operation: str, now: datetime
) -> Decision | None:
    """The decision on an account's request, None when no rule covers the operation now (tags not read then).

    Every tag view must be allowed; tags that cannot be read deny under any covering rule.
    """
    rules = tuple(rules)
    if not covers(rules, operation, now):
        return None
    try:
        views: Sequence[Tags | None] = tags_of(account)
    except Exception:  # noqa: BLE001 - unreadable tags fail closed
        log.exception("cannot read tags of account %s", account)
        views = [None]
    decisions = [evaluate(rules, account=account, tags=tags, operation=operation, now=now) for tags in views]
    return next((d for d in decisions if not d.allowed), decisions[0])
