"""AWS errors the emulator answers with, as exceptions carrying code and message.

An error's HTTP status is not decided here: the protocol layer looks its code up in botocore's model and the
model's patch file (protocol/spec_patches.json), the one place statuses are written.
"""

from __future__ import annotations


class ServiceError(Exception):
    """An error answered to the client as an AWS JSON error body; each subclass names its code."""

    code: str = "InternalServerError"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class ValidationException(ServiceError):
    """A model constraint (length, pattern, enum, range) failed."""

    code = "ValidationException"


class InvalidParameterException(ServiceError):
    """A semantically invalid parameter."""

    code = "InvalidParameterException"


class InvalidImageFormatException(ServiceError):
    """The image is not a decodable JPEG or PNG."""

    code = "InvalidImageFormatException"


class ImageTooLargeException(ServiceError):
    """The image exceeds the size or resolution limits."""

    code = "ImageTooLargeException"


class InvalidS3ObjectException(ServiceError):
    """The S3 object cannot be read."""

    code = "InvalidS3ObjectException"


class ResourceNotFoundException(ServiceError):
    """The collection, user or resource does not exist."""

    code = "ResourceNotFoundException"


class ResourceAlreadyExistsException(ServiceError):
    """The collection already exists."""

    code = "ResourceAlreadyExistsException"


class InvalidPaginationTokenException(ServiceError):
    """The pagination token is unknown or malformed."""

    code = "InvalidPaginationTokenException"


class ConflictException(ServiceError):
    """The request conflicts with the resource's current state."""

    code = "ConflictException"


class IdempotentParameterMismatchException(ServiceError):
    """A ClientRequestToken was reused with different parameters."""

    code = "IdempotentParameterMismatchException"


class ServiceQuotaExceededException(ServiceError):
    """A service quota would be exceeded."""

    code = "ServiceQuotaExceededException"


class AccessDeniedException(ServiceError):
    """The caller is not allowed to perform the operation."""

    code = "AccessDeniedException"


class ProvisionedThroughputExceededException(ServiceError):
    """Requests arrive faster than the account's quota."""

    code = "ProvisionedThroughputExceededException"


class ThrottlingException(ServiceError):
    """The service is throttling requests."""

    code = "ThrottlingException"


class InternalServerError(ServiceError):
    """An unexpected failure inside the emulator."""

    code = "InternalServerError"


class SerializationException(ServiceError):
    """The request body is not valid JSON of the expected shape."""

    code = "SerializationException"


class UnknownOperationException(ServiceError):
    """The X-Amz-Target names no operation of the service."""

    code = "UnknownOperationException"


class NotImplementedOperationException(ServiceError):
    """An operation of the model that the emulator does not implement."""

    code = "UnsupportedOperationException"


class VideoTooLargeException(ServiceError):
    """The video is larger or longer than stored-video analysis accepts (10 GB, 6 hours)."""

    code = "VideoTooLargeException"


class LimitExceededException(ServiceError):
    """A service limit was exceeded, such as the number of concurrent stored-video jobs."""

    code = "LimitExceededException"
