"""The loaded model and its patches."""

from __future__ import annotations

from emulator.errors import ServiceError
from emulator.ops import load_handlers
from emulator.protocol import error_status, operation_names, service_model
from emulator.protocol.spec import error_statuses


def test_model_is_rekognition_json_1_1() -> None:
    meta = service_model().metadata
    assert (meta["protocol"], meta["jsonVersion"], meta["targetPrefix"]) == (
        "json",
        "1.1",
        "RekognitionService",
    )


def test_model_is_loaded_once() -> None:
    assert service_model() is service_model()


def test_face_operations_are_present() -> None:
    face_ops = {"CreateCollection", "IndexFaces", "SearchFacesByImage", "AssociateFaces", "ListUsers"}
    assert face_ops <= operation_names()


def test_error_statuses() -> None:
    assert error_status("InternalServerError") == 500
    assert error_status("ThrottlingException") == 500
    for code in (
        "InvalidParameterException",
        "ValidationException",
        "ResourceNotFoundException",
        "ProvisionedThroughputExceededException",
        "AccessDeniedException",
    ):
        assert error_status(code) == 400


def test_every_modeled_error_has_a_status() -> None:
    for shape in service_model().error_shapes:
        assert shape.metadata["error"]["httpStatusCode"] == error_status(shape.name)


def test_validation_exception_is_patched_into_every_operation() -> None:
    model = service_model()
    for name in operation_names():
        codes = {shape.name for shape in model.operation_model(name).error_shapes}
        assert "ValidationException" in codes


def _subclasses(cls: type[ServiceError]) -> set[type[ServiceError]]:
    """The emulator's own subclasses (tests define some of their own)."""
    found = {sub for sub in cls.__subclasses__() if sub.__module__.startswith("emulator.")}
    return found.union(*(_subclasses(sub) for sub in found))


def test_every_error_code_the_emulator_raises_has_a_status_from_the_model_or_its_patch() -> None:
    import emulator.app  # noqa: F401 - imports every layer that defines errors (pipeline, handlers)

    load_handlers()
    codes = {ServiceError.code} | {error.code for error in _subclasses(ServiceError)}
    assert {"UnsupportedOperationException", "SerializationException", "ValidationException"} <= codes
    assert codes <= set(error_statuses()), codes - set(error_statuses())
    faults = {"InternalServerError", "ThrottlingException"}  # the model's "fault": true errors
    assert {code: error_status(code) for code in codes} == {code: 500 if code in faults else 400 for code in codes}
