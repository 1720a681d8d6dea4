"""Access key -> (secret, account): the accounts file first, then keys moto's IAM or STS minted."""

from __future__ import annotations

from collections.abc import Callable

from emulator.identity.accounts import DEFAULT_ACCOUNT_ID, AccountsFile
from emulator.identity.sigv4 import KeyInfo

MintedLookup = Callable[[str], "tuple[str, str, str | None, float | None] | None"]


class KeyResolver:
    """Resolves access keys in the order moto uses, with MOTO_ACCOUNT_ID overriding the account."""

    def __init__(self, accounts: AccountsFile, minted: MintedLookup, *, account_override: str | None = None) -> None:
        self._accounts = accounts
        self._minted = minted
        self._override = account_override or None

    def lookup(self, akid: str) -> KeyInfo | None:
        """Return the key's secret and account (after the override), or None when it is unknown."""
        account = self._accounts.by_key(akid)
        if account is not None:
            return KeyInfo(account.secret_access_key, self._override or account.id)
        minted = self._minted(akid)
        if minted is None:
            return None
        secret, account_id, token, expiry = minted
        return KeyInfo(secret, self._override or account_id, token, expiry)

    def account_without_auth(self, akid: str | None) -> str:
        """The account of a request that is not verified (`--auth off`): known keys keep theirs."""
        if self._override:
            return self._override
        if akid:
            info = self.lookup(akid)
            if info is not None:
                return info.account
        return DEFAULT_ACCOUNT_ID
