"""QualityFilter through IndexFaces and SearchFacesByImage on both backends, with dim and degraded photos.

The photos are shared ones degraded the way scripts/measure_quality degrades them (tests/degraded.py):
a dim indoor exposure the old AUTO refused, and darker or motion-blurred copies past the point where
the measurement shows recognition breaking down.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.degraded import DARK_STOPS, DIM_STOPS, MOTION_PAST, jpeg, motion_blurred, underexposed
from tests.photos import photo

PERSON = "angelina_jolie"
DIM = f"{PERSON}/2.jpg"


@pytest.fixture
def collection(rekognition: Any, request: pytest.FixtureRequest) -> Any:
    """A fresh collection named after the test, deleted afterwards."""
    name = "qf-" + request.node.name.replace("[", "-").replace("]", "").replace("/", "-").replace("_", "-")[:60]
    rekognition.create_collection(CollectionId=name)
    yield name
    rekognition.delete_collection(CollectionId=name)


def test_dim_indoor_photo_is_indexed_by_default_and_found(rekognition: Any, collection: str) -> None:
    out = rekognition.index_faces(CollectionId=collection, Image={"Bytes": jpeg(underexposed(DIM, DIM_STOPS))},
                                  ExternalImageId="dim")
    assert out["UnindexedFaces"] == []
    assert len(out["FaceRecords"]) == 1
    detail = out["FaceRecords"][0]["FaceDetail"]
    assert 10 < detail["Quality"]["Brightness"] < 20
    face_id = out["FaceRecords"][0]["Face"]["FaceId"]
    for other in (f"{PERSON}/1.jpg", f"{PERSON}/3.jpg"):
        found = rekognition.search_faces_by_image(CollectionId=collection, Image={"Bytes": photo(other)})
        assert [m["Face"]["FaceId"] for m in found["FaceMatches"]] == [face_id]
        assert found["FaceMatches"][0]["Similarity"] >= 80


def test_photo_darkened_past_breakdown_is_refused_for_brightness(rekognition: Any, collection: str) -> None:
    image = {"Bytes": jpeg(underexposed(DIM, DARK_STOPS))}
    for level in (None, "AUTO", "LOW", "MEDIUM", "HIGH"):
        extra = {"QualityFilter": level} if level else {}
        out = rekognition.index_faces(CollectionId=collection, Image=image, **extra)
        assert out["FaceRecords"] == [], level
        assert len(out["UnindexedFaces"]) == 1 and "LOW_BRIGHTNESS" in out["UnindexedFaces"][0]["Reasons"], level
        assert out["UnindexedFaces"][0]["FaceDetail"]["Quality"]["Brightness"] < 4.5
    kept = rekognition.index_faces(CollectionId=collection, Image=image, QualityFilter="NONE")
    assert len(kept["FaceRecords"]) == 1 and kept["UnindexedFaces"] == []
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.search_faces_by_image(CollectionId=collection, Image=image, QualityFilter="AUTO")


def test_motion_blurred_photo_is_refused_for_sharpness(rekognition: Any, collection: str) -> None:
    image = {"Bytes": jpeg(motion_blurred(DIM, MOTION_PAST))}
    out = rekognition.index_faces(CollectionId=collection, Image=image)
    assert out["FaceRecords"] == []
    assert [u["Reasons"] for u in out["UnindexedFaces"]] == [["LOW_SHARPNESS"]]
    sharp = rekognition.detect_faces(Image={"Bytes": photo(DIM)})["FaceDetails"][0]["Quality"]["Sharpness"]
    assert out["UnindexedFaces"][0]["FaceDetail"]["Quality"]["Sharpness"] < sharp / 3


@pytest.mark.parametrize("image", ["dim", "dark", "motion"])
def test_levels_refuse_in_order(rekognition: Any, collection: str, image: str) -> None:
    pixels = {"dim": underexposed(DIM, DIM_STOPS), "dark": underexposed(DIM, 5.5),
              "motion": motion_blurred(DIM, 0.12)}[image]
    data = {"Bytes": jpeg(pixels)}
    refused = {}
    for level in ("NONE", "LOW", "MEDIUM", "AUTO", "HIGH"):
        out = rekognition.index_faces(CollectionId=collection, Image=data, QualityFilter=level,
                                      ExternalImageId=level.lower())
        refused[level] = {r for u in out["UnindexedFaces"] for r in u["Reasons"]}
        assert len(out["FaceRecords"]) + len(out["UnindexedFaces"]) == 1
    assert refused["NONE"] == set()
    assert refused["NONE"] <= refused["LOW"] <= refused["MEDIUM"] <= refused["HIGH"]
    assert refused["AUTO"] == refused["MEDIUM"]
