"""moto's management API (/moto-api/*): off unless `serve --moto-api`; its recorder is never served."""

# moto's management API is not per account: data.json returns every account's state (IAM secret keys
# included) and reset wipes every account's. So it is served only when the operator asks for it, and then
# its reset also resets the emulator's own state, so that a test suite has one reset. The recorder
# (/moto-api/recorder/*) stays refused whatever the flag: it records other accounts' signed requests (which
# stay replayable), and replay-recording sends requests to any host, deadlocking the server when aimed at it.
#
# A refused path answers 404 UnknownOperationException in the caller's protocol: the operation does not
# exist on this server (credentials would not change that, so no 403), the answer is the same signed or
# unsigned, and the message names the flag.

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from emulator import moto_bridge
from emulator.identity.auth_errors import protocol_of, render

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CODE = "UnknownOperationException"
STATUS = 404
OFF_MESSAGE = (
    "moto's management API (/moto-api/) is not served: start the emulator with --moto-api to enable it "
    "(it exposes and resets every account's state)."
)
RECORDER_MESSAGE = (
    "moto's recorder (/moto-api/recorder/) is never served by this emulator: it would record other accounts' "
    "signed requests and replay requests to any host."
)
RESET_PATH = "/moto-api/reset"


class MotoApiGate:
    """Refuses /moto-api/* unless enabled (the recorder always); after moto's reset, resets the emulator's state."""

    def __init__(self, enabled: bool, on_reset: Callable[[], None] | None = None) -> None:
        self.enabled = enabled
        self._on_reset = on_reset

    def refuse(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes] | None:
        """Answer a refused /moto-api request (404 in the caller's protocol); None lets the request through."""
        path = moto_bridge.moto_api_path(environ)
        if path is None:
            return None
        recorder = "recorder" in path  # however the path is spelled (//, encoded): moto's routing is not ours
        if self.enabled and not recorder:
            return None
        response = render(
            protocol_of(environ, None),  # X-Amz-Target: JSON, form-encoded: query XML, otherwise S3's XML
            CODE,
            STATUS,
            RECORDER_MESSAGE if recorder else OFF_MESSAGE,
            request_id=str(uuid.uuid4()),
            service=None,
            method=str(environ.get("REQUEST_METHOD", "GET")),
        )
        start_response(response.status_line, response.headers)
        return [response.body]

    def wrap(self, moto_app: WSGIApplication | None) -> WSGIApplication | None:
        """The moto app to dispatch to: when enabled with a reset hook, one that also resets the emulator."""
        if not self.enabled or self._on_reset is None:
            return moto_app
        return _ResettingApp(moto_app, self._on_reset)


class _ResettingApp:
    """moto's WSGI app, followed by the emulator's reset when moto answered POST /moto-api/reset with 200."""

    def __init__(self, moto_app: WSGIApplication | None, on_reset: Callable[[], None]) -> None:
        self._moto_app = moto_app
        self._on_reset = on_reset

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Dispatch to moto; on a successful reset, reset the emulator too (call_moto holds MOTO_LOCK)."""
        path = (moto_bridge.moto_api_path(environ) or "").rstrip("/")
        is_reset = path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST"
        statuses: list[str] = []

        def recording(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        app = self._moto_app or moto_bridge.moto_wsgi_app()
        result = app(environ, recording)
        try:
            body = list(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if is_reset and statuses and statuses[-1].startswith("200"):
            self._on_reset()
        return body
