"""The single WSGI entry: SigV4 check, access key -> account, then our Rekognition app or moto."""

from __future__ import annotations

import functools
import io
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from emulator import moto_bridge
from emulator.gateway import session_tokens
from emulator.gateway.moto_api import MotoApiGate
from emulator.identity import Identity, scope, trust
from emulator.identity.accounts import AccountsFile
from emulator.identity.auth_errors import JSON, QUERY, ErrorResponse, error_response, protocol_of, render
from emulator.identity.resolver import KeyResolver
from emulator.identity.sigv4 import AuthFailure, Credential, ExpectedService, Failure, parse_credential, verify
from emulator.limits import MAX_REQUEST_BODY

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

IDENTITY_KEY = "emulator.identity"
TEMPORARY_KEY = "emulator.temporary_credentials"  # True when the caller signed with session credentials
MOTO_ACCOUNT_HEADER = "HTTP_X_MOTO_ACCOUNT_ID"
DEFAULT_REGION = "us-east-1"
REKOGNITION_TARGET_PREFIX = "RekognitionService."
REKOGNITION_MAX_BODY = MAX_REQUEST_BODY  # a larger Rekognition body is refused before it is read or authenticated
_DRAIN_LIMIT = 64 * 1024 * 1024  # bytes of a refused body discarded so the client reads the answer


class AwsRouter:
    """A WSGI callable: verify, pin the account, route rekognition to our app and the rest to moto."""

    def __init__(
        self,
        rekognition_app: WSGIApplication,
        accounts: AccountsFile,
        *,
        auth: bool = True,
        moto_account_override: str | None = None,
        clock: Callable[[], float] = time.time,
        moto_app: WSGIApplication | None = None,
        moto_api: bool = False,
        on_moto_reset: Callable[[], None] | None = None,
    ) -> None:
        self._rekognition = rekognition_app
        self._auth = auth
        self._override = moto_account_override or None
        self._clock = clock
        self._moto_api = MotoApiGate(moto_api, on_moto_reset)  # /moto-api/*: off unless asked for
        self._moto_app = self._moto_api.wrap(moto_app)
        # --auth off keeps moto's own mapping: a role key belongs to the role's account, existing or not.
        minted = moto_bridge.minted_key if auth else functools.partial(moto_bridge.minted_key, require_role=False)
        self._resolver = KeyResolver(accounts, minted, account_override=self._override)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Handle one request."""
        if _is_rekognition(environ, None) and _oversized(environ, REKOGNITION_MAX_BODY):
            return self._rekognition(environ, start_response)  # answers ValidationException, body unread
        try:
            body = _read_body(environ)
            if (refused := self._moto_api.refuse(environ, start_response)) is not None:
                return refused
            identity = self._identify(environ, body)
            sts = self._check_sts(environ, body, identity) if self._auth else None
        except AuthFailure as failure:
            return self._refuse(environ, start_response, failure)
        except trust.StsRefusal as refusal:
            return self._refuse_sts(environ, start_response, refusal)
        except Exception:  # never a traceback for a malformed request
            log.exception("identity check failed unexpectedly")
            return self._refuse(environ, start_response, AuthFailure(Failure.INCOMPLETE))
        environ[IDENTITY_KEY] = identity
        environ[MOTO_ACCOUNT_HEADER] = identity.account  # overwrites whatever the client sent
        if _is_rekognition(environ, identity.service):
            return self._rekognition(environ, start_response)
        if sts is not None and sts.method == "get_session_token":
            return session_tokens.serve(environ, start_response, identity.account, sts.partition, self._moto_app)
        return moto_bridge.call_moto(environ, start_response, self._moto_app)

    def _identify(self, environ: WSGIEnvironment, body: bytes) -> Identity:
        """Return the caller's identity, or raise AuthFailure."""
        if not self._auth:
            return self._unverified(environ)
        verified = verify(environ, body, self._clock(), self._resolver.lookup, _expected_service(environ, body))
        if verified is None:
            if not str(environ.get("PATH_INFO", "")).startswith("/moto-api"):
                try:
                    call = moto_bridge.sts_call(dict(environ), body)
                except Exception:  # unsigned and unreadable: simply unauthenticated
                    call = None
                trust.check_unsigned(call)
                raise AuthFailure(Failure.MISSING)
            account = self._resolver.account_without_auth(None)
            return Identity(account, DEFAULT_REGION, "", _guess_service(environ))
        cred = verified.credential
        environ[TEMPORARY_KEY] = verified.key.session_token is not None
        return Identity(verified.key.account, cred.region, cred.access_key_id, cred.service)

    def _check_sts(self, environ: WSGIEnvironment, body: bytes, identity: Identity) -> moto_bridge.StsCall | None:
        """Read an STS call as moto will and let the identity layer's trust rules refuse it (StsRefusal)."""
        if _is_rekognition(environ, identity.service):
            return None
        try:
            call = moto_bridge.sts_call(dict(environ), body)
        except Exception as exc:
            log.info("unreadable STS request refused: %s", exc)
            raise trust.unreadable_call() from exc
        if call is not None:
            trust.check_call(call, identity, temporary=bool(environ.get(TEMPORARY_KEY)), iam=moto_bridge)
        return call

    def _unverified(self, environ: WSGIEnvironment) -> Identity:
        """`--auth off`: map the key without checking the signature; default region when unsigned."""
        try:
            cred = parse_credential(environ)
        except AuthFailure:
            cred = None
        if cred is None:
            return Identity(self._resolver.account_without_auth(None), DEFAULT_REGION, "", _guess_service(environ))
        account = self._resolver.account_without_auth(cred.access_key_id)
        return Identity(account, cred.region, cred.access_key_id, cred.service)

    def _refuse(self, environ: WSGIEnvironment, start_response: StartResponse, failure: AuthFailure) -> list[bytes]:
        """Answer a refused request in its service's protocol."""
        service, akid = _scope_service(environ)
        if failure.scope is not None and failure.scope.expected_service:
            service = failure.scope.expected_service  # answer as the service called, not the one in the scope
        if _is_rekognition(environ, service):
            service = "rekognition"
        protocol = JSON if service == "rekognition" else protocol_of(environ, service)
        request_id = str(uuid.uuid4())
        method = str(environ.get("REQUEST_METHOD", "POST"))
        try:
            response = error_response(
                protocol,
                failure,
                request_id=request_id,
                service=service,
                access_key_id=akid if failure.kind is Failure.UNKNOWN_KEY else None,
                method=method,
            )
        except Exception:  # pragma: no cover - the table covers every failure
            log.exception("rendering an auth error failed")
            response = render(
                protocol,
                "InternalFailure",
                500,
                "Internal failure",
                request_id=request_id,
                service=service,
                method=method,
            )
        start_response(response.status_line, response.headers)
        return [response.body]

    def _refuse_sts(
        self, environ: WSGIEnvironment, start_response: StartResponse, refusal: trust.StsRefusal
    ) -> list[bytes]:
        """Answer a refused STS call as STS does, in query XML."""
        response: ErrorResponse = render(
            QUERY,
            refusal.code,
            refusal.status,
            refusal.message,
            request_id=str(uuid.uuid4()),
            service="sts",
            method=str(environ.get("REQUEST_METHOD", "POST")),
        )
        start_response(response.status_line, response.headers)
        return [response.body]


