"""Moratorium rules: the data model, the default covered operations, the TOML loader, the built-in policy."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any

from emulator.policy.clock import parse_instant

TagSelector = Mapping[str, tuple[str, ...]]

# What the default covers: every operation that matches faces against other faces, or stores faces so that
# they can be matched later ("matches or stores faces for recognition", DESIGN.md).
#
# In:
#   IndexFaces            stores face descriptors in a collection: building a recognition gallery.
#   SearchFaces           matches a stored face against the collection.
#   SearchFacesByImage    matches a face in an image against the collection.
#   CompareFaces          matches faces of one image against another (one-to-one recognition).
#   AssociateFaces        folds faces into a user vector, and matches them against it (UserMatchThreshold).
#   SearchUsers           matches a face or user against the user vectors.
#   SearchUsersByImage    matches a face in an image against the user vectors.
#   StartFaceSearch       searches a video's faces against a collection (video twin of SearchFacesByImage).
#   GetFaceSearch         returns that search's matches.
#   RecognizeCelebrities, StartCelebrityRecognition, GetCelebrityRecognition
#                         match faces against Amazon's own gallery of celebrities.
# Out:
#   CreateUser            creates an empty identity: no face data, bookkeeping like CreateCollection.
#   DisassociateFaces, DeleteUser, DeleteFaces, DeleteCollection
#                         only remove recognition data; a moratorium must never stop anyone deleting it.
#   DetectFaces, StartFaceDetection, GetFaceDetection
#                         find faces and their attributes, but identify no one.
#   CreateCollection, DescribeCollection, ListCollections, ListFaces, ListUsers, tagging
#                         bookkeeping; they neither match nor store faces.
#   GetCelebrityInfo      looks a celebrity up by id; no face is involved.
#   CreateFaceLivenessSession, GetFaceLivenessSessionResults
#                         check that a face is live, not who it is.
RECOGNITION_OPERATIONS: frozenset[str] = frozenset(
    {
        "IndexFaces",
        "SearchFaces",
        "SearchFacesByImage",
        "CompareFaces",
        "AssociateFaces",
        "SearchUsers",
        "SearchUsersByImage",
        "StartFaceSearch",
        "GetFaceSearch",
        "RecognizeCelebrities",
        "StartCelebrityRecognition",
        "GetCelebrityRecognition",
    }
)

_RULE_KEYS = frozenset({"name", "account_tags", "start", "end", "operations", "exempt_account_tags"})


class PolicyError(ValueError):
    """A policy file or rule is missing a field or holds an invalid one."""


def _freeze_selector(selector: Mapping[str, Iterable[str] | str]) -> TagSelector:
    """Return an immutable copy of a tag selector, a lone string value becoming a 1-tuple."""
    frozen: dict[str, tuple[str, ...]] = {}
    for key, values in selector.items():
        frozen[key] = (values,) if isinstance(values, str) else tuple(values)
    return MappingProxyType(frozen)


def _as_utc(instant: datetime) -> datetime:
    """Return the instant in UTC; a naive datetime is taken to be UTC already."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class Rule:
    """One moratorium: which accounts, which operations, from when until when, and who is exempt."""

    name: str
    account_tags: TagSelector
    start: datetime
    end: datetime | None = None
    operations: frozenset[str] = RECOGNITION_OPERATIONS
    exempt_account_tags: TagSelector = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        """Freeze the tag selectors, normalise the window to UTC and check it."""
        object.__setattr__(self, "account_tags", _freeze_selector(self.account_tags))
        object.__setattr__(self, "exempt_account_tags", _freeze_selector(self.exempt_account_tags))
        object.__setattr__(self, "operations", frozenset(self.operations))
        object.__setattr__(self, "start", _as_utc(self.start))
        if self.end is not None:
            object.__setattr__(self, "end", _as_utc(self.end))
            if self.end <= self.start:
                raise PolicyError(f"rule {self.name!r}: end {self.end} is not after start {self.start}")

    def __hash__(self) -> int:
        """Hash by value, the selectors included."""
        return hash(
            (
                self.name,
                tuple(sorted(self.account_tags.items())),
                self.start,
                self.end,
                self.operations,
                tuple(sorted(self.exempt_account_tags.items())),
            )
        )

    def active(self, now: datetime) -> bool:
        """True when now is inside the window: start inclusive, end exclusive."""
        now = _as_utc(now)
        return self.start <= now and (self.end is None or now < self.end)

    def covers(self, operation: str, now: datetime) -> bool:
        """True when the rule applies to this operation at this instant, whoever asks."""
        return operation in self.operations and self.active(now)


