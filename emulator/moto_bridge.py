"""The only module that touches moto internals: its WSGI app, S3 objects, Organizations tags, minted keys."""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import io
import re
import threading
import weakref
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.s3_objects import S3ObjectTooLarge, S3ObjectUnavailable

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from werkzeug.serving import WSGIRequestHandler

MOTO_LOCK = threading.RLock()
"""Held around every moto dispatch and every read of moto state: moto itself is not thread-safe."""

_PARTITION = "aws"
_MOTO_API_PREFIX = "/moto-api"  # moto's dispatcher sends every PATH_INFO with this prefix to its management API
_app: WSGIApplication | None = None
_app_lock = threading.Lock()
# True while a request from the port is in moto: its S3 then refuses other accounts' buckets, as AWS does.
_S3_ISOLATED: contextvars.ContextVar[bool] = contextvars.ContextVar("emulator_s3_isolated", default=False)
_s3_isolation_installed = False


class OrganizationTagsUnavailable(Exception):
    """moto's Organizations state could not be read; policy callers fail closed."""


_SESSIONS: weakref.WeakKeyDictionary[Any, tuple[str, float]] = weakref.WeakKeyDictionary()
"""moto IAM key -> (session token, expiry epoch) of the GetSessionToken credentials minted as that key."""
_BACKEND_ALIASES = {"awslambda": "lambda"}  # moto backends named unlike their botocore service

FEDERATION_METHODS = frozenset({"assume_role_with_web_identity", "assume_role_with_saml"})
"""moto's STS handlers that mint keys on an identity token or SAML assertion alone."""


