"""The only composer of a Rekognition request: parse, identify, authorize, handle, serialize."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from emulator.context import RequestContext
from emulator.errors import (
    AccessDeniedException,
    InternalServerError,
    NotImplementedOperationException,
    ProvisionedThroughputExceededException,
    ServiceError,
)
from emulator.identity import Identity
from emulator.limits import MAX_REQUEST_BODY, THROTTLE_MESSAGE, Throttle
from emulator.ops import load_handlers
from emulator.policy.tag_views import TagsReader, decide
from emulator.protocol.parse import parse_request
from emulator.protocol.serialize import serialize_error, serialize_response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from emulator.ops.runtime import Runtime
    from emulator.policy.audit_log import AuditLog
    from emulator.policy.rules import Rule

log = logging.getLogger(__name__)



class RequestTooLarge(ServiceError):
    """The request body exceeds what any Rekognition request can carry."""

    code = "ValidationException"


class RekognitionApp:
    """WSGI application answering Rekognition's JSON 1.1 API."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        rules: tuple[Rule, ...],
        clock: Callable[[], datetime],
        audit: AuditLog,
        tags_of: TagsReader,
        max_body: int = MAX_REQUEST_BODY,
        throttle: Throttle | None = None,
    ) -> None:
        self.runtime = runtime
        self.rules = rules
        self.clock = clock
        self.audit = audit
        self.tags_of = tags_of
        self.max_body = max_body
        self.throttle = throttle
        self.handlers = load_handlers()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        request_id = str(uuid.uuid4())
        try:
            status, headers, body = self._answer(environ, request_id)
        except ServiceError as err:
            status, headers, body = serialize_error(err, request_id)
        except Exception:  # noqa: BLE001 - a bug must still answer as AWS would, never a traceback
            log.exception("internal error in request %s", request_id)
            status, headers, body = serialize_error(InternalServerError("Internal server error"), request_id)
        headers = {**headers, "Content-Length": str(len(body))}
        start_response(f"{status} {_reason(status)}", list(headers.items()))
        return [body]

    def _answer(self, environ: WSGIEnvironment, request_id: str) -> tuple[int, dict[str, str], bytes]:
        """Run the steps in order and return the serialized success."""
        body = _read_body(environ, self.max_body)
        headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        operation, params = parse_request(environ.get("REQUEST_METHOD", "POST"), environ.get("PATH_INFO", "/"),
                                          headers, body)
        handler = self.handlers.get(operation)
        if handler is None:
            raise NotImplementedOperationException(
                f"Operation {operation} is not supported by this Rekognition emulator."
            )
        ctx = _context(environ, request_id, operation)
        if self.throttle is not None and not self.throttle.allow(ctx.account, ctx.region, operation):
            raise ProvisionedThroughputExceededException(THROTTLE_MESSAGE)
        self._authorize(ctx)
        result = handler(ctx, self.runtime, params)
        return serialize_response(operation, result, request_id)

    def _authorize(self, ctx: RequestContext) -> None:
        """Apply the policy rules; deny before any image is read."""
        now = self.clock()
        decision = decide(self.rules, self.tags_of, account=ctx.account, operation=ctx.operation, now=now)
        if decision is None:
            return
        self.audit.record(time=now, account=ctx.account, operation=ctx.operation,
                          decision="allow" if decision.allowed else "deny",
                          rule=decision.rule.name if decision.rule else None, request_id=ctx.request_id)
        if not decision.allowed:
            raise AccessDeniedException(decision.message or "Access denied")


def _context(environ: WSGIEnvironment, request_id: str, operation: str) -> RequestContext:
    """Build the request context from the identity the router verified (it sets one on every request)."""
    identity: Identity = environ["emulator.identity"]
    return RequestContext(request_id, identity.account, identity.region, operation, time.time())


def _read_body(environ: WSGIEnvironment, limit: int) -> bytes:
    """Read the request body, refusing bodies over limit."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise RequestTooLarge(f"Request body of {length} bytes exceeds the limit of {limit} bytes")
    stream = environ.get("wsgi.input")
    if stream is None or length <= 0:
        return b""
    data: bytes = stream.read(length)
    return data


_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 413: "Request Entity Too Large",
            500: "Internal Server Error", 503: "Service Unavailable"}


def _reason(status: int) -> str:
    """Return the HTTP reason phrase of a status."""
    return _REASONS.get(status, "Unknown")
