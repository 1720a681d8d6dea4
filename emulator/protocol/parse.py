"""HTTP request (AWS JSON 1.1) -> (operation name, validated params), driven by botocore's model."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, NoReturn

from emulator.errors import SerializationException, UnknownOperationException
from emulator.protocol.decode import decode_structure
from emulator.protocol.spec import operation_names, service_model
from emulator.protocol.validate import validate_params

log = logging.getLogger(__name__)

JSON_CONTENT_TYPES = frozenset(
    {"application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json"}
)


Headers = Mapping[str, str] | Mapping[str, str | bytes]


def header(headers: Headers, name: str) -> str | None:
    """Case-insensitive header lookup for dicts, Werkzeug and botocore headers (bytes values decoded)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


def unknown_operation(reason: str) -> NoReturn:
    """Refuse the request the way AWS does when it cannot resolve an operation (no message in the body)."""
    log.debug("unknown operation: %s", reason)
    raise UnknownOperationException("")


def check_envelope(method: str, path: str, headers: Headers) -> None:
    """Only POST / with a JSON (or absent) Content-Type can name an operation."""
    if method.upper() != "POST":
        unknown_operation(f"method {method}")
    if path.split("?", 1)[0] not in ("", "/"):
        unknown_operation(f"path {path}")
    content_type = (header(headers, "Content-Type") or "").split(";", 1)[0].strip().lower()
    if content_type and content_type not in JSON_CONTENT_TYPES:
        unknown_operation(f"content type {content_type}")


def operation_from_target(target: str | None) -> str:
    """'RekognitionService.IndexFaces' -> 'IndexFaces'."""
    if not target:
        unknown_operation("no X-Amz-Target")
    prefix, _, name = target.strip().rpartition(".")
    if prefix != service_model().metadata["targetPrefix"] or name not in operation_names():
        unknown_operation(f"target {target}")
    return name


def reject_constant(token: str) -> NoReturn:
    """NaN and Infinity are not JSON."""
    raise SerializationException(f"Unexpected token {token}")


def load_json(body: bytes) -> Any:
    """Body bytes -> JSON value; an empty body is an empty object."""
    try:
        text = body.decode("utf-8")
        if not text.strip():
            return {}
        return json.loads(text, parse_constant=reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SerializationException("") from exc


def parse_request(method: str, path: str, headers: Headers, body: bytes) -> tuple[str, dict[str, Any]]:
    """Resolve the operation and return its params decoded and validated against the model."""
    check_envelope(method, path, headers)
    name = operation_from_target(header(headers, "X-Amz-Target"))
    input_shape = service_model().operation_model(name).input_shape
    document = load_json(body)
    if input_shape is None:
        if not isinstance(document, dict):
            raise SerializationException("Start of list found where not expected")
        return name, {}
    params = decode_structure(document, input_shape)
    validate_params(params, input_shape)
    return name, params
