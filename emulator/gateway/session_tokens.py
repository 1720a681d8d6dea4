"""GetSessionToken through the router: moto answers, then its example keys become real ones for the caller."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from emulator import moto_bridge

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def serve(
    environ: WSGIEnvironment,
    start_response: StartResponse,
    account: str,
    partition: str,
    moto_app: WSGIApplication | None,
) -> Iterable[bytes]:
    """Let moto answer GetSessionToken, then mint the credentials it names for `account` (token and expiry)."""
    answer: dict[str, Any] = {}

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer["status"], answer["headers"] = status, headers
        return lambda data: None

    body = b"".join(moto_bridge.call_moto(environ, capture, moto_app))
    status: str = answer.get("status", "500 Internal Server Error")
    if status.startswith("200"):
        body = moto_bridge.issue_session_credentials(account, partition, body)
    headers = [(k, v) for k, v in answer.get("headers", []) if k.lower() != "content-length"]
    start_response(status, [*headers, ("Content-Length", str(len(body)))])
    return [body]
