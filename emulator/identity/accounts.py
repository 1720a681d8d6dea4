"""The accounts file: access key -> (secret, account id, tags)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_ACCESS_KEY_ID = "testing"
DEFAULT_SECRET_ACCESS_KEY = "testing"

_ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
_ACCESS_KEY_RE = re.compile(r"^[A-Za-z0-9]{1,128}$")
_KNOWN_FIELDS = {"id", "access_key_id", "secret_access_key", "tags"}


class AccountsFileError(ValueError):
    """The accounts file cannot be read or is invalid; the message names the problem."""


@dataclass(frozen=True)
class Account:
    """One account of the accounts file and its long-term access key."""

    id: str
    access_key_id: str
    secret_access_key: str
    tags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class AccountsFile:
    """The accounts known from the accounts file (or the default testing/testing account)."""

    accounts: tuple[Account, ...]

    def by_key(self, akid: str) -> Account | None:
        """Return the account whose access key id is `akid`."""
        return next((a for a in self.accounts if a.access_key_id == akid), None)

    def tags_of(self, account_id: str) -> Mapping[str, str]:
        """Return the file's tags of an account (merged over all its keys); empty if unknown."""
        merged: dict[str, str] = {}
        for account in self.accounts:
            if account.id == account_id:
                merged.update(account.tags)
        return MappingProxyType(merged)


def default_accounts() -> AccountsFile:
    """Return the built-in accounts: access key testing, secret testing, account 123456789012."""
    return AccountsFile((Account(DEFAULT_ACCOUNT_ID, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY),))


def load_accounts(path: Path | None) -> AccountsFile:
    """Load the TOML accounts file; None gives the default account only."""
    if path is None:
        return default_accounts()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AccountsFileError(f"accounts file {path}: cannot read it: {exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountsFileError(f"accounts file {path}: not valid TOML: {exc}") from exc
    return parse_accounts(data, source=str(path))


def parse_accounts(data: Mapping[str, Any], *, source: str = "accounts file") -> AccountsFile:
    """Validate parsed TOML data ([[account]] tables) into an AccountsFile."""
    unknown = sorted(set(data) - {"account"})
    if unknown:
        raise AccountsFileError(f"{source}: unknown top-level key(s) {unknown}; expected [[account]] tables")
    entries = data.get("account")
    if not isinstance(entries, list) or not entries:
        raise AccountsFileError(f"{source}: no [[account]] tables")
    accounts = tuple(_parse_entry(entry, f"{source}: [[account]] #{n}") for n, entry in enumerate(entries, 1))
    keys = [a.access_key_id for a in accounts]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise AccountsFileError(f"{source}: access_key_id {duplicates[0]!r} appears more than once")
    return AccountsFile(accounts)


def _parse_entry(entry: Any, where: str) -> Account:
    """Validate one [[account]] table."""
    if not isinstance(entry, dict):
        raise AccountsFileError(f"{where}: must be a table")
    unknown = sorted(set(entry) - _KNOWN_FIELDS)
    if unknown:
        raise AccountsFileError(f"{where}: unknown field(s) {unknown}")
    for name in ("id", "access_key_id", "secret_access_key"):
        if not isinstance(entry.get(name), str) or not entry[name]:
            raise AccountsFileError(f"{where}: {name!r} is required and must be a non-empty string")
    if not _ACCOUNT_ID_RE.match(entry["id"]):
        raise AccountsFileError(f"{where}: id {entry['id']!r} must be 12 digits")
    if not _ACCESS_KEY_RE.match(entry["access_key_id"]):
        raise AccountsFileError(f"{where}: access_key_id {entry['access_key_id']!r} must be 1-128 letters/digits")
    tags = entry.get("tags", {})
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise AccountsFileError(f"{where}: tags must be a table of string values")
    return Account(entry["id"], entry["access_key_id"], entry["secret_access_key"], MappingProxyType(dict(tags)))
