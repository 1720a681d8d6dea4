"""AWS Signature Version 4 verification of a WSGI request with botocore's own signer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from botocore.utils import normalize_url_path

from emulator.identity.scope import ScopeProblem, scope_problem

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60
MAX_PRESIGN_EXPIRES = 7 * 24 * 3600
_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# The x-amz-content-sha256 values S3 accepts instead of the body's hash; no other service accepts any.
S3_PAYLOAD_KEYWORDS = frozenset(
    {
        "UNSIGNED-PAYLOAD",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
    }
)
_PRESERVED_NAMES = "moto.preserved_header_names"


class Failure(enum.Enum):
    """Why a request's credentials were refused, independent of the service's error vocabulary."""

    MISSING = "missing"  # no Authorization header, no presigned query
    INCOMPLETE = "incomplete"  # Authorization present but malformed
    UNSUPPORTED = "unsupported"  # an authorization scheme other than AWS4-HMAC-SHA256
    UNKNOWN_KEY = "unknown_key"
    MISMATCH = "mismatch"  # wrong signature
    SKEWED = "skewed"  # X-Amz-Date more than 15 minutes from the clock
    PRESIGN_EXPIRED = "presign_expired"
    BODY_HASH = "body_hash"  # x-amz-content-sha256 does not match the body
    PAYLOAD_HASH_INVALID = "payload_hash_invalid"  # S3: x-amz-content-sha256 neither a keyword nor a sha256
    SCOPE = "scope"  # the credential scope names a region that does not exist or another service
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"


class AuthFailure(Exception):
    """A refused request: the failure kind and, where AWS words it specially, a message."""

    def __init__(self, kind: Failure, message: str | None = None, *, scope: ScopeProblem | None = None) -> None:
        super().__init__(message or kind.value)
        self.kind = kind
        self.message = message
        self.scope = scope


@dataclass(frozen=True)
class KeyInfo:
    """What the verifier needs to know about an access key."""

    secret: str
    account: str
    session_token: str | None = None
    expiry: float | None = None


@dataclass(frozen=True)
class Credential:
    """The parsed SigV4 parameters of a request, from its Authorization header or presigned query."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    presigned: bool = False
    expires: int | None = None


@dataclass(frozen=True)
class Verified:
    """A request whose signature checked out."""

    credential: Credential
    key: KeyInfo


KeyLookup = Callable[[str], KeyInfo | None]
ExpectedService = Callable[[Credential], str | None]
"""The signing name the service called expects of a credential; None when it cannot tell; NO_SERVICE if none."""


def request_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """Lower-cased request headers, with moto's preserved spelling for underscored names."""
    names: Mapping[str, str] = environ.get(_PRESERVED_NAMES) or {}
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            headers[(names.get(key) or key[5:].replace("_", "-")).lower()] = value
    for key, name in (("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length")):
        if environ.get(key):
            headers[name] = str(environ[key])
    return headers


