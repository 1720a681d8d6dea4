"""IAM and STS in moto: the keys they minted, roles and their trust policies, callers' ARNs, session keys."""

from __future__ import annotations

import datetime as dt
import re
import weakref
from typing import Any

from emulator.moto_bridge.common import MOTO_LOCK, PARTITION

_SESSIONS: weakref.WeakKeyDictionary[Any, tuple[str, float]] = weakref.WeakKeyDictionary()
"""moto IAM key -> (session token, expiry epoch) of the GetSessionToken credentials minted as that key."""


def minted_key(akid: str, *, require_role: bool = True) -> tuple[str, str, str | None, float | None] | None:
    """Return (secret, account, session_token, expiry_epoch) for a key moto's IAM or STS minted, else None."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    with MOTO_LOCK:
        for account_id, per_account in list(dict.items(iam_backends)):
            for partition, backend in list(dict.items(per_account)):
                key = backend.access_keys.get(akid)
                if key is None:
                    continue
                if key.status != "Active":
                    return None
                if key.role_arn is None:
                    token, expiry = _SESSIONS.get(key, (None, None))
                    return key.secret_access_key, account_id, token, expiry
                role = _assumed_role(sts_backends, account_id, akid)
                if role is None or (require_role and _role(account_id, partition, key.role_arn) is None):
                    return None  # defence in depth: the role must still exist in the account the key belongs to
                return key.secret_access_key, account_id, role.session_token, _epoch(role.expiration)
    return None


def role_account(role_arn: str) -> str | None:
    """The account moto's STS mints an assumed-role key in (its own regex), or None for the caller's."""
    from moto.utilities.utils import ARN_PARTITION_REGEX

    found = re.search(ARN_PARTITION_REGEX + r":iam::([0-9]+).+", role_arn)
    return found.group(2) if found else None


def role_trust_policy(account: str, role_arn: str, partition: str) -> str | None:
    """The trust policy document of the role whose ARN is exactly `role_arn` in `account`'s IAM; None if none."""
    with MOTO_LOCK:
        role = _role(account, partition, role_arn)
        return None if role is None else str(role.assume_role_policy_document or "")


def caller_arn(akid: str, account: str, partition: str = PARTITION) -> str:
    """The ARN AWS names the key's caller by: an IAM user, an assumed role, else the account root."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    with MOTO_LOCK:
        backend = _iam_backend(iam_backends, account, partition)
        key = backend.access_keys.get(akid) if backend is not None else None
        user = backend.users.get(key.user_name) if key is not None and key.user_name else None
        if user is not None:
            return str(user.arn)
        role = _assumed_role(sts_backends, account, akid) if key is not None else None
        if role is not None:
            return str(role.arn)
    return f"arn:{partition}:iam::{account}:root"


def _iam_backend(iam_backends: Any, account: str, partition: str) -> Any:
    """moto's IAM backend of (account, partition), or None; never creates one."""
    per_account = dict.get(iam_backends, account)
    return dict.get(per_account, partition) if per_account is not None else None


def _role(account: str, partition: str, role_arn: str) -> Any:
    """The IAM role whose ARN is exactly `role_arn` in `account`'s IAM, or None."""
    from moto.iam.models import iam_backends

    backend = _iam_backend(iam_backends, account, partition)
    for role in list(backend.roles.values()) if backend is not None else []:
        if role.arn == role_arn:
            return role
    return None


def _assumed_role(sts_backends: Any, account_id: str, akid: str) -> Any:
    """Find the STS AssumedRole that minted `akid` in `account_id`'s STS backends."""
    per_account = dict.get(sts_backends, account_id)
    for backend in list(dict.values(per_account)) if per_account is not None else []:
        role = backend.get_assumed_role_from_access_key(akid)
        if role is not None:
            return role
    return None


def _epoch(when: dt.datetime) -> float:
    """moto keeps naive UTC datetimes; turn one into epoch seconds."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def issue_session_credentials(account: str, partition: str, response: bytes) -> bytes:
    """Replace the fixed example keys of moto's GetSessionToken answer with fresh ones owned by `account`."""
    from moto.iam.models import iam_backends
    from moto.sts.utils import random_session_token

    expiration = re.search(rb"<Expiration>([^<]+)</Expiration>", response)
    if expiration is None or b"<AccessKeyId>" not in response:
        return response
    expiry = _epoch(dt.datetime.fromisoformat(expiration.group(1).decode().replace("Z", "+00:00")))
    with MOTO_LOCK:
        key = iam_backends[account][partition].create_temp_access_key()
        token = random_session_token()
        _SESSIONS[key] = (token, expiry)
    for tag, value in (
        (b"AccessKeyId", key.access_key_id),
        (b"SecretAccessKey", key.secret_access_key),
        (b"SessionToken", token),
    ):
        response = re.sub(b"<" + tag + rb">[^<]*</" + tag + b">", f"<{tag.decode()}>{value}</{tag.decode()}>".encode(),
                          response, count=1)
    return response
