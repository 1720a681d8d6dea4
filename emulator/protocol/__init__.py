"""Protocol layer: AWS JSON 1.1 requests and responses, driven by botocore's Rekognition model."""

from __future__ import annotations

from emulator.protocol.parse import parse_request
from emulator.protocol.serialize import serialize_error, serialize_response
from emulator.protocol.spec import error_status, operation_names, service_model

__all__ = [
    "error_status",
    "operation_names",
    "parse_request",
    "serialize_error",
    "serialize_response",
    "service_model",
]