@dataclass(frozen=True)
class StsCall:
    """An STS request as moto's own TokenResponse reads it: handler method, RoleArn, partition."""

    method: str
    role_arn: str | None
    partition: str


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
    """Dispatch one request to moto (or `app`) under MOTO_LOCK, draining its response inside the lock.

    S3 answers it as AWS does across accounts: a bucket of another account is AccessDenied.
    """
    app = app or moto_wsgi_app()
    _install_s3_isolation()
    with MOTO_LOCK:
        isolated = _S3_ISOLATED.set(True)
        try:
            result: Iterable[bytes] = app(environ, start_response)
            try:
                return list(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        finally:
            _S3_ISOLATED.reset(isolated)


def _install_s3_isolation() -> None:
    """Make moto's S3 refuse other accounts' buckets while _S3_ISOLATED is set (moto allows them by default).

    moto's S3Backend.get_bucket asks `moto.settings.s3_allow_crossdomain_access()` (MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS,
    default "true"), imported by name into moto.s3.models; the replacement answers False inside call_moto and
    defers to moto's setting elsewhere, so in-process mock_aws users keep moto's behaviour. moto evaluates no
    bucket policies or ACLs here: another account is refused whatever the bucket's policy grants.
    """
    global _s3_isolation_installed
    if _s3_isolation_installed:
        return
    with _app_lock:
        if _s3_isolation_installed:
            return
        import moto.s3.models as s3_models

        name = "s3_allow_crossdomain_access"
        moto_setting: Callable[[], bool] = getattr(s3_models, name)  # moved in a new moto: fail loudly here

        def allow_cross_account() -> bool:
            """moto's setting, except inside call_moto, where S3 isolates accounts."""
            return not _S3_ISOLATED.get() and moto_setting()

        setattr(s3_models, name, allow_cross_account)
        _keep_bucket_already_exists(s3_models)
        _s3_isolation_installed = True


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
        if _S3_ISOLATED.get() and owner is not None and owner[1] != self.account_id:
            raise TakenByAnotherAccount(bucket_name)
        return moto_create(self, bucket_name, *args, **kwargs)

    backend_class.create_bucket = create_bucket


def moto_api_path(environ: dict[str, Any]) -> str | None:
    """The request's path when moto's dispatcher would send it to moto's management API (/moto-api), else None."""
    path: Any = environ.get("PATH_INFO", "")
    if isinstance(path, bytes):  # moto's dispatcher decodes the same way
        path = path.decode("utf-8", "replace")
    return path if isinstance(path, str) and path.startswith(_MOTO_API_PREFIX) else None


def reset_moto() -> None:
    """Reset every moto backend, as POST /moto-api/reset does."""
    from moto.moto_api._internal.models import moto_api_backend

    with MOTO_LOCK:
        moto_api_backend.reset()


def read_s3_object(
    account: str, bucket: str, key: str, version: str | None, max_bytes: int = 15 * 1024 * 1024, *, region: str
) -> bytes:
    """Return an S3 object's bytes from a bucket owned by `account` in `region`; honours Version."""
    from moto.s3.models import FakeKey, s3_backends

    with MOTO_LOCK:
        if s3_backends.bucket_accounts.get(bucket) != (_PARTITION, account):
            raise S3ObjectUnavailable(bucket)
        per_account = dict.get(s3_backends, account)
        backend = dict.get(per_account, _PARTITION) if per_account is not None else None
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


def sts_call(environ: dict[str, Any], body: bytes) -> StsCall | None:
    """Read a request exactly as moto would: None unless its dispatcher routes it to STS; raises if unreadable."""
    from moto.core.utils import camelcase_to_underscores
    from moto.moto_server.werkzeug_app import BackendRequest
    from moto.sts.responses import TokenResponse

    dispatcher, host = _moto_host(environ, body)
    if host is None or dispatcher.get_backend_for_host(host) != "sts":
        return None
    request = BackendRequest(_copy_environ(environ, body))
    response = TokenResponse()
    response.setup_class(request)
    method = camelcase_to_underscores(response._get_action())
    role_arn = None
    if method == "assume_role":
        response.parse_parameters(request)
        role_arn = response._get_param("RoleArn")
    return StsCall(method, role_arn if isinstance(role_arn, str) else None, response.partition)


def _moto_host(environ: dict[str, Any], body: bytes) -> tuple[Any, str | None]:
    """moto's dispatcher and the host it routes the request by; None for paths it serves itself or cannot read."""
    dispatcher: Any = moto_wsgi_app()
    path = str(environ.get("PATH_INFO", ""))
    if path.startswith(("/moto-api", "/favicon.ico", "/latest/meta-data/", "/latest/api/")):
        return dispatcher, None
    try:
        host = dispatcher.infer_service_region_host(_copy_environ(environ, body), path)
    except Exception:  # moto's dispatcher fails the same way (e.g. a dynamodb scope without X-Amz-Target)
        return dispatcher, None
    return dispatcher, host if isinstance(host, str) else None


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


def caller_arn(akid: str, account: str, partition: str = _PARTITION) -> str:
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


def _copy_environ(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    """A copy of the environ with its own body stream, so that parsing it leaves the original unread."""
    copy = dict(environ)
    copy["wsgi.input"] = io.BytesIO(body)
    return copy


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


def dispatched_service(environ: dict[str, Any], body: bytes, services: Collection[str]) -> str | None:
    """The service (one of `services`, botocore's names) moto would dispatch a signed request to.

    "" when moto has no backend for it; None when it cannot tell (moto routes by path, or its reading fails).
    """
    dispatcher, host = _moto_host(environ, body)
    if host is None:
        return None
    backend = host if host in _moto_modules() else None
    for name, pattern in dispatcher.backend_url_patterns if backend is None else []:
        if pattern.match(f"http://{host}"):
            backend = name
            break
    if backend is None:
        return ""
    wanted = _norm(_BACKEND_ALIASES.get(backend, backend))
    return next((service for service in services if _norm(service) == wanted), None)


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


@functools.cache
def _moto_modules() -> frozenset[str]:
    """moto's service modules, which its dispatcher also takes as host names (listed once, not per request)."""
    from moto.backends import list_of_moto_modules

    return frozenset(list_of_moto_modules())


def _norm(name: str) -> str:
    """A service name with case, '-' and '_' ignored (moto's backend names drop them)."""
    return name.lower().replace("-", "").replace("_", "")
