"""Authentication errors in each service's own vocabulary and wire protocol (JSON, S3 XML, query XML)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from xml.sax.saxutils import escape

from emulator.identity.scope import ScopeProblem
from emulator.identity.sigv4 import AuthFailure, Failure

JSON, S3, QUERY = "json", "s3", "query"

_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
_S3_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)
_BAD_TOKEN = "The security token included in the request is invalid."
_EXPIRED_TOKEN = "The security token included in the request is expired"
_BAD_REGION = "Credential should be scoped to a valid region. "
_S3_PAYLOAD_HASH = (
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or "
    "a valid sha256 value."
)
_S3_HOME_REGION = "us-east-1"  # the region of S3's global endpoint, which a wrong region is told to expect

# (code, HTTP status, default message) per protocol and failure.
_TABLE: dict[str, dict[Failure, tuple[str, int, str]]] = {
    JSON: {
        Failure.MISSING: ("MissingAuthenticationTokenException", 400, "Missing Authentication Token"),
        Failure.INCOMPLETE: ("IncompleteSignatureException", 400, "The request signature is incomplete."),
        Failure.UNSUPPORTED: ("IncompleteSignatureException", 400, "The request signature is incomplete."),
        Failure.UNKNOWN_KEY: ("UnrecognizedClientException", 400, _BAD_TOKEN),
        Failure.MISMATCH: ("InvalidSignatureException", 400, _MISMATCH),
        Failure.SKEWED: ("InvalidSignatureException", 400, "Signature expired"),
        Failure.PRESIGN_EXPIRED: ("InvalidSignatureException", 400, "Request has expired"),
        Failure.BODY_HASH: ("InvalidSignatureException", 400, _MISMATCH),
        Failure.PAYLOAD_HASH_INVALID: ("InvalidSignatureException", 400, _MISMATCH),
        Failure.SCOPE: ("InvalidSignatureException", 400, _BAD_REGION),
        Failure.TOKEN_INVALID: ("UnrecognizedClientException", 400, _BAD_TOKEN),
        Failure.TOKEN_EXPIRED: ("ExpiredTokenException", 400, _EXPIRED_TOKEN),
    },
    QUERY: {
        Failure.MISSING: ("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
        Failure.INCOMPLETE: ("IncompleteSignature", 400, "The request signature is incomplete."),
        Failure.UNSUPPORTED: ("IncompleteSignature", 400, "The request signature is incomplete."),
        Failure.UNKNOWN_KEY: ("InvalidClientTokenId", 403, _BAD_TOKEN),
        Failure.MISMATCH: ("SignatureDoesNotMatch", 403, _MISMATCH),
        Failure.SKEWED: ("SignatureDoesNotMatch", 403, "Signature expired"),
        Failure.PRESIGN_EXPIRED: ("SignatureDoesNotMatch", 403, "Request has expired"),
        Failure.BODY_HASH: ("SignatureDoesNotMatch", 403, _MISMATCH),
        Failure.PAYLOAD_HASH_INVALID: ("SignatureDoesNotMatch", 403, _MISMATCH),
        Failure.SCOPE: ("SignatureDoesNotMatch", 403, _BAD_REGION),
        Failure.TOKEN_INVALID: ("InvalidClientTokenId", 403, _BAD_TOKEN),
        Failure.TOKEN_EXPIRED: ("ExpiredToken", 403, _EXPIRED_TOKEN),
    },
    S3: {
        Failure.MISSING: ("AccessDenied", 403, "Access Denied"),
        Failure.INCOMPLETE: ("AuthorizationHeaderMalformed", 400, "The authorization header is malformed."),
        Failure.UNSUPPORTED: (
            "InvalidRequest",
            400,
            "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
        ),
        Failure.UNKNOWN_KEY: (
            "InvalidAccessKeyId",
            403,
            "The AWS Access Key Id you provided does not exist in our records.",
        ),
        Failure.MISMATCH: ("SignatureDoesNotMatch", 403, _S3_MISMATCH),
        Failure.SKEWED: (
            "RequestTimeTooSkewed",
            403,
            "The difference between the request time and the current time is too large.",
        ),
        Failure.PRESIGN_EXPIRED: ("AccessDenied", 403, "Request has expired"),
        Failure.BODY_HASH: (
            "XAmzContentSHA256Mismatch",
            400,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ),
        Failure.PAYLOAD_HASH_INVALID: ("InvalidArgument", 400, _S3_PAYLOAD_HASH),
        Failure.SCOPE: ("AuthorizationHeaderMalformed", 400, "The authorization header is malformed."),
        Failure.TOKEN_INVALID: ("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
        Failure.TOKEN_EXPIRED: ("ExpiredToken", 400, "The provided token has expired."),
    },
}
# Failures whose wording is fixed per service, whatever detail the verifier gave.
_FIXED_MESSAGES = {
    (S3, Failure.SKEWED),
    (S3, Failure.UNSUPPORTED),
    (S3, Failure.MISMATCH),
    (S3, Failure.PAYLOAD_HASH_INVALID),
}
_QUERY_NAMESPACES = {
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}
_JSON_SERVICES = {"rekognition", "organizations"}


@dataclass(frozen=True)
class ErrorResponse:
    """A complete HTTP error response."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_line(self) -> str:
        """The WSGI status string, e.g. '403 Forbidden'."""
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def protocol_of(environ: Mapping[str, Any], service: str | None) -> str:
    """Which error protocol the caller parses: JSON (X-Amz-Target), S3 XML, or query XML."""
    if environ.get("HTTP_X_AMZ_TARGET") or service in _JSON_SERVICES:
        return JSON
    if service == "s3":
        return S3
    if service:
        return QUERY
    content_type = str(environ.get("CONTENT_TYPE", ""))
    if "x-amz-json" in content_type:
        return JSON
    if "x-www-form-urlencoded" in content_type or "Action=" in str(environ.get("QUERY_STRING", "")):
        return QUERY
    return S3


