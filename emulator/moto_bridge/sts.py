"""STS requests read exactly as moto's STS will read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.moto_bridge.common import copy_environ
from emulator.moto_bridge.dispatch import moto_host


@dataclass(frozen=True)
class StsCall:
    """An STS request as moto's own TokenResponse reads it: handler method, RoleArn, partition."""

    method: str
    role_arn: str | None
    partition: str


def sts_call(environ: dict[str, Any], body: bytes) -> StsCall | None:
    """Read a request exactly as moto would: None unless its dispatcher routes it to STS; raises if unreadable."""
    from moto.core.utils import camelcase_to_underscores
    from moto.moto_server.werkzeug_app import BackendRequest
    from moto.sts.responses import TokenResponse

    dispatcher, host = moto_host(environ, body)
    if host is None or dispatcher.get_backend_for_host(host) != "sts":
        return None
    request = BackendRequest(copy_environ(environ, body))
    response = TokenResponse()
    response.setup_class(request)
    method = camelcase_to_underscores(response._get_action())
    role_arn = None
    if method == "assume_role":
        response.parse_parameters(request)
        role_arn = response._get_param("RoleArn")
    return StsCall(method, role_arn if isinstance(role_arn, str) else None, response.partition)
