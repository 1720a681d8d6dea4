"""Finding a caller's collection, with AWS's not-found answer."""

from __future__ import annotations

from emulator.context import RequestContext
from emulator.errors import ResourceNotFoundException
from emulator.ops.runtime import Runtime
from emulator.store import CollectionRecord


def collection_missing(collection_id: str) -> ResourceNotFoundException:
    """AWS's answer for a collection that does not exist (or no longer does)."""
    return ResourceNotFoundException(f"The collection id: {collection_id} does not exist")


def collection_of(ctx: RequestContext, rt: Runtime, collection_id: str) -> CollectionRecord:
    """Return the caller's collection or raise ResourceNotFoundException."""
    record = rt.store.collections.get(ctx.account, ctx.region, collection_id)
    if record is None:
        raise collection_missing(collection_id)
    return record


def collection_arn(record: CollectionRecord) -> str:
    """Return the full ARN of a collection (DescribeCollection's CollectionARN)."""
    return f"arn:aws:rekognition:{record.region}:{record.account}:collection/{record.collection_id}"
