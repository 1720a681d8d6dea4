"""The only module that touches moto internals: its WSGI app, S3 objects, Organizations tags, minted keys."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from werkzeug.serving import WSGIRequestHandler

MOTO_LOCK = threading.RLock()
"""Held around every moto dispatch and every read of moto state: moto itself is not thread-safe."""

_PARTITION = "aws"
_app: WSGIApplication | None = None
_app_lock = threading.Lock()


class S3ObjectUnavailable(Exception):
    """The bucket, key or version does not exist, or the bucket belongs to another account."""


class S3ObjectTooLarge(Exception):
    """The S3 object is larger than the caller accepts."""


class OrganizationTagsUnavailable(Exception):
    """moto's Organizations state could not be read; policy callers fail closed."""


def moto_wsgi_app() -> WSGIApplication:
    """Return the process-wide moto WSGI app (DomainDispatcherApplication), created once."""
    global _app
    with _app_lock:
        if _app is None:
            from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

            _app = DomainDispatcherApplication(create_backend_app)
        assert _app is not None
        return _app


def request_handler_class() -> type[WSGIRequestHandler]:
    """Return moto's Werkzeug request handler, which keeps underscore header names (S3 metadata)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    return MotoRequestHandler


def call_moto(
    environ: dict[str, Any], start_response: Callable[..., Any], app: WSGIApplication | None = None
) -> list[bytes]:
    """Dispatch one request to moto (or `app`) under MOTO_LOCK, draining its response inside the lock."""
    app = app or moto_wsgi_app()
    with MOTO_LOCK:
        result: Iterable[bytes] = app(environ, start_response)
        try:
            return list(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


def reset_moto() -> None:
    """Reset every moto backend, as POST /moto-api/reset does."""
    from moto.moto_api._internal.models import moto_api_backend

    with MOTO_LOCK:
        moto_api_backend.reset()


def read_s3_object(
    account: str, bucket: str, key: str, version: str | None, max_bytes: int = 15 * 1024 * 1024
) -> bytes:
    """Return an S3 object's bytes from a bucket owned by `account`; honours Version."""
    from moto.s3.models import FakeKey, s3_backends

    with MOTO_LOCK:
        if s3_backends.bucket_accounts.get(bucket) != (_PARTITION, account):
            raise S3ObjectUnavailable(bucket)
        per_account = dict.get(s3_backends, account)
        backend = dict.get(per_account, _PARTITION) if per_account is not None else None
        fake_bucket = backend.buckets.get(bucket) if backend is not None else None
        if fake_bucket is None:
            raise S3ObjectUnavailable(bucket)
        found: Any = None
        if version is None:
            if key in fake_bucket.keys:
                found = fake_bucket.keys[key]
        else:
            for candidate in fake_bucket.keys.getlist(key, default=[]):
                if str(candidate.version_id) == str(version):
                    found = candidate
                    break
        if not isinstance(found, FakeKey):
            raise S3ObjectUnavailable(f"{bucket}/{key}")
        if found.size > max_bytes:
            raise S3ObjectTooLarge(f"{bucket}/{key}: {found.size} bytes")
        value: bytes = found.value
        return value


def organization_tags(account: str) -> dict[str, str]:
    """Return the account's tags in moto Organizations; {} when it is in no organization."""
    try:
        from moto.organizations.models import organizations_backends as orgs

        with MOTO_LOCK:
            mgmt, partition = orgs.master_accounts.get(account, (account, _PARTITION))
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


def minted_key(akid: str) -> tuple[str, str, str | None, float | None] | None:
    """Return (secret, account, session_token, expiry_epoch) for a key moto's IAM or STS minted, else None."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    with MOTO_LOCK:
        for account_id, per_account in list(dict.items(iam_backends)):
            for backend in list(dict.values(per_account)):
                key = backend.access_keys.get(akid)
                if key is None:
                    continue
                if key.status != "Active":
                    return None
                if key.role_arn is None:
                    return key.secret_access_key, account_id, None, None
                role = _assumed_role(sts_backends, account_id, akid)
                if role is None:
                    return None
                return key.secret_access_key, account_id, role.session_token, _epoch(role.expiration)
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