def raw_path_and_query(environ: Mapping[str, Any]) -> tuple[str, str]:
    """The path and query exactly as sent on the wire (RAW_URI/REQUEST_URI; PATH_INFO as a fallback)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw.startswith("/"):
        path, _, query = raw.partition("?")
        return path, query
    path_info = str(environ.get("PATH_INFO", "/")).encode("latin-1").decode("utf-8", "replace")
    return quote(path_info, safe="/~!$&'()*+,;=:@"), str(environ.get("QUERY_STRING", ""))


def parse_credential(environ: Mapping[str, Any]) -> Credential | None:
    """Parse the SigV4 parameters; None when the request carries none; AuthFailure when garbled."""
    headers = request_headers(environ)
    authorization = headers.get("authorization", "").strip()
    if authorization:
        return _parse_authorization(authorization, headers)
    query = _query_params(raw_path_and_query(environ)[1])
    if "X-Amz-Signature" in query or "X-Amz-Credential" in query or "X-Amz-Algorithm" in query:
        return _parse_presigned(query)
    return None


def _parse_authorization(authorization: str, headers: Mapping[str, str]) -> Credential:
    """Parse an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header."""
    scheme, _, rest = authorization.partition(" ")
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            params[name.strip()] = value.strip()
    missing = [p for p in ("Credential", "Signature", "SignedHeaders") if not params.get(p)]
    if scheme != ALGORITHM:
        # SigV4A (AWS4-ECDSA-P256-SHA256, X-Amz-Region-Set) is well formed but not verified here.
        message = _unsupported(scheme) if not missing else _incomplete(missing, authorization)
        raise AuthFailure(Failure.UNSUPPORTED, message)
    amz_date = headers.get("x-amz-date", "")
    if missing or not amz_date:
        raise AuthFailure(Failure.INCOMPLETE, _incomplete(missing, authorization, date_missing=not amz_date))
    return _credential(params["Credential"], params["SignedHeaders"], params["Signature"], amz_date)


def _parse_presigned(query: Mapping[str, str]) -> Credential:
    """Parse the X-Amz-* parameters of a presigned URL."""
    missing = [
        p for p in ("Algorithm", "Credential", "Date", "SignedHeaders", "Signature") if not query.get(f"X-Amz-{p}")
    ]
    if missing:
        raise AuthFailure(
            Failure.INCOMPLETE,
            "AWS query-string parameters must include "
            + ", ".join(f"'X-Amz-{p}'" for p in missing)
            + ". Re-examine the query-string parameters.",
        )
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise AuthFailure(Failure.UNSUPPORTED, _unsupported(query["X-Amz-Algorithm"]))
    expires = query.get("X-Amz-Expires", "")
    if not expires.isdigit() or not 1 <= int(expires) <= MAX_PRESIGN_EXPIRES:
        raise AuthFailure(Failure.INCOMPLETE, "X-Amz-Expires must be an integer between 1 and 604800 seconds.")
    base = _credential(
        query["X-Amz-Credential"], query["X-Amz-SignedHeaders"], query["X-Amz-Signature"], query["X-Amz-Date"]
    )
    return dataclasses.replace(base, presigned=True, expires=int(expires))


def _credential(credential: str, signed_headers: str, signature: str, amz_date: str) -> Credential:
    """Validate the parts shared by header and query authentication."""
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts):
        raise AuthFailure(
            Failure.INCOMPLETE,
            f"Credential should be scoped to a valid region and service, "
            f"in the form <key>/<date>/<region>/<service>/aws4_request. Credential={credential}",
        )
    try:
        dt.datetime.strptime(amz_date, _AMZ_DATE_FORMAT)
    except ValueError:
        raise AuthFailure(
            Failure.INCOMPLETE,
            f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601",
        ) from None
    names = tuple(h.strip().lower() for h in signed_headers.split(";") if h.strip())
    if "host" not in names:
        raise AuthFailure(
            Failure.INCOMPLETE, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )
    if len(signature) != 64 or any(c not in "0123456789abcdef" for c in signature):
        raise AuthFailure(Failure.MISMATCH)
    return Credential(parts[0], parts[1], parts[2], parts[3], names, signature, amz_date)


def _incomplete(missing: list[str], authorization: str, *, date_missing: bool = False) -> str:
    """AWS's IncompleteSignature wording."""
    reasons = [f"Authorization header requires '{p}' parameter." for p in missing]
    if date_missing:
        reasons.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    return " ".join(reasons) + f" Authorization={authorization[:256]}"


def _unsupported(algorithm: str) -> str:
    """AWS's wording for a signing algorithm other than AWS4-HMAC-SHA256 (SigV4A among them)."""
    return f"Unsupported AWS 'algorithm': '{algorithm[:64]}' (only AWS4-HMAC-SHA256 for now). "


def _query_params(query: str) -> dict[str, str]:
    """Decode a raw query string into its last value per name (enough for X-Amz-* parameters)."""
    params: dict[str, str] = {}
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name:
            params[unquote(name)] = unquote(value.replace("+", " "))
    return params


def verify(
    environ: Mapping[str, Any],
    body: bytes,
    now: float,
    lookup: KeyLookup,
    expected_service: ExpectedService | None = None,
) -> Verified | None:
    """Verify a request's SigV4 signature; None when unsigned, AuthFailure when refused."""
    credential = parse_credential(environ)
    if credential is None:
        return None
    check_scope(credential, expected_service)
    key = lookup(credential.access_key_id)
    if key is None:
        raise AuthFailure(Failure.UNKNOWN_KEY)
    headers = _with_empty_content_headers(request_headers(environ), environ, credential.signed_headers)
    path, query = raw_path_and_query(environ)
    _check_token(credential, key, headers, _query_params(query), now)
    check_clock(credential, now)
    if credential.scope_date != credential.amz_date[:8]:
        raise AuthFailure(
            Failure.MISMATCH,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
            f"version of date from HTTP: '{credential.scope_date}' != '{credential.amz_date[:8]}', "
            f"from '{credential.amz_date}'.",
        )
    if any(name not in headers for name in credential.signed_headers):
        raise AuthFailure(Failure.MISMATCH)
    content_sha = headers.get("x-amz-content-sha256")
    if credential.service == "s3" and content_sha and content_sha not in S3_PAYLOAD_KEYWORDS:
        if len(content_sha) != 64 or any(c not in "0123456789abcdefABCDEF" for c in content_sha):
            raise AuthFailure(Failure.PAYLOAD_HASH_INVALID)
    expected = signature_for(
        credential, key.secret, str(environ.get("REQUEST_METHOD", "GET")), path, query, headers, body
    )
    if not hmac.compare_digest(expected, credential.signature):
        raise AuthFailure(Failure.MISMATCH)
    keyword_allowed = credential.service == "s3" and content_sha in S3_PAYLOAD_KEYWORDS
    if content_sha and not keyword_allowed:  # only S3 may leave the payload unsigned, and only by keyword
        if not hmac.compare_digest(content_sha.lower().encode(), hashlib.sha256(body).hexdigest().encode()):
            raise AuthFailure(Failure.BODY_HASH)
    return Verified(credential, key)


