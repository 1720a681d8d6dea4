"""The loaded model and its patches."""

from __future__ import annotations

from emulator.protocol import error_status, operation_names, service_model


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
