"""FaceDetail attributes through boto3: AWS's members and shapes for ALL, each name, DEFAULT, and every operation.

Fields are checked for the attribute names some registered estimator computes (registry.registered());
the others are left out until their estimator is registered, never invented.
"""

from __future__ import annotations

import io
from typing import Any

import botocore.session
import numpy as np
import pytest
from PIL import Image

from emulator.engine import Engine, decode_image
from emulator.engine.attributes.registry import LANDMARKS, registered
from emulator.engine.attributes.types import ATTRIBUTE_NAMES
from tests.photos import identities, photo
from tests.targets import Target

MODEL = botocore.session.get_session().get_service_model("rekognition")
DEFAULT = {"BoundingBox", "Confidence", "Landmarks", "Pose", "Quality"}
DEFAULT_LANDMARKS = {"eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"}
MEMBER = {"AGE_RANGE": "AgeRange", "BEARD": "Beard", "EMOTIONS": "Emotions", "EYE_DIRECTION": "EyeDirection",
          "EYEGLASSES": "Eyeglasses", "EYES_OPEN": "EyesOpen", "FACE_OCCLUDED": "FaceOccluded", "GENDER": "Gender",
          "MOUTH_OPEN": "MouthOpen", "MUSTACHE": "Mustache", "SMILE": "Smile", "SUNGLASSES": "Sunglasses"}
VERDICTS = {"Smile", "Eyeglasses", "Sunglasses", "Beard", "Mustache", "EyesOpen", "MouthOpen", "FaceOccluded"}
COUPLE = "_multi/couple_jolie_pitt.jpg"
#: A held-out masked face of ../shared/faces/_attributes (FaceOccluded 93 % there, scripts/measure_attributes).
MASKED = "_attributes/face_mask/1f11d339fcbe8b43.jpg"


def computed(names: set[str] | frozenset[str]) -> set[str]:
    """FaceDetail members for those of the names a registered estimator computes."""
    return {MEMBER[n] for n in set(names) & registered() if n in MEMBER}


def is_f32(value: Any) -> bool:
    """A float that is exactly a float32 value, as AWS sends numbers."""
    return isinstance(value, float) and float(np.float32(value)) == value


def check_confidence(value: Any) -> None:
    """A Confidence: float32-valued, 0-100."""
    assert is_f32(value) and 0.0 <= value <= 100.0, value


def check_member(member: str, value: Any) -> None:
    """Assert one attribute member has AWS's shape."""
    if member == "AgeRange":
        assert set(value) == {"Low", "High"} and all(type(value[k]) is int for k in value)
        assert 0 <= value["Low"] <= value["High"]
    elif member == "Gender":
        assert set(value) == {"Value", "Confidence"} and value["Value"] in ("Male", "Female")
        check_confidence(value["Confidence"])
    elif member in VERDICTS:
        assert set(value) == {"Value", "Confidence"} and type(value["Value"]) is bool
        check_confidence(value["Confidence"])
    elif member == "Emotions":
        types = set(MODEL.shape_for("EmotionName").enum) - {"UNKNOWN"}
        assert {e["Type"] for e in value} == types and len(value) == len(types)
        for emotion in value:
            check_confidence(emotion["Confidence"])
    elif member == "EyeDirection":
        assert set(value) == {"Yaw", "Pitch", "Confidence"} and all(is_f32(value[k]) for k in value)
        check_confidence(value["Confidence"])
    else:
        raise AssertionError(f"no check for {member}")


def check_detail(detail: dict[str, Any], names: set[str] | frozenset[str], with_landmarks: bool = False) -> None:
    """Assert a FaceDetail has DEFAULT's members plus exactly the computed ones asked for, each in shape."""
    assert set(detail) == DEFAULT | computed(names), set(detail) ^ (DEFAULT | computed(names))
    for member in computed(names):
        check_member(member, detail[member])
    kinds = [lm["Type"] for lm in detail["Landmarks"]]
    assert len(kinds) == len(set(kinds))
    if with_landmarks and LANDMARKS in registered():
        assert set(kinds) == set(MODEL.shape_for("LandmarkType").enum)
    else:
        assert set(kinds) == DEFAULT_LANDMARKS


