"""The request handler: Werkzeug's (moto's, for S3) with a read timeout, our chunked decoder and AWS-shaped errors."""

from __future__ import annotations

import contextlib
import socket
from typing import TYPE_CHECKING, cast

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from emulator.gateway.body import TRANSPORT_KEY, ChunkedReader, Transport, transport_error

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment


class TransportServer(BaseWSGIServer):
    """A Werkzeug server that can name the Transport of the connection a socket belongs to."""

    def connection_of(self, sock: socket.socket) -> Transport | None:
        """The Transport being served on sock; None when the server does not track connections."""
        del sock
        return None


class TransportHandler(WSGIRequestHandler):
    """Request handler additions: our chunked decoder, the connection's Transport, AWS-shaped HTTP errors."""

    server: TransportServer

    def handle_expect_100(self) -> bool:
        """Werkzeug's run_wsgi answers `Expect: 100-continue` itself; do not send a second 100 Continue."""
        return True

    def make_environ(self) -> WSGIEnvironment:
        """The WSGI environ, with a chunked body decoded by ChunkedReader (precise errors) instead of Werkzeug's."""
        environ = super().make_environ()
        if environ.get("wsgi.input_terminated"):
            environ["wsgi.input"] = ChunkedReader(self.rfile)
        connection = self.server.connection_of(self.connection)
        if connection is not None:
            environ[TRANSPORT_KEY] = connection
        return environ

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a request line or header section http.server cannot parse as AWS would (XML), never HTML."""
        del explain
        status = code if 400 <= code < 500 else 400
        headers = getattr(self, "headers", None)
        environ = {} if headers is None else {
            "HTTP_X_AMZ_TARGET": headers.get("X-Amz-Target", ""),
            "HTTP_AUTHORIZATION": headers.get("Authorization", ""),
            "CONTENT_TYPE": headers.get("Content-Type", ""),
        }
        environ["REQUEST_METHOD"] = getattr(self, "command", "") or "GET"
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":  # unparsable line: answer with a status line
            self.request_version = "HTTP/1.1"
        self.log_error("code %d, message %s", code, message)
        response = transport_error(environ, "InvalidRequest", status, message or "The request could not be parsed.")
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.send_response(status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(response.body)


def bounded_handler(base: type[WSGIRequestHandler], read_timeout: float) -> type[WSGIRequestHandler]:
    """A subclass of base (e.g. moto's handler) with our additions and a per-read socket timeout."""
    return cast("type[WSGIRequestHandler]", type(f"Bounded{base.__name__}", (TransportHandler, base),
                                                  {"timeout": read_timeout}))