def _read_body(environ: WSGIEnvironment) -> bytes:
    """Read the body once (CONTENT_LENGTH bytes) and put a rewindable copy back for the next app."""
    stream = environ.get("wsgi.input")
    try:
        length = max(int(environ.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        length = 0
    body = b""
    if stream is not None:
        if length:
            body = stream.read(length)
        elif environ.get("wsgi.input_terminated") and not environ.get("CONTENT_LENGTH"):
            body = stream.read()
            if body:
                environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _oversized(environ: WSGIEnvironment, limit: int) -> bool:
    """Tell whether the body exceeds limit, reading at most limit + 1 bytes of it and discarding the rest."""
    stream = environ.get("wsgi.input")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if stream is None:
        return False
    if length > limit:
        _discard(stream, min(length, _DRAIN_LIMIT))
        return True
    if environ.get("CONTENT_LENGTH") or not environ.get("wsgi.input_terminated"):
        return False
    head = stream.read(limit + 1)  # chunked: no declared length
    environ["CONTENT_LENGTH"] = str(len(head))
    if len(head) <= limit:
        environ["wsgi.input"] = io.BytesIO(head)
        return False
    _discard(stream, _DRAIN_LIMIT)
    return True


def _discard(stream: Any, most: int) -> None:
    """Read and drop up to most bytes of a request body, a chunk at a time."""
    while most > 0:
        chunk = stream.read(min(most, 1 << 16))
        if not chunk:
            return
        most -= len(chunk)


def _is_rekognition(environ: WSGIEnvironment, service: str | None) -> bool:
    """Our app serves every rekognition request: moto's canned rekognition backend must never answer."""
    return str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(REKOGNITION_TARGET_PREFIX) or service == "rekognition"


def _expected_service(environ: WSGIEnvironment, body: bytes) -> ExpectedService:
    """What the called service expects a credential scope's service to be: its signing name."""

    def expected(credential: Credential) -> str | None:
        if _is_rekognition(environ, credential.service):
            return "rekognition"
        service = moto_bridge.dispatched_service(dict(environ), body, scope.service_names())
        return scope.NO_SERVICE if service == "" else scope.signing_name(service) if service else None

    return expected


def _scope_service(environ: WSGIEnvironment) -> tuple[str | None, str | None]:
    """The credential scope's service and access key, read leniently (for choosing the error protocol)."""
    for source in (str(environ.get("HTTP_AUTHORIZATION", "")), _presigned_credential(environ)):
        _, found, rest = source.partition("Credential=")
        parts = rest.split(",", 1)[0].split("/")
        if found and len(parts) >= 4:
            return parts[3].strip() or None, parts[0].strip() or None
    return None, None


def _presigned_credential(environ: WSGIEnvironment) -> str:
    """The X-Amz-Credential query parameter, as 'Credential=...'."""
    values = parse_qs(str(environ.get("QUERY_STRING", ""))).get("X-Amz-Credential")
    return f"Credential={values[0]}" if values else ""


def _guess_service(environ: WSGIEnvironment) -> str:
    """The service of an unsigned request, for the Identity record."""
    if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(REKOGNITION_TARGET_PREFIX):
        return "rekognition"
    if str(environ.get("PATH_INFO", "")).startswith("/moto-api"):
        return "moto-api"
    return ""


def identity_of(environ: dict[str, Any]) -> Identity | None:
    """The Identity the router stored in a request's environ."""
    found = environ.get(IDENTITY_KEY)
    return found if isinstance(found, Identity) else None
