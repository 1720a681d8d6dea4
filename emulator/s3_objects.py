"""Why an S3 object cannot be read: shared by the operations that ask for images and the moto bridge that reads them."""

from __future__ import annotations


class S3ObjectUnavailable(Exception):
    """The bucket, key or version does not exist, or the bucket belongs to another account."""


class S3ObjectTooLarge(Exception):
    """The S3 object is larger than the caller accepts."""