def builtin_policy() -> tuple[Rule, ...]:
    """Return the moratorium as announced on 2020-06-10: police accounts, one year, no exemptions.

    The real moratorium let organisations that rescue victims of trafficking and find missing
    children keep using face recognition, and in May 2021 it was extended until further notice.
    Neither is built in; both are a policy file away, see ``EXAMPLE_POLICY_TOML``.
    """
    return (
        Rule(
            name="police-moratorium-2020",
            account_tags={"sector": ("police", "law-enforcement")},
            start=datetime(2020, 6, 10, tzinfo=UTC),
            end=datetime(2021, 6, 10, tzinfo=UTC),
        ),
    )


EXAMPLE_POLICY_TOML = """\
# The moratorium as it stood after May 2021: extended until further notice, with the
# exemption for organisations that rescue trafficking victims and find missing children.
[[moratorium]]
name = "police-moratorium"
account_tags = { sector = ["police", "law-enforcement"] }
start = 2020-06-10T00:00:00Z
# no end: until further notice
exempt_account_tags = { purpose = ["missing-children", "anti-trafficking"] }
"""


def load_policy(path: Path | None, *, known_operations: Collection[str] | None = None) -> tuple[Rule, ...]:
    """Read a policy file's ``[[moratorium]]`` rules; None gives the built-in policy.

    With ``known_operations`` (the service model's operation names), an unknown operation name
    in a rule is an error rather than a rule that silently covers nothing.
    """
    if path is None:
        return builtin_policy()
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise PolicyError(f"policy file {path}: cannot be read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file {path}: not valid TOML: {exc}") from exc
    return parse_policy(document, source=str(path), known_operations=known_operations)


def parse_policy(
    document: Mapping[str, Any], *, source: str = "<policy>", known_operations: Collection[str] | None = None
) -> tuple[Rule, ...]:
    """Build the rules of an already parsed policy document."""
    unknown = sorted(set(document) - {"moratorium"})
    if unknown:
        raise PolicyError(
            f"policy file {source}: unknown top-level key(s) {unknown}; expected [[moratorium]]"
        )
    tables = document.get("moratorium", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise PolicyError(f"policy file {source}: 'moratorium' must be an array of tables ([[moratorium]])")
    rules: list[Rule] = []
    for position, table in enumerate(tables, start=1):
        rule = _parse_rule(table, f"policy file {source}, moratorium #{position}", known_operations)
        if any(existing.name == rule.name for existing in rules):
            raise PolicyError(f"policy file {source}: moratorium name {rule.name!r} is used twice")
        rules.append(rule)
    return tuple(rules)


def _parse_rule(table: Mapping[str, Any], where: str, known_operations: Collection[str] | None) -> Rule:
    """Build one rule from its TOML table; ``where`` locates it in error messages."""
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PolicyError(f"{where}: 'name' is required and must be a non-empty string")
    where = f"{where} ({name!r})"
    unknown = sorted(set(table) - _RULE_KEYS)
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(_RULE_KEYS)}")
    if "account_tags" not in table:
        raise PolicyError(f"{where}: 'account_tags' is required (use {{}} to cover every account)")
    if "start" not in table:
        raise PolicyError(f"{where}: 'start' is required")
    start = _parse_instant_field(table["start"], where, "start")
    end = _parse_instant_field(table["end"], where, "end") if "end" in table else None
    if end is not None and end <= start:
        raise PolicyError(f"{where}: 'end' ({end.isoformat()}) must be after 'start' ({start.isoformat()})")
    return Rule(
        name=name,
        account_tags=_parse_selector(table["account_tags"], where, "account_tags"),
        start=start,
        end=end,
        operations=_parse_operations(table.get("operations"), where, known_operations),
        exempt_account_tags=_parse_selector(
            table.get("exempt_account_tags", {}), where, "exempt_account_tags"
        ),
    )


def _parse_selector(value: object, where: str, what: str) -> TagSelector:
    """Parse ``{ key = "value" }`` or ``{ key = ["v1", "v2"] }``."""
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: '{what}' must be a table of tag key = value or [values]")
    selector: dict[str, tuple[str, ...]] = {}
    for key, values in value.items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise PolicyError(f"{where}: '{what}.{key}' must be a string or a non-empty list of strings")
        selector[key] = tuple(values)
    return selector


def _parse_instant_field(value: object, where: str, what: str) -> datetime:
    """Parse a TOML datetime, date or ISO-8601 string into a UTC datetime."""
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except ValueError as exc:
            raise PolicyError(f"{where}: '{what}' {value!r} is not an ISO-8601 instant") from exc
    raise PolicyError(f"{where}: '{what}' must be a datetime such as 2020-06-10T00:00:00Z, not {value!r}")


def _parse_operations(value: object, where: str, known: Collection[str] | None) -> frozenset[str]:
    """Parse the operations list; left out, the default recognition operations."""
    if value is None:
        return RECOGNITION_OPERATIONS
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: 'operations' must be a non-empty list of operation names (or left out)")
    if known is not None:
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise PolicyError(f"{where}: unknown operation(s) {unknown}")
    return frozenset(value)
