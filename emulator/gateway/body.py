"""Reading a request body off the wire whole, before routing: framing faults become AWS-shaped 4xx answers.

The server reads every body here first (Content-Length or chunked), so that a bad chunk size, a body shorter
than its Content-Length, a truncated chunked body or a client that stops sending gets a 400 in its service's
protocol (JSON for Rekognition, XML for the others, rendered as emulator/identity/auth_errors.py renders
authentication errors), never a 500, an HTML page or a hang beyond the read timeout. The app behind sees an
exactly-sized, rewindable body (wsgi.input a BytesIO, CONTENT_LENGTH its length).

Error codes are S3's wording for the same transport faults (AWS documents no others): IncompleteBody,
RequestTimeout, and InvalidRequest for framing that cannot be parsed.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from emulator.identity.auth_errors import JSON, ErrorResponse, protocol_of, render

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

TRANSPORT_KEY = "emulator.transport"  # the server's per-connection Transport, when there is one
DRAIN_LIMIT = 64 * 1024 * 1024  # bytes of a refused body discarded so the client reads the answer
_STEP = 1 << 16
_MAX_LINE = 4096  # a chunk-size line or trailer line longer than this is malformed
_MAX_TRAILERS = 100
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_DIGITS = re.compile(r"[0-9]{1,19}")
_REKOGNITION_PREFIX = "RekognitionService."

INCOMPLETE = "You did not provide the number of bytes specified by the Content-Length HTTP header."
TIMED_OUT = (
    "Your socket connection to the server was not read from or written to within the timeout period. "
    "Idle connections will be closed."
)


class Transport(Protocol):
    """What the server lets the body reader tell it about a connection."""

    def progress(self) -> None:
        """Some bytes of the request arrived."""

    def received(self) -> None:
        """The whole request has been read; from now on it is being processed."""


class BodyError(Exception):
    """A request body that cannot be read as sent: (code, HTTP status, message) for the answer."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


def incomplete(message: str = INCOMPLETE) -> BodyError:
    """The body ended before its framing said it would."""
    return BodyError("IncompleteBody", message)


class ChunkedReader(io.RawIOBase):
    """Decode Transfer-Encoding: chunked from the connection's buffered reader, raising BodyError on bad framing."""

    def __init__(self, rfile: io.BufferedIOBase) -> None:
        super().__init__()
        self._rfile = rfile
        self._left = 0  # bytes of the current chunk still to read
        self._done = False

    def readable(self) -> bool:
        """A body stream is readable."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Read the next bytes of chunk data into buffer; 0 after the last chunk and its trailers."""
        if self._done or not len(buffer):
            return 0
        if self._left == 0:
            self._left = self._chunk_size()
            if self._left == 0:
                self._trailers()
                self._done = True
                return 0
        view = memoryview(buffer).cast("B")[: min(len(buffer), self._left)]
        got = self._rfile.readinto(view)
        if not got:
            raise incomplete("The chunked request body ended inside a chunk.")
        self._left -= got
        if self._left == 0:
            self._end_of_chunk()
        return int(got)

    def _line(self, what: str) -> bytes:
        """One CRLF-terminated framing line, without its terminator."""
        line = self._rfile.readline(_MAX_LINE + 1)
        if not line.endswith(b"\n"):
            if len(line) > _MAX_LINE:
                raise BodyError("InvalidRequest", f"The chunked request body has an over-long {what} line.")
            raise incomplete(f"The chunked request body ended inside a {what} line.")
        return line.rstrip(b"\r\n")

    def _chunk_size(self) -> int:
        """Parse a chunk-size line (hex size, optional ;extensions)."""
        line = self._line("chunk-size")
        size = line.split(b";", 1)[0].strip(b" \t")
        if not _HEX.fullmatch(size):
            shown = line[:40].decode("latin-1")
            raise BodyError("InvalidRequest", f"Invalid chunk size {shown!r} in a chunked request body.")
        return int(size, 16)

    def _end_of_chunk(self) -> None:
        """Consume the CRLF after a chunk's data."""
        if self._line("chunk-terminator"):
            raise BodyError("InvalidRequest", "Chunk data is longer than its chunk size in a chunked request body.")

    def _trailers(self) -> None:
        """Consume the trailer section after the last chunk, up to its empty line."""
        for _ in range(_MAX_TRAILERS):
            if not self._line("trailer"):
                return
        raise BodyError("InvalidRequest", "The chunked request body has too many trailer lines.")


