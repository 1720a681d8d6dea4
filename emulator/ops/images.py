"""An Image parameter (Bytes or S3Object) to decoded pixels, with AWS's errors."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from emulator.context import RequestContext
from emulator.engine import ImageTooLarge, ImageTooSmall, InvalidImageFormat, decode_image
from emulator.errors import (
    ImageTooLargeException,
    InvalidImageFormatException,
    InvalidParameterException,
    InvalidS3ObjectException,
    ThrottlingException,
)
from emulator.limits import OVERLOADED_MESSAGE, DecodeBudgetExceeded
from emulator.memtrim import TRIM_AFTER_PIXELS, release_free_memory
from emulator.ops.runtime import Runtime
from emulator.s3_objects import S3ObjectTooLarge, S3ObjectUnavailable

#: AWS's messages for an image it cannot use (and, INVALID_PARAMETERS, for other semantically bad parameters).
S3_UNREADABLE = "Unable to get object metadata from S3. Check object key, region and/or access permissions."
TOO_LARGE = "Image size is too large."
INVALID_PARAMETERS = "Request has invalid parameters"
_IMAGE_NAMESPACE = uuid.UUID("5a4b7f7e-6f0e-4c55-9b7a-8f1f0e0c9d21")


@dataclass(frozen=True)
class LoadedImage:
    """The decoded pixels of a request image, and its bytes for the id derived from its content.

    Images larger than the detector needs are reduced while decoding (engine/resolution.py); the pixels
    still cover the whole image, so positions divided by ``width``/``height`` are ratios of the original.
    """

    pixels: npt.NDArray[np.uint8]
    data: bytes

    @property
    def image_id(self) -> str:
        """Return the content-derived ImageId (hashed only by IndexFaces, which stores it)."""
        return str(uuid.uuid5(_IMAGE_NAMESPACE, hashlib.sha256(self.data).hexdigest()))

    @property
    def width(self) -> int:
        """Width of the decoded pixels (upright, at the working size)."""
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        """Height of the decoded pixels (upright, at the working size)."""
        return int(self.pixels.shape[0])


def image_bytes(ctx: RequestContext, rt: Runtime, image: dict[str, Any]) -> bytes:
    """Return the raw bytes of an Image, from the request or from S3."""
    has_bytes, has_s3 = "Bytes" in image, "S3Object" in image
    if has_bytes == has_s3:
        raise InvalidParameterException("Requested image should either contain bytes or s3 object.")
    if has_bytes:
        data: bytes = image["Bytes"]
        return data
    s3 = image["S3Object"]
    if not s3.get("Bucket") or not s3.get("Name"):
        raise InvalidS3ObjectException(S3_UNREADABLE)
    try:
        return rt.s3_reader(ctx.account, s3["Bucket"], s3["Name"], s3.get("Version"), region=ctx.region)
    except S3ObjectUnavailable:
        raise InvalidS3ObjectException(S3_UNREADABLE) from None
    except S3ObjectTooLarge:
        raise ImageTooLargeException(TOO_LARGE) from None


def load_image(ctx: RequestContext, rt: Runtime, image: dict[str, Any]) -> LoadedImage:
    """Read and decode an Image parameter, admitted against the process-wide decode budget."""
    data = image_bytes(ctx, rt, image)
    try:
        pixels = decode_image(data, min_face=rt.engine.min_face, admit=lambda n: _admitted(rt, n))
    except DecodeBudgetExceeded:
        raise ThrottlingException(OVERLOADED_MESSAGE) from None
    except InvalidImageFormat:
        raise InvalidImageFormatException("Request has invalid image format.") from None
    except ImageTooSmall:
        raise InvalidParameterException(INVALID_PARAMETERS) from None
    except ImageTooLarge:
        raise ImageTooLargeException(TOO_LARGE) from None
    return LoadedImage(pixels, data)


@contextmanager
def _admitted(rt: Runtime, pixels: int) -> Iterator[None]:
    """Decode inside the budget; after a large decode, hand the freed full-size buffers back to the OS."""
    with rt.decode_budget.admit(pixels):
        try:
            yield
        finally:
            if pixels >= TRIM_AFTER_PIXELS:
                release_free_memory()
