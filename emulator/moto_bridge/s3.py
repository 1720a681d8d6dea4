"""S3 in moto: accounts isolated as on AWS while a request from the port is in moto, and object reads."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.limits import MAX_S3_IMAGE_BYTES
from emulator.moto_bridge.common import MOTO_LOCK, PARTITION
from emulator.s3_objects import S3ObjectTooLarge, S3ObjectUnavailable

# True while a request from the port is in moto: its S3 then refuses other accounts' buckets, as AWS does.
S3_ISOLATED: contextvars.ContextVar[bool] = contextvars.ContextVar("emulator_s3_isolated", default=False)
_installed = False
COPY_PIECE = 1 << 20
_install_lock = threading.Lock()


def install_s3_isolation() -> None:
    """Make moto's S3 refuse other accounts' buckets while S3_ISOLATED is set (moto allows them by default).

    moto's S3Backend.get_bucket asks `moto.settings.s3_allow_crossdomain_access()` (MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS,
    default "true"), imported by name into moto.s3.models; the replacement answers False inside call_moto and
    defers to moto's setting elsewhere, so in-process mock_aws users keep moto's behaviour. moto evaluates no
    bucket policies or ACLs here: another account is refused whatever the bucket's policy grants.
    """
    global _installed
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        import moto.s3.models as s3_models

        name = "s3_allow_crossdomain_access"
        moto_setting: Callable[[], bool] = getattr(s3_models, name)  # moved in a new moto: fail loudly here

        def allow_cross_account() -> bool:
            """moto's setting, except inside call_moto, where S3 isolates accounts."""
            return not S3_ISOLATED.get() and moto_setting()

        setattr(s3_models, name, allow_cross_account)
        _keep_bucket_already_exists(s3_models)
        _installed = True


def _keep_bucket_already_exists(s3_models: Any) -> None:
    """CreateBucket of a name another account owns stays BucketAlreadyExists (409), as on AWS.

    moto's handler catches BucketAlreadyExists and looks the bucket up to tell "owned by you", a lookup that
    isolation turns into AccessDenied; the same error under a class that handler does not catch keeps AWS's answer.
    """
    from moto.s3.exceptions import BucketAlreadyExists, BucketError

    class TakenByAnotherAccount(BucketError):
        """BucketAlreadyExists, for a bucket of another account."""

        code = BucketAlreadyExists.code

        def __init__(self, bucket: str) -> None:
            super().__init__(BucketAlreadyExists(bucket).message)
            self.bucket_name = bucket

    backend_class = s3_models.S3Backend
    moto_create = backend_class.create_bucket

    def create_bucket(self: Any, bucket_name: str, *args: Any, **kwargs: Any) -> Any:
        """moto's create_bucket, refusing a name another account owns before moto's handler looks it up."""
        owner = s3_models.s3_backends.bucket_accounts.get(bucket_name)
        if S3_ISOLATED.get() and owner is not None and owner[1] != self.account_id:
            raise TakenByAnotherAccount(bucket_name)
        return moto_create(self, bucket_name, *args, **kwargs)

    backend_class.create_bucket = create_bucket


def read_s3_object(
    account: str, bucket: str, key: str, version: str | None, max_bytes: int = MAX_S3_IMAGE_BYTES, *, region: str
) -> bytes:
    """Return an S3 object's bytes from a bucket owned by `account` in `region`; honours Version."""
    with MOTO_LOCK:
        value: bytes = _object(account, bucket, key, version, max_bytes, region).value
        return value


def copy_s3_object(account: str, bucket: str, key: str, version: str | None, dest: Path, max_bytes: int, *,
                   region: str) -> None:
    """Write an S3 object (found as read_s3_object finds it) to `dest` in 1 MiB pieces, never whole in memory."""
    with MOTO_LOCK:
        found = _object(account, bucket, key, version, max_bytes, region)
    with found.lock, open(dest, "wb") as out:  # the key's own lock: moto holds it while writing the buffer
        buffer = found._value_buffer
        try:
            buffer.seek(0)
            while piece := buffer.read(COPY_PIECE):
                out.write(piece)
        except ValueError:  # deleted meanwhile: moto closed its buffer
            raise S3ObjectUnavailable(f"{bucket}/{key}") from None


def _object(account: str, bucket: str, key: str, version: str | None, max_bytes: int, region: str) -> Any:
    """moto's FakeKey for (bucket, key, version) in a bucket of `account` in `region` (caller holds MOTO_LOCK)."""
    from moto.s3.models import FakeKey, s3_backends

    if s3_backends.bucket_accounts.get(bucket) != (PARTITION, account):
        raise S3ObjectUnavailable(bucket)
    per_account = dict.get(s3_backends, account)
    backend = dict.get(per_account, PARTITION) if per_account is not None else None
    fake_bucket = backend.buckets.get(bucket) if backend is not None else None
    if fake_bucket is None or fake_bucket.region_name != region:  # AWS reads images from the caller's region
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
    return found
