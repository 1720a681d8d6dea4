"""Organizations in moto: an account's tags, for the policy's tag views."""

from __future__ import annotations

from emulator.moto_bridge.common import MOTO_LOCK, PARTITION


class OrganizationTagsUnavailable(Exception):
    """moto's Organizations state could not be read; policy callers fail closed."""


def organization_tags(account: str) -> dict[str, str]:
    """Return the account's tags in moto Organizations; {} when it is in no organization."""
    try:
        from moto.organizations.models import organizations_backends as orgs

        with MOTO_LOCK:
            mgmt, partition = orgs.master_accounts.get(account, (account, PARTITION))
            per_account = dict.get(orgs, mgmt)
            backend = dict.get(per_account, partition) if per_account is not None else None
            if backend is None or backend.org is None:
                return {}
            for member in backend.accounts:
                if member.id == account:
                    return {str(k): str(v) for k, v in member.tags.items()}
            return {}
    except Exception as exc:  # moto internals moved: the policy must fail closed, not open
        raise OrganizationTagsUnavailable(str(exc)) from exc
