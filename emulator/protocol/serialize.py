"""Response dict or ServiceError -> AWS JSON 1.1 (status, headers, body), walking botocore's output shapes.

A response member the model does not define (a misspelled key in a handler's dict, at any depth) raises
UndefinedMember: the pipeline answers it as any other bug, InternalServerError (500) with the traceback in the
log. Dropping it instead would send a 200 without the field, a wrong answer that looks right; the 500 makes
the bug visible to the caller and fails every test that reaches it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from emulator.errors import InternalServerError, ServiceError
from emulator.protocol.spec import error_status, message_key, modeled_error_codes, service_model

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/x-amz-json-1.1"
DROP = object()


class UndefinedMember(Exception):
    """A handler's response holds a member its output shape does not define (an emulator bug)."""


def encode(value: Any, shape: Shape, path: str) -> Any:
    """One response value -> JSON-ready value, or DROP when it cannot be rendered for its shape."""
    encoder = ENCODERS.get(shape.type_name)
    result = DROP if encoder is None else encoder(value, shape, path)
    if result is DROP:
        log.warning("dropping %s: %r does not fit shape %s", path, value, shape.name)
    return result


def encode_structure(value: Any, shape: Shape, path: str) -> Any:
    """The non-None members; UndefinedMember for a key the shape does not define (even one whose value is None)."""
    if not isinstance(value, Mapping) or not isinstance(shape, StructureShape):
        return DROP
    members = shape.members
    out: dict[str, Any] = {}
    for name, item in value.items():
        if name not in members:
            raise UndefinedMember(f"{path}.{name} is not a member of {shape.name}")
        if item is not None:
            encoded = encode(item, members[name], f"{path}.{name}")
            if encoded is not DROP:
                out[name] = encoded
    return out


def encode_list(value: Any, shape: Shape, path: str) -> Any:
    """A list (or tuple) of members; None elements are dropped."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(shape, ListShape):
        return DROP
    try:
        items = list(value)
    except TypeError:
        return DROP
    encoded = (encode(item, shape.member, f"{path}[{i}]") for i, item in enumerate(items) if item is not None)
    return [item for item in encoded if item is not DROP]


def encode_map(value: Any, shape: Shape, path: str) -> Any:
    """A string-keyed mapping; None values are dropped."""
    if not isinstance(value, Mapping) or not isinstance(shape, MapShape):
        return DROP
    encoded = {str(k): encode(v, shape.value, f"{path}.{k}") for k, v in value.items() if v is not None}
    return {k: v for k, v in encoded.items() if v is not DROP}


def encode_string(value: Any, shape: Shape, path: str) -> Any:
    """Strings (StrEnum members included)."""
    return str(value) if isinstance(value, str) else DROP


def encode_integer(value: Any, shape: Shape, path: str) -> Any:
    """Integers and longs (integral floats accepted)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DROP
    if isinstance(value, float) and not value.is_integer():
        return DROP
    return int(value)


def encode_float(value: Any, shape: Shape, path: str) -> Any:
    """Floats and doubles as JSON numbers; NaN and infinities are not JSON and are dropped."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return DROP
    return float(value)


def encode_boolean(value: Any, shape: Shape, path: str) -> Any:
    """True or false."""
    return value if isinstance(value, bool) else DROP


def encode_blob(value: Any, shape: Shape, path: str) -> Any:
    """Bytes -> base64 text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return DROP


def encode_timestamp(value: Any, shape: Shape, path: str) -> Any:
    """Datetime -> epoch seconds as a JSON number (naive datetimes are taken as UTC)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return DROP


ENCODERS: dict[str, Callable[[Any, Shape, str], Any]] = {
    "structure": encode_structure,
    "list": encode_list,
    "map": encode_map,
    "string": encode_string,
    "integer": encode_integer,
    "long": encode_integer,
    "float": encode_float,
    "double": encode_float,
    "boolean": encode_boolean,
    "blob": encode_blob,
    "timestamp": encode_timestamp,
}


def headers_for(request_id: str) -> dict[str, str]:
    """Headers every Rekognition response carries."""
    return {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}


def dump(document: Mapping[str, Any]) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(document, separators=(",", ":"), allow_nan=False).encode("utf-8")


def serialize_response(
    operation: str, result: Mapping[str, Any], request_id: str
) -> tuple[int, dict[str, str], bytes]:
    """A handler's result -> 200, headers, JSON body shaped by the operation's output shape."""
    shape = service_model().operation_model(operation).output_shape
    if shape is None:
        if result:
            raise UndefinedMember(f"{operation} has no output shape, yet its handler returned {sorted(result)}")
        body: Any = {}
    else:
        body = encode_structure(result, shape, operation)
    return 200, headers_for(request_id), dump(body if body is not DROP else {})


def status_of(error: ServiceError) -> int:
    """The HTTP status of an error's code, from the model and its patch file (KeyError for an unknown code)."""
    return error_status(error.code)


def error_document(error: ServiceError) -> dict[str, str]:
    """The JSON error body AWS sends for this code."""
    document = {"__type": error.code}
    if error.code in modeled_error_codes():
        document["Code"] = error.code
        document["Logref"] = str(uuid.uuid4())
    if error.message:
        document[message_key(error.code)] = error.message
    return document


def serialize_error(error: ServiceError, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """A ServiceError -> its status, headers (with X-Amzn-ErrorType) and {"__type", message} body.

    A code with no status in the model or its patch file is an emulator bug: it is logged and answered as
    InternalServerError (500), as any other bug is, never with a status made up here.
    """
    try:
        status = status_of(error)
    except KeyError:
        log.error("error code %s has no HTTP status in the model or spec_patches.json", error.code)
        error = InternalServerError("Internal server error")
        status = status_of(error)
    headers = headers_for(request_id)
    headers["X-Amzn-ErrorType"] = error.code
    return status, headers, dump(error_document(error))
