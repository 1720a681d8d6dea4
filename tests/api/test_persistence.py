"""A restart on the same data dir (server or mock_rekognition) serves the same faces, users and search results."""

from __future__ import annotations

from pathlib import Path

from tests.photos import identities, photo
from tests.targets import Launcher


def test_faces_users_and_search_survive_a_restart(tmp_path: Path, launch: Launcher) -> None:
    jolie, obama = identities()["angelina_jolie"], identities()["barack_obama"]
    with launch(data_dir=tmp_path / "data") as first:
        client = first.client()
        client.create_collection(CollectionId="kept")
        kept = client.index_faces(CollectionId="kept", Image={"Bytes": photo(jolie[0])}, ExternalImageId="jolie")
        gone = client.index_faces(CollectionId="kept", Image={"Bytes": photo(obama[0])}, ExternalImageId="obama")
        face_id = kept["FaceRecords"][0]["Face"]["FaceId"]
        client.delete_faces(CollectionId="kept", FaceIds=[gone["FaceRecords"][0]["Face"]["FaceId"]])
        client.create_user(CollectionId="kept", UserId="angelina")
        client.associate_faces(CollectionId="kept", UserId="angelina", FaceIds=[face_id])
        listed = client.list_faces(CollectionId="kept")["Faces"]
    with launch(data_dir=tmp_path / "data") as second:
        client = second.client()
        assert client.list_faces(CollectionId="kept")["Faces"] == listed
        assert client.describe_collection(CollectionId="kept")["UserCount"] == 1
        assert client.list_users(CollectionId="kept")["Users"] == [{"UserId": "angelina", "UserStatus": "ACTIVE"}]
        found = client.search_faces_by_image(CollectionId="kept", Image={"Bytes": photo(jolie[1])})["FaceMatches"]
        assert [m["Face"]["FaceId"] for m in found] == [face_id]
        assert client.search_faces_by_image(CollectionId="kept", Image={"Bytes": photo(obama[1])})["FaceMatches"] == []
        users = client.search_users_by_image(CollectionId="kept", Image={"Bytes": photo(jolie[1])})["UserMatches"]
        assert [u["User"]["UserId"] for u in users] == ["angelina"]