class BodyGuard:
    """WSGI middleware: read the whole body first and answer transport faults before the app runs."""

    def __init__(self, app: WSGIApplication, limit_of: Callable[[WSGIEnvironment], int | None]) -> None:
        self._app = app
        self._limit_of = limit_of

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Buffer the body (or refuse the request), then call the app."""
        transport: Transport | None = environ.get(TRANSPORT_KEY)
        try:
            buffer_body(environ, self._limit_of(environ), transport)
        except BodyError as err:
            return answer(environ, start_response, err)
        except TimeoutError:
            return answer(environ, start_response, BodyError("RequestTimeout", TIMED_OUT))
        finally:
            if transport is not None:
                transport.received()
        return self._app(environ, start_response)


def buffer_body(environ: WSGIEnvironment, limit: int | None, transport: Transport | None = None) -> None:
    """Replace wsgi.input by the whole body in memory; a body over limit is drained and left for the app to refuse.

    Raises BodyError for bad framing or a short body, TimeoutError when the client stops sending, and
    ConnectionError when it goes away.
    """
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    if environ.pop("wsgi.input_terminated", False):  # chunked: the stream ends itself
        body = _read(stream, None if limit is None else limit + 1, transport, exact=False)
        environ["CONTENT_LENGTH"] = str(len(body))
        if limit is not None and len(body) > limit:
            _drain(stream, DRAIN_LIMIT, transport)
            body = b""  # CONTENT_LENGTH says how big it was; the app answers the limit error
        environ["wsgi.input"] = io.BytesIO(body)
        return
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not declared:
        environ["wsgi.input"] = io.BytesIO(b"")
        return
    if not _DIGITS.fullmatch(declared):
        raise BodyError("InvalidRequest", f"The Content-Length header {declared[:40]!r} is not a number of bytes.")
    length = int(declared)
    if limit is not None and length > limit:
        _drain(stream, min(length, DRAIN_LIMIT), transport)
        environ["wsgi.input"] = io.BytesIO(b"")  # CONTENT_LENGTH kept: the app answers the limit error
        return
    environ["wsgi.input"] = io.BytesIO(_read(stream, length, transport, exact=True))
    environ["CONTENT_LENGTH"] = str(length)


def _read(stream: Any, most: int | None, transport: Transport | None, *, exact: bool) -> bytes:
    """Read up to most bytes (all when None); with exact, fewer is an IncompleteBody."""
    parts: list[bytes] = []
    got = 0
    while most is None or got < most:
        chunk = stream.read(_STEP if most is None else min(_STEP, most - got))
        if not chunk:
            if exact:
                raise incomplete()
            break
        parts.append(chunk)
        got += len(chunk)
        if transport is not None:
            transport.progress()
    return b"".join(parts)


def _drain(stream: Any, most: int, transport: Transport | None) -> None:
    """Discard up to most bytes of a refused body so that the client gets to read the answer."""
    try:
        _read(stream, most, transport, exact=False)
    except (BodyError, TimeoutError):
        pass  # refused anyway: the answer says why


def answer(environ: WSGIEnvironment, start_response: StartResponse, err: BodyError) -> list[bytes]:
    """Answer a transport fault in the caller's protocol."""
    response = transport_error(environ, err.code, err.status, err.message)
    start_response(response.status_line, response.headers)
    return [response.body]


def transport_error(environ: Mapping[str, Any], code: str, status: int, message: str) -> ErrorResponse:
    """Render a transport fault as the service called would: JSON for Rekognition, XML for the rest."""
    service = _scope_service(str(environ.get("HTTP_AUTHORIZATION", "")))
    rekognition = str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(_REKOGNITION_PREFIX) or service == "rekognition"
    protocol = JSON if rekognition else protocol_of(environ, service)
    return render(protocol, code, status, message, request_id=str(uuid.uuid4()), service=service,
                  method=str(environ.get("REQUEST_METHOD", "POST")))


def _scope_service(authorization: str) -> str | None:
    """The service in a SigV4 Authorization header's credential scope, read leniently."""
    _, found, rest = authorization.partition("Credential=")
    parts = rest.split(",", 1)[0].split("/")
    return parts[3].strip() or None if found and len(parts) >= 4 else None