def check_scope(credential: Credential, expected_service: ExpectedService | None) -> None:
    """Refuse a scope whose region is not a real one, or whose service is not the one called."""
    expected = expected_service(credential) if expected_service is not None else None
    problem = scope_problem(credential.region, credential.service, expected, presigned=credential.presigned)
    if problem is not None:
        raise AuthFailure(Failure.SCOPE, problem.coral_message(), scope=problem)


def _with_empty_content_headers(
    headers: dict[str, str], environ: Mapping[str, Any], signed: tuple[str, ...]
) -> dict[str, str]:
    """Add a signed Content-Type or Content-Length that arrived empty (WSGI gives it as '')."""
    for key, name in (("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length")):
        if name in signed and name not in headers and isinstance(environ.get(key), str):
            headers[name] = str(environ[key])
    return headers


def check_clock(credential: Credential, now: float) -> None:
    """Refuse a date more than 15 minutes from `now` (a presigned URL: expired, or signed in the future)."""
    signed_at = dt.datetime.strptime(credential.amz_date, _AMZ_DATE_FORMAT).replace(tzinfo=dt.UTC)
    clock = dt.datetime.fromtimestamp(now, dt.UTC).replace(microsecond=0)
    skew = dt.timedelta(seconds=MAX_SKEW_SECONDS)
    if credential.presigned and credential.expires is not None:
        if clock > signed_at + dt.timedelta(seconds=credential.expires):
            raise AuthFailure(Failure.PRESIGN_EXPIRED)
    elif signed_at < clock - skew:
        raise AuthFailure(
            Failure.SKEWED,
            f"Signature expired: {credential.amz_date} is now earlier than "
            f"{_fmt(clock - skew)} ({_fmt(clock)} - 15 min.)",
        )
    if signed_at > clock + skew:
        raise AuthFailure(
            Failure.SKEWED,
            f"Signature not yet current: {credential.amz_date} is still later than "
            f"{_fmt(clock + skew)} ({_fmt(clock)} + 15 min.)",
        )


def _fmt(when: dt.datetime) -> str:
    """Format an instant as an X-Amz-Date."""
    return when.strftime(_AMZ_DATE_FORMAT)


def _check_token(
    credential: Credential, key: KeyInfo, headers: Mapping[str, str], query: Mapping[str, str], now: float
) -> None:
    """Temporary credentials need their own session token, unexpired; permanent keys take none."""
    sent = headers.get("x-amz-security-token") or query.get("X-Amz-Security-Token")
    if key.session_token is None:
        if sent is not None:
            raise AuthFailure(Failure.TOKEN_INVALID)
        return
    sent = sent or ""
    if not hmac.compare_digest(sent.encode(), key.session_token.encode()):
        raise AuthFailure(Failure.TOKEN_INVALID)
    if key.expiry is not None and now >= key.expiry:
        raise AuthFailure(Failure.TOKEN_EXPIRED)


def signature_for(
    credential: Credential,
    secret: str,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> str:
    """Compute the signature the client should have sent, from the signed headers only."""
    signer = SigV4Auth(Credentials(credential.access_key_id, secret), credential.service, credential.region)
    signed = HTTPHeaders()
    for name in credential.signed_headers:
        signed[name] = headers[name]
    if credential.service == "s3":
        canonical_path = path or "/"  # S3 does not normalise or re-encode the path
    else:
        canonical_path = quote(normalize_url_path(path or "/"), safe="/~")
    if credential.service != "s3":
        payload = hashlib.sha256(body).hexdigest()  # other services sign the body itself, whatever a header says
    elif "x-amz-content-sha256" in credential.signed_headers:
        payload = headers["x-amz-content-sha256"]
    elif credential.presigned:
        payload = "UNSIGNED-PAYLOAD"
    else:
        payload = hashlib.sha256(body).hexdigest()
    canonical = "\n".join(
        [
            method.upper(),
            canonical_path,
            _canonical_query(query, drop_signature=credential.presigned),
            signer.canonical_headers(signed) + "\n",
            signer.signed_headers(signed),
            payload,
        ]
    )
    request = AWSRequest(method=method)
    request.context["timestamp"] = credential.amz_date
    result: str = signer.signature(signer.string_to_sign(request, canonical), request)
    return result


def _canonical_query(query: str, *, drop_signature: bool) -> str:
    """The canonical query string, from the raw query as botocore builds it (sorted, encoding kept)."""
    pairs = []
    for pair in query.split("&") if query else []:
        name, _, value = pair.partition("=")
        if drop_signature and name == "X-Amz-Signature":
            continue
        pairs.append((name, value))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))
