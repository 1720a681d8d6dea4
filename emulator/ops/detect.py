"""DetectFaces: the faces of an image with their details, largest first."""

from __future__ import annotations

from emulator.context import RequestContext
from emulator.engine import MAX_FACES
from emulator.ops.face_detail import face_detail, requested
from emulator.ops.images import load_image
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import Runtime


@operation("DetectFaces")
def detect_faces(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Return the 100 largest faces of an image; no face is an empty list, not an error."""
    image = load_image(ctx, rt, params["Image"])
    attrs = requested(params.get("Attributes"))
    faces = rt.engine.faces(image.pixels, descriptors=False, limit=MAX_FACES, attributes=attrs)
    return {"FaceDetails": [face_detail(f, image.width, image.height) for f in faces]}
