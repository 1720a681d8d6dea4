"""SearchUsers and SearchUsersByImage: the users of a collection most similar to a face, a user or an image.

A user's similarity to a probe descriptor is the best (max) similarity between the probe and any of the
user's faces (single linkage), found through the collection's scalable index: one index query per probe for
the SEARCH_DEPTH (4096) nearest faces within the threshold's distance; faces not associated with a user are
ignored. A user probe (SearchUsers with UserId) queries once per face of that user (at most 100) and keeps
the best similarity per matched user; the searched user itself is left out. A face probe (SearchUsers with
FaceId) is not left out of the hits, so its own user, if any, matches it. Users are returned with Similarity
>= UserMatchThreshold (default 80), most similar first (ties by UserId), at most MaxUsers (default 500, the
model's maximum, as AWS documents no default).

An unknown FaceId or UserId is InvalidParameterException "Request has invalid parameters", as observed for
an unknown UserId (repost.aws question QUHtePFYlSRHuCYpEq-33sOA); AWS's SearchFaces also answers an unknown
FaceId with InvalidParameterException. A user without faces has nothing to search with and matches no one.

SearchUsersByImage searches with the largest face of the image (QualityFilter default NONE). The other faces
go to UnsearchedFaces with FACE_NOT_LARGEST; a largest face failing the quality filter goes there with its
reasons and nothing is searched. No usable face is a 200 with empty UserMatches and no SearchedFace.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from emulator.context import RequestContext
from emulator.engine import DEFAULT_THRESHOLD, MAX_FACES, max_distance, quality_filter_reasons, similarity
from emulator.errors import InvalidParameterException
from emulator.ops.face_detail import face_detail
from emulator.ops.images import INVALID_PARAMETERS as INVALID
from emulator.ops.images import load_image
from emulator.ops.lookups import collection_of
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import Runtime
from emulator.store import CollectionRecord

DEFAULT_MAX_USERS = 500
SEARCH_DEPTH = 4096


def best_by_user(rt: Runtime, record: CollectionRecord, probes: Iterable[npt.NDArray[np.float32]],
                 threshold: float) -> dict[str, float]:
    """Return each user's best similarity to any probe, for users at or above threshold."""
    index = rt.index(record)
    best: dict[int, float] = {}
    for probe in probes:
        for label, distance in index.search(probe, SEARCH_DEPTH, max_distance(threshold)):
            best[label] = max(best.get(label, 0.0), similarity(distance))
    users: dict[str, float] = {}
    for label, face in rt.store.faces.by_labels(list(best)).items():
        score = best[label]
        if face.user_id is not None and score >= threshold and score > users.get(face.user_id, -1.0):
            users[face.user_id] = score
    return users


def user_matches(rt: Runtime, record: CollectionRecord, probes: Iterable[npt.NDArray[np.float32]],
                 params: Params, exclude: str | None = None) -> list[dict[str, Any]]:
    """Return UserMatches for the probes, most similar first, honouring UserMatchThreshold and MaxUsers."""
    threshold = float(params.get("UserMatchThreshold", DEFAULT_THRESHOLD))
    scores = best_by_user(rt, record, probes, threshold)
    scores.pop(exclude or "", None)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    ranked = ranked[: params.get("MaxUsers") or DEFAULT_MAX_USERS]
    statuses = rt.store.users.statuses(record.pk, [u for u, _ in ranked])
    return [{"Similarity": s, "User": {"UserId": u, "UserStatus": statuses[u]}}
            for u, s in ranked if u in statuses]


@operation("SearchUsers")
def search_users(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Search users with one face of the collection or with one user's faces."""
    record = collection_of(ctx, rt, params["CollectionId"])
    user_id, face_id = params.get("UserId"), params.get("FaceId")
    if (user_id is None) == (face_id is None):
        raise InvalidParameterException(INVALID)
    result: Result = {"FaceModelVersion": record.face_model_version}
    if face_id is not None:
        vector = rt.store.faces.descriptor(record.pk, face_id)
        if vector is None:
            raise InvalidParameterException(INVALID)
        result["UserMatches"] = user_matches(rt, record, [vector], params)
        result["SearchedFace"] = {"FaceId": face_id}
        return result
    assert user_id is not None
    if rt.store.users.get(record.pk, user_id) is None:
        raise InvalidParameterException(INVALID)
    labels = rt.store.users.face_labels(record.pk, user_id)
    probes = list(rt.store.faces.descriptors(labels).values()) if labels else []
    result["UserMatches"] = user_matches(rt, record, probes, params, exclude=user_id)
    result["SearchedUser"] = {"UserId": user_id}
    return result


@operation("SearchUsersByImage")
def search_users_by_image(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Search users with the largest face of an image; the other faces are reported as unsearched."""
    record = collection_of(ctx, rt, params["CollectionId"])
    image = load_image(ctx, rt, params["Image"])
    w, h = image.width, image.height
    faces = rt.engine.faces(image.pixels, descriptors=True, limit=MAX_FACES)
    result: Result = {"UserMatches": [], "FaceModelVersion": record.face_model_version}
    unsearched = [{"FaceDetails": face_detail(f, w, h), "Reasons": ["FACE_NOT_LARGEST"]} for f in faces[1:]]
    if faces:
        largest = faces[0]
        reasons = quality_filter_reasons(largest, (h, w), params.get("QualityFilter") or "NONE")
        if reasons:
            unsearched.insert(0, {"FaceDetails": face_detail(largest, w, h), "Reasons": reasons})
        else:
            assert largest.descriptor is not None
            probe = np.asarray(largest.descriptor, dtype=np.float32)
            result["UserMatches"] = user_matches(rt, record, [probe], params)
            result["SearchedFace"] = {"FaceDetail": face_detail(largest, w, h)}
    result["UnsearchedFaces"] = unsearched
    return result