def test_detect_faces_all(rekognition: Any) -> None:
    details = rekognition.detect_faces(Image={"Bytes": photo(COUPLE)}, Attributes=["ALL"])["FaceDetails"]
    assert len(details) >= 2
    for detail in details:
        check_detail(detail, set(ATTRIBUTE_NAMES), with_landmarks=True)
    both = rekognition.detect_faces(Image={"Bytes": photo(COUPLE)}, Attributes=["ALL", "DEFAULT"])["FaceDetails"]
    assert both == details


def test_all_fills_every_member_the_model_defines_that_is_registered() -> None:
    members = set(MODEL.shape_for("FaceDetail").members)
    assert computed(set(ATTRIBUTE_NAMES)) <= members
    assert {"AgeRange", "Gender"} <= computed(set(ATTRIBUTE_NAMES))


@pytest.mark.parametrize("name", ATTRIBUTE_NAMES)
def test_detect_faces_one_name_adds_its_member_to_default(rekognition: Any, name: str) -> None:
    image = {"Bytes": photo(identities()["barack_obama"][0])}
    alone = rekognition.detect_faces(Image=image, Attributes=[name])["FaceDetails"]
    with_default = rekognition.detect_faces(Image=image, Attributes=["DEFAULT", name])["FaceDetails"]
    assert len(alone) == 1 and alone == with_default
    check_detail(alone[0], {name})


def test_default_is_unchanged(rekognition: Any) -> None:
    image = {"Bytes": photo(identities()["angelina_jolie"][0])}
    plain = rekognition.detect_faces(Image=image)["FaceDetails"]
    default = rekognition.detect_faces(Image=image, Attributes=["DEFAULT"])["FaceDetails"]
    rich = rekognition.detect_faces(Image=image, Attributes=["ALL"])["FaceDetails"]
    assert plain == default and len(plain) == 1
    check_detail(plain[0], set())
    for member in ("BoundingBox", "Confidence", "Pose", "Quality"):
        assert plain[0][member] == rich[0][member]


def test_gender_and_age_of_known_faces(rekognition: Any) -> None:
    for name, gender in (("barack_obama", "Male"), ("angelina_jolie", "Female")):
        for path in identities()[name][:2]:
            detail = rekognition.detect_faces(Image={"Bytes": photo(path)},
                                              Attributes=["GENDER", "AGE_RANGE"])["FaceDetails"][0]
            assert detail["Gender"]["Value"] == gender, path
            assert detail["Gender"]["Confidence"] > 50.0
            assert 15 <= detail["AgeRange"]["Low"] and detail["AgeRange"]["High"] <= 80, detail["AgeRange"]


def test_index_faces_all_in_face_records_and_unindexed_faces(api: Target) -> None:
    client = api.client()
    client.create_collection(CollectionId="attributes")
    try:
        out = client.index_faces(CollectionId="attributes", Image={"Bytes": photo(COUPLE)}, MaxFaces=1,
                                 DetectionAttributes=["ALL"])
        assert len(out["FaceRecords"]) == 1 and out["UnindexedFaces"]
        check_detail(out["FaceRecords"][0]["FaceDetail"], set(ATTRIBUTE_NAMES), with_landmarks=True)
        for unindexed in out["UnindexedFaces"]:
            check_detail(unindexed["FaceDetail"], set(ATTRIBUTE_NAMES), with_landmarks=True)
        gender = client.index_faces(CollectionId="attributes", Image={"Bytes": photo(COUPLE)}, MaxFaces=1,
                                    DetectionAttributes=["GENDER"])
        check_detail(gender["FaceRecords"][0]["FaceDetail"], {"GENDER"})
        default = client.index_faces(CollectionId="attributes", Image={"Bytes": photo(COUPLE)}, MaxFaces=1)
        check_detail(default["FaceRecords"][0]["FaceDetail"], set())
    finally:
        client.delete_collection(CollectionId="attributes")


