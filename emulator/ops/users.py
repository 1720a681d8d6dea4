"""CreateUser, DeleteUser, ListUsers, AssociateFaces and DisassociateFaces.

Associations apply synchronously, so a user is never seen UPDATING: it is CREATED without faces and ACTIVE
with at least one. AssociateFaces' UserMatchThreshold (default 75) applies when the user already has a face:
a new face's match confidence with the user is its best similarity to any of the user's faces (the same
single-linkage rule SearchUsers uses), and a face below the threshold is refused with LOW_MATCH_CONFIDENCE
and that Confidence. A user holds at most 100 faces: a call on a user that already has 100, or one whose
accepted faces would take it past 100, is ServiceQuotaExceededException (botocore's
UnsuccessfulFaceAssociationReason has no quota reason).

New faces are checked against the faces the user has when the call starts, not against each other. An
unsuccessful entry carries the owning user's UserId for ASSOCIATED_TO_A_DIFFERENT_USER and the target user's
for LOW_MATCH_CONFIDENCE. DisassociateFaces ignores a face of nobody, as the API reference says of a face
"already disassociated from the given UserID". An unknown user is ResourceNotFoundException everywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emulator.context import RequestContext
from emulator.engine import similarity
from emulator.errors import ConflictException, ResourceNotFoundException, ServiceQuotaExceededException
from emulator.ops.idempotency import idempotent
from emulator.ops.lookups import collection_of
from emulator.ops.pagination import paginate
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import Runtime
from emulator.store import CollectionRecord, FaceRecord, UserFaceLimit, UserNotFound
from emulator.store.users import MAX_FACES_PER_USER

DEFAULT_ASSOCIATE_THRESHOLD = 75.0
DEFAULT_PAGE = 500
QUOTA = f"The number of faces associated with a UserID cannot exceed {MAX_FACES_PER_USER}."


def user_not_found(user_id: str) -> ResourceNotFoundException:
    """Return the not-found error of a user."""
    return ResourceNotFoundException(f"The user id: {user_id} does not exist")


def _require_user(rt: Runtime, record: CollectionRecord, user_id: str) -> None:
    """Raise ResourceNotFoundException unless the user exists."""
    if rt.store.users.get(record.pk, user_id) is None:
        raise user_not_found(user_id)


@operation("CreateUser")
def create_user(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Create a user without faces; an existing UserId is a conflict."""
    record = collection_of(ctx, rt, params["CollectionId"])
    user_id = params["UserId"]

    def run() -> Result:
        if rt.store.users.create(record.pk, user_id, ctx.now) is None:
            raise ConflictException(f"The user id: {user_id} already exists in the collection.")
        return {}

    return idempotent(ctx, rt, record, params, run)


