"""TagResource, UntagResource and ListTagsForResource on collection ARNs."""

from __future__ import annotations

import re

from emulator.context import RequestContext
from emulator.errors import ResourceNotFoundException, ServiceQuotaExceededException
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import Runtime
from emulator.store import CollectionRecord

MAX_TAGS = 200
_ARN = re.compile(r"^(?:arn:)?aws:rekognition:(?P<region>[^:]+):(?P<account>\d{12}):collection/(?P<id>.+)$")


def _collection(ctx: RequestContext, rt: Runtime, arn: str) -> CollectionRecord:
    """Resolve a collection ARN of the caller's account and region."""
    m = _ARN.match(arn)
    record = None
    if m is not None and m["account"] == ctx.account and m["region"] == ctx.region:
        record = rt.store.collections.get(ctx.account, ctx.region, m["id"])
    if record is None:
        raise ResourceNotFoundException(f"Resource {arn} does not exist")
    return record


@operation("TagResource")
def tag_resource(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Add or replace tags of a collection."""
    record = _collection(ctx, rt, params["ResourceArn"])
    if not rt.store.collections.tag(record.pk, params["Tags"], MAX_TAGS):
        raise ServiceQuotaExceededException(f"A resource can have at most {MAX_TAGS} tags.")
    return {}


@operation("UntagResource")
def untag_resource(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Remove tags from a collection."""
    record = _collection(ctx, rt, params["ResourceArn"])
    rt.store.collections.untag(record.pk, params["TagKeys"])
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Return the tags of a collection."""
    record = _collection(ctx, rt, params["ResourceArn"])
    return {"Tags": rt.store.collections.tags(record.pk)}