def test_compare_faces_compared_face_members(rekognition: Any) -> None:
    jolie = identities()["angelina_jolie"]
    out = rekognition.compare_faces(SourceImage={"Bytes": photo(jolie[0])}, TargetImage={"Bytes": photo(COUPLE)})
    faces = [m["Face"] for m in out["FaceMatches"]] + out["UnmatchedFaces"]
    assert len(faces) >= 2
    allowed = set(MODEL.shape_for("ComparedFace").members)
    for face in faces:
        assert set(face) == DEFAULT | computed({"EMOTIONS", "SMILE"}) and set(face) <= allowed
        for member in computed({"EMOTIONS", "SMILE"}):
            check_member(member, face[member])
    assert set(out["SourceImageFace"]) == {"BoundingBox", "Confidence"}


def test_search_users_by_image_details_are_default(api: Target) -> None:
    """SearchUsersByImage takes no Attributes: its FaceDetails carry DEFAULT's members."""
    client = api.client()
    client.create_collection(CollectionId="attributes-users")
    try:
        out = client.search_users_by_image(CollectionId="attributes-users", Image={"Bytes": photo(COUPLE)})
        check_detail(out["SearchedFace"]["FaceDetail"], set())
        assert out["UnsearchedFaces"]
        for face in out["UnsearchedFaces"]:
            check_detail(face["FaceDetails"], set())
    finally:
        client.delete_collection(CollectionId="attributes-users")


def test_accessories_of_a_masked_face(rekognition: Any, engine: Engine) -> None:
    """A held-out face_mask photo (padded, as measured): DetectFaces carries the engine's five verdicts as AWS
    shapes them, and FaceOccluded says the mask is there."""
    image = decode_image(photo(MASKED))
    h, w = image.shape[:2]
    image = np.pad(image, ((h // 2, h // 2), (w // 2, w // 2), (0, 0)), constant_values=128)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    names = ["EYEGLASSES", "SUNGLASSES", "BEARD", "MUSTACHE", "FACE_OCCLUDED"]
    detail = rekognition.detect_faces(Image={"Bytes": buffer.getvalue()}, Attributes=names)["FaceDetails"][0]
    check_detail(detail, set(names))
    attrs = engine.faces(image, largest_only=True, descriptors=False, attributes=frozenset(names))[0].attributes
    for name in names:
        member, verdict = MEMBER[name], getattr(attrs, name.lower())
        assert detail[member] == {"Value": verdict.value, "Confidence": float(np.float32(verdict.confidence))}
    assert detail["FaceOccluded"]["Value"] is True and detail["FaceOccluded"]["Confidence"] > 80


def test_detect_faces_all_has_the_mesh_fields(rekognition: Any) -> None:
    """ALL: all 30 landmark types inside the face, EyesOpen, MouthOpen, Smile and EyeDirection in AWS's shapes."""
    detail = rekognition.detect_faces(Image={"Bytes": photo(identities()["barack_obama"][0])},
                                      Attributes=["ALL"])["FaceDetails"][0]
    kinds = {lm["Type"]: lm for lm in detail["Landmarks"]}
    assert set(kinds) == set(MODEL.shape_for("LandmarkType").enum) and len(detail["Landmarks"]) == 30
    box = detail["BoundingBox"]
    for lm in detail["Landmarks"]:
        assert set(lm) == {"Type", "X", "Y"}
        assert box["Left"] - 0.1 * box["Width"] <= lm["X"] <= box["Left"] + 1.1 * box["Width"], lm
        assert box["Top"] - 0.1 * box["Height"] <= lm["Y"] <= box["Top"] + 1.2 * box["Height"], lm
    for member in ("EyesOpen", "MouthOpen", "Smile", "EyeDirection"):
        check_member(member, detail[member])
    assert detail["EyesOpen"]["Value"] is True
    assert abs(detail["EyeDirection"]["Yaw"]) < 45 and abs(detail["EyeDirection"]["Pitch"]) < 45