@operation("DeleteUser")
def delete_user(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Delete a user, freeing its faces first."""
    record = collection_of(ctx, rt, params["CollectionId"])
    user_id = params["UserId"]

    def run() -> Result:
        if not rt.store.users.delete(record.pk, user_id):
            raise user_not_found(user_id)
        return {}

    return idempotent(ctx, rt, record, params, run)


@operation("ListUsers")
def list_users(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """List a collection's users sorted by UserId, a page at a time (default and maximum page: 500)."""
    record = collection_of(ctx, rt, params["CollectionId"])
    page, token = paginate(rt.tokens, f"ListUsers/{record.pk}", params, DEFAULT_PAGE,
                           lambda after, n: rt.store.users.page(record.pk, after, n), lambda u: u.user_id)
    return {"Users": [{"UserId": u.user_id, "UserStatus": u.status} for u in page], "NextToken": token}


def _best_similarities(rt: Runtime, user_labels: list[int], faces: list[FaceRecord]) -> list[float]:
    """Return, per face, its best similarity to any of the user's faces (0 for a face deleted meanwhile)."""
    own = list(rt.store.faces.descriptors(user_labels).values())
    if not own:
        return [0.0] * len(faces)
    mine = np.stack(own).astype(np.float64)
    theirs = rt.store.faces.descriptors([f.label for f in faces])
    return [
        similarity(float(np.linalg.norm(mine - theirs[f.label], axis=1).min())) if f.label in theirs else 0.0
        for f in faces
    ]


def _unsuccessful(face_id: str, reason: str, user_id: str | None = None,
                  confidence: float | None = None) -> dict[str, Any]:
    """Return one UnsuccessfulFaceAssociation / Disassociation entry (only the former has a Confidence member)."""
    entry: dict[str, Any] = {"FaceId": face_id, "UserId": user_id, "Reasons": [reason]}
    if confidence is not None:
        entry["Confidence"] = confidence
    return entry


def _candidates(known: dict[str, FaceRecord], wanted: list[str], user_id: str
                ) -> tuple[list[FaceRecord], list[dict[str, Any]]]:
    """Split requested faces into free ones and refused ones; the user's own faces are dropped silently."""
    free: list[FaceRecord] = []
    refused: list[dict[str, Any]] = []
    for face_id in wanted:
        face = known.get(face_id)
        if face is None:
            refused.append(_unsuccessful(face_id, "FACE_NOT_FOUND"))
        elif face.user_id is None:
            free.append(face)
        elif face.user_id != user_id:
            refused.append(_unsuccessful(face_id, "ASSOCIATED_TO_A_DIFFERENT_USER", face.user_id))
    return free, refused


def _associate(rt: Runtime, record: CollectionRecord, user_id: str, wanted: list[str],
               threshold: float) -> Result:
    """Associate the requested faces that pass every check."""
    existing = rt.store.users.face_labels(record.pk, user_id)
    if len(existing) >= MAX_FACES_PER_USER:
        raise ServiceQuotaExceededException(QUOTA)
    free, refused = _candidates(rt.store.faces.by_face_ids(record.pk, wanted), wanted, user_id)
    accepted = free
    if existing and free:
        scores = _best_similarities(rt, existing, free)
        accepted = [f for f, s in zip(free, scores, strict=True) if s >= threshold]
        refused += [_unsuccessful(f.face_id, "LOW_MATCH_CONFIDENCE", user_id, s)
                    for f, s in zip(free, scores, strict=True) if s < threshold]
    if len(existing) + len(accepted) > MAX_FACES_PER_USER:
        raise ServiceQuotaExceededException(QUOTA)
    try:
        done, status = rt.store.users.associate(record.pk, user_id, [f.face_id for f in accepted])
    except UserNotFound:
        raise user_not_found(user_id) from None
    except UserFaceLimit:
        raise ServiceQuotaExceededException(QUOTA) from None
    refused += _lost_races(rt, record, [f.face_id for f in accepted if f.face_id not in set(done)], user_id)
    order = {face_id: i for i, face_id in enumerate(wanted)}
    refused.sort(key=lambda u: order[u["FaceId"]])
    return {"AssociatedFaces": [{"FaceId": f} for f in done], "UnsuccessfulFaceAssociations": refused,
            "UserStatus": status}


def _lost_races(rt: Runtime, record: CollectionRecord, face_ids: list[str],
                user_id: str) -> list[dict[str, Any]]:
    """Classify faces changed by a concurrent request between the checks and the write."""
    now = rt.store.faces.by_face_ids(record.pk, face_ids)
    _, refused = _candidates(now, face_ids, user_id)
    return refused


@operation("AssociateFaces")
def associate_faces(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Associate up to 100 faces with a user, checking owners, existence, match confidence and the quota."""
    record = collection_of(ctx, rt, params["CollectionId"])
    user_id = params["UserId"]
    _require_user(rt, record, user_id)
    threshold = float(params.get("UserMatchThreshold", DEFAULT_ASSOCIATE_THRESHOLD))
    wanted = list(dict.fromkeys(params["FaceIds"]))
    return idempotent(ctx, rt, record, {**params, "UserMatchThreshold": threshold},
                      lambda: _associate(rt, record, user_id, wanted, threshold))


def _disassociate(rt: Runtime, record: CollectionRecord, user_id: str, wanted: list[str]) -> Result:
    """Free the requested faces that belong to the user; faces of nobody are ignored."""
    known = rt.store.faces.by_face_ids(record.pk, wanted)
    _, refused = _candidates(known, wanted, user_id)
    mine = [f for f in wanted if f in known and known[f].user_id == user_id]
    try:
        done, status = rt.store.users.disassociate(record.pk, user_id, mine)
    except UserNotFound:
        raise user_not_found(user_id) from None
    return {"DisassociatedFaces": [{"FaceId": f} for f in done], "UnsuccessfulFaceDisassociations": refused,
            "UserStatus": status}


@operation("DisassociateFaces")
def disassociate_faces(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Remove up to 100 faces from a user; another user's or unknown faces are reported."""
    record = collection_of(ctx, rt, params["CollectionId"])
    user_id = params["UserId"]
    _require_user(rt, record, user_id)
    wanted = list(dict.fromkeys(params["FaceIds"]))
    return idempotent(ctx, rt, record, params, lambda: _disassociate(rt, record, user_id, wanted))
