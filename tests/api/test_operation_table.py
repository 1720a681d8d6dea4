"""The handler table against botocore's model, and a handler's misspelled response member on the wire."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from emulator.ops import OPERATIONS, load_handlers
from emulator.protocol.spec import operation_names, service_model
from tests.protocol.helpers import minimal_value

HANDLERS = load_handlers()
UNSUPPORTED = sorted(operation_names() - set(HANDLERS))


def test_every_handler_is_an_operation_of_the_model() -> None:
    assert set(HANDLERS) <= operation_names(), set(HANDLERS) - operation_names()
    assert {"IndexFaces", "SearchFacesByImage", "CreateUser"} <= set(HANDLERS)


@pytest.mark.parametrize("name", UNSUPPORTED)
def test_every_other_operation_is_answered_as_unsupported(rekognition: Any, name: str) -> None:
    shape = service_model().operation_model(name).input_shape
    params = minimal_value(shape) if shape is not None else {}
    with pytest.raises(ClientError) as err:
        getattr(rekognition, xform_name(name))(**params)
    assert err.value.response["Error"] == {
        "Code": "UnsupportedOperationException",
        "Message": f"Operation {name} is not supported by this Rekognition emulator.",
    }
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_misspelled_response_member_fails_loudly(rekognition: Any, monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    real = OPERATIONS["DescribeCollection"]

    def misspelled(ctx: Any, rt: Any, params: dict[str, Any]) -> dict[str, Any]:
        out = real(ctx, rt, params)
        out["FaceCnt"] = out.pop("FaceCount")
        return out

    rekognition.create_collection(CollectionId="misspelled")
    monkeypatch.setitem(OPERATIONS, "DescribeCollection", misspelled)
    with pytest.raises(ClientError) as err:
        rekognition.describe_collection(CollectionId="misspelled")
    assert err.value.response["Error"]["Code"] == "InternalServerError"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "DescribeCollection.FaceCnt is not a member of DescribeCollectionResponse" in caplog.text
    monkeypatch.undo()
    assert rekognition.describe_collection(CollectionId="misspelled")["FaceCount"] == 0
    rekognition.delete_collection(CollectionId="misspelled")