def code_for(protocol: str, failure: AuthFailure) -> tuple[str, int, str]:
    """The (code, status, message) a service answers for this failure."""
    code, status, message = _TABLE[protocol][failure.kind]
    if protocol == S3 and failure.scope is not None:
        return _s3_scope_error(failure.scope, status)
    if failure.message and (protocol, failure.kind) not in _FIXED_MESSAGES:
        message = failure.message
    return code, status, message


def _s3_scope_error(problem: ScopeProblem, status: int) -> tuple[str, int, str]:
    """S3's own wording of a wrong region or service, in the header or in a presigned URL's query."""
    if problem.presigned:
        code, lead = "AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter; "
    else:
        code, lead = "AuthorizationHeaderMalformed", "The authorization header is malformed; "
    if problem.bad_region:
        return code, status, f"{lead}the region '{problem.region}' is wrong; expecting '{_S3_HOME_REGION}'"
    return code, status, f'{lead}incorrect service "{problem.service}". This endpoint belongs to "s3".'


def error_response(
    protocol: str,
    failure: AuthFailure,
    *,
    request_id: str,
    service: str | None,
    access_key_id: str | None = None,
    method: str = "POST",
) -> ErrorResponse:
    """Render the failure as the service would."""
    code, status, message = code_for(protocol, failure)
    return render(
        protocol,
        code,
        status,
        message,
        request_id=request_id,
        service=service,
        access_key_id=access_key_id,
        method=method,
    )


def render(
    protocol: str,
    code: str,
    status: int,
    message: str,
    *,
    request_id: str,
    service: str | None,
    access_key_id: str | None = None,
    method: str = "POST",
) -> ErrorResponse:
    """Render any error code in the given protocol."""
    if protocol == JSON:
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", code),
        ]
    elif protocol == S3:
        extra = f"<AWSAccessKeyId>{escape(access_key_id)}</AWSAccessKeyId>" if access_key_id else ""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>{extra}"
            f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        ).encode()
        headers = [
            ("Content-Type", "application/xml"),
            ("x-amz-request-id", request_id),
            ("x-amz-id-2", request_id),
        ]
    else:
        namespace = _QUERY_NAMESPACES.get((service or "").lower())
        xmlns = f' xmlns="{namespace}"' if namespace else ""
        body = (
            f"<ErrorResponse{xmlns}><Error><Type>Sender</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId>"
            "</ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    if method.upper() == "HEAD":
        body = b""
    headers.append(("Content-Length", str(len(body))))
    return ErrorResponse(status, headers, body)
