"""The manifest's hard cases through the API: tiny, blurred, cut by the border, small faces, grayscale."""

from __future__ import annotations

from typing import Any

import pytest

from tests.photos import photo, row


def test_tiny_image_is_refused_as_aws_does(rekognition: Any) -> None:
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        rekognition.detect_faces(Image={"Bytes": photo("_hard/angelina_jolie_tiny.jpg")})


def test_blurred_face_is_detected_but_not_indexed_by_default(rekognition: Any) -> None:
    rekognition.create_collection(CollectionId="hard-blur")
    try:
        image = {"Bytes": photo("_hard/angelina_jolie_blurred.jpg")}
        out = rekognition.index_faces(CollectionId="hard-blur", Image=image)
        assert out["FaceRecords"] == []
        assert len(out["UnindexedFaces"]) == 1 and "LOW_SHARPNESS" in out["UnindexedFaces"][0]["Reasons"]
        kept = rekognition.index_faces(CollectionId="hard-blur", Image=image, QualityFilter="NONE")
        assert len(kept["FaceRecords"]) == 1
        sharp = rekognition.detect_faces(Image={"Bytes": photo("angelina_jolie/1.jpg")})["FaceDetails"][0]
        blurred = kept["FaceRecords"][0]["FaceDetail"]
        assert blurred["Quality"]["Sharpness"] < sharp["Quality"]["Sharpness"]
    finally:
        rekognition.delete_collection(CollectionId="hard-blur")


def test_face_cut_by_the_border_has_a_box_past_the_edge(rekognition: Any) -> None:
    details = rekognition.detect_faces(Image={"Bytes": photo("_hard/obama_partial_face.jpg")})["FaceDetails"]
    assert len(details) == 1 and details[0]["BoundingBox"]["Left"] < 0


def test_small_faces_are_found_with_upsampling(rekognition: Any) -> None:
    path = "_hard/voc_2008_004176_small_faces.jpg"
    details = rekognition.detect_faces(Image={"Bytes": photo(path)})["FaceDetails"]
    assert len(details) == int(row(path)["hog_faces_upsample1"]) == 7
    width = int(row(path)["width"])
    assert all(d["BoundingBox"]["Width"] * width < 60 for d in details)


def test_grayscale_png_is_accepted(rekognition: Any) -> None:
    out = rekognition.detect_faces(Image={"Bytes": photo("_hard/cameraman_gray.png")})
    assert isinstance(out["FaceDetails"], list)
