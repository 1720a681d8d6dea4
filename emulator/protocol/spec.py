"""The botocore Rekognition service model, loaded once, with spec_patches.json applied."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from botocore.loaders import Loader
from botocore.model import ServiceModel

SERVICE_NAME = "rekognition"


@cache
def patches() -> dict[str, Any]:
    """The model corrections from spec_patches.json."""
    text = resources.files(__package__).joinpath("spec_patches.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def apply_patches(model: dict[str, Any], fixes: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a service-2 dict with the corrections applied."""
    patched = copy.deepcopy(model)
    shapes: dict[str, Any] = patched["shapes"]
    for name, shape in fixes.get("add_shapes", {}).items():
        shapes.setdefault(name, copy.deepcopy(shape))
    for name, status in fixes.get("error_status", {}).items():
        shape = shapes.get(name)
        if shape is not None and shape.get("exception"):
            error = shape.setdefault("error", {})
            error.update(code=name, httpStatusCode=status, senderFault=status < 500)
    for operation in patched["operations"].values():
        errors = operation.setdefault("errors", [])
        for name in fixes.get("add_error_to_every_operation", []):
            if not any(ref.get("shape") == name for ref in errors):
                errors.append({"shape": name})
    return patched


@cache
def service_model() -> ServiceModel:
    """Rekognition's botocore model with the patches applied (loaded once)."""
    raw = Loader().load_service_model(SERVICE_NAME, "service-2")
    return ServiceModel(apply_patches(raw, patches()), service_name=SERVICE_NAME)


@cache
def operation_names() -> frozenset[str]:
    """Every operation name of the model."""
    return frozenset(service_model().operation_names)


@cache
def modeled_error_codes() -> frozenset[str]:
    """Codes of the model's own exception shapes (without the patches' additions)."""
    added = set(patches().get("add_shapes", {}))
    return frozenset(shape.name for shape in service_model().error_shapes) - added


@cache
def error_statuses() -> dict[str, int]:
    """Every error code's HTTP status: the patched model's error shapes, and the patch file's framework errors."""
    statuses = {str(code): int(status) for code, status in patches()["error_status"].items()}
    for shape in service_model().error_shapes:
        status = shape.metadata.get("error", {}).get("httpStatusCode")
        if status is not None:
            statuses[shape.name] = int(status)
    return statuses


def error_status(code: str) -> int:
    """HTTP status for an error code (400 client error, 500 server fault); KeyError for a code neither source has."""
    return error_statuses()[code]


def message_key(code: str) -> str:
    """The JSON key AWS puts the message under for this error code."""
    framework = patches().get("framework_errors", {}).get(code)
    if framework is not None:
        return str(framework["message_key"])
    return "Message" if code in modeled_error_codes() else "message"
