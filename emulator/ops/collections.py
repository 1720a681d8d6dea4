"""CreateCollection, DescribeCollection, ListCollections and DeleteCollection."""

from __future__ import annotations

from emulator.context import RequestContext
from emulator.errors import ResourceAlreadyExistsException
from emulator.ops.lookups import collection_arn, collection_missing, collection_of
from emulator.ops.pagination import paginate
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import FACE_MODEL_VERSION, Runtime

DEFAULT_PAGE = 1000


@operation("CreateCollection")
def create_collection(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Create an empty collection, with optional tags."""
    cid = params["CollectionId"]
    record = rt.store.collections.create(ctx.account, ctx.region, cid, ctx.now, FACE_MODEL_VERSION,
                                         params.get("Tags") or {})
    if record is None:
        raise ResourceAlreadyExistsException(f"The collection id: {cid} already exists.")
    return {
        "StatusCode": 200,
        "CollectionArn": collection_arn(record).removeprefix("arn:"),
        "FaceModelVersion": record.face_model_version,
    }


@operation("DescribeCollection")
def describe_collection(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Describe a collection: counts, model, ARN and creation time."""
    record = collection_of(ctx, rt, params["CollectionId"])
    faces, users = rt.store.collections.counts(record.pk)
    return {
        "FaceCount": faces,
        "FaceModelVersion": record.face_model_version,
        "CollectionARN": collection_arn(record),
        "CreationTimestamp": record.created,
        "UserCount": users,
    }


@operation("ListCollections")
def list_collections(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """List the caller's collection ids and their model versions, a page at a time."""
    page, token = paginate(rt.tokens, f"ListCollections/{ctx.account}/{ctx.region}", params, DEFAULT_PAGE,
                           lambda after, n: rt.store.collections.page(ctx.account, ctx.region, after, n),
                           lambda c: c.collection_id)
    return {
        "CollectionIds": [c.collection_id for c in page],
        "FaceModelVersions": [c.face_model_version for c in page],
        "NextToken": token,
    }


@operation("DeleteCollection")
def delete_collection(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Delete a collection with everything in it."""
    record = collection_of(ctx, rt, params["CollectionId"])
    if not rt.store.collections.delete(record.pk):
        raise collection_missing(record.collection_id)
    rt.indexes.drop(str(record.pk))
    return {"StatusCode": 200}
