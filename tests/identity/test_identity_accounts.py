"""The accounts file: defaults, parsing and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.identity.accounts import AccountsFileError, load_accounts
from tests.identity.helpers import ACCOUNTS_TOML


def test_no_file_gives_the_default_testing_key() -> None:
    accounts = load_accounts(None)
    account = accounts.by_key("testing")
    assert account is not None
    assert (account.id, account.secret_access_key) == ("123456789012", "testing")
    assert dict(accounts.tags_of("123456789012")) == {}


def test_file_gives_only_its_accounts(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text(ACCOUNTS_TOML)
    accounts = load_accounts(path)
    assert accounts.by_key("testing") is None
    police = accounts.by_key("AKIAPOLICE0000000001")
    assert police is not None and police.id == "111111111111"
    assert dict(accounts.tags_of("111111111111")) == {"sector": "police"}
    assert dict(accounts.tags_of("222222222222")) == {}
    assert dict(accounts.tags_of("999999999999")) == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[account]\nid=1", "not valid TOML"),
        ("", "no [[account]] tables"),
        ("[accounts]\nx = 1", "unknown top-level key"),
        ('[[account]]\nid = "1234"\naccess_key_id = "K"\nsecret_access_key = "s"', "must be 12 digits"),
        ('[[account]]\nid = "123456789012"\nsecret_access_key = "s"', "'access_key_id' is required"),
        ('[[account]]\nid = "123456789012"\naccess_key_id = "K"\nsecret_access_key = ""', "'secret_access_key'"),
        (
            '[[account]]\nid = "123456789012"\naccess_key_id = "K"\nsecret_access_key = "s"\ntags = { a = 1 }',
            "tags must be a table of string values",
        ),
        (
            '[[account]]\nid = "123456789012"\naccess_key_id = "K"\nsecret_access_key = "s"\nsecret = "x"',
            "unknown field(s) ['secret']",
        ),
        (
            '[[account]]\nid = "123456789012"\naccess_key_id = "K"\nsecret_access_key = "s"\n'
            '[[account]]\nid = "210987654321"\naccess_key_id = "K"\nsecret_access_key = "t"',
            "appears more than once",
        ),
    ],
)
def test_invalid_file_names_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(AccountsFileError) as exc:
        load_accounts(path)
    assert problem in str(exc.value)
    assert str(path) in str(exc.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AccountsFileError, match="cannot read"):
        load_accounts(tmp_path / "nope.toml")
