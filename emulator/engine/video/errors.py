"""Errors the video engine raises: a video Rekognition cannot analyse, one over its limits, a cancelled run."""

from __future__ import annotations

#: StatusMessage of an AWS job whose video cannot be read (not H.264 in MP4/MOV, not a video, corrupt), as
#: GetFaceDetection/GetFaceSearch report it (seen in aws-samples/amazon-rekognition-video-analyzer issue 46).
UNSUPPORTED_MESSAGE = "Unsupported codec/format."
#: VideoTooLargeException's documented text (botocore's Rekognition model).
TOO_LARGE_MESSAGE = ("The file size or duration of the supplied media is too large. The maximum file size is 10GB. "
                     "The maximum duration is 6 hours.")


class VideoError(Exception):
    """The video cannot be analysed; .message is the StatusMessage AWS gives the failed job."""

    def __init__(self, message: str = UNSUPPORTED_MESSAGE, detail: str = "") -> None:
        """Keep AWS's message and, for logs only, what FFmpeg or the checks said."""
        super().__init__(message if not detail else f"{message} ({detail})")
        self.message = message
        self.detail = detail


class VideoTooLarge(VideoError):
    """Over Rekognition Video's 10 GB or 6 hour limit: Start* answers VideoTooLargeException with this message."""

    def __init__(self, detail: str = "") -> None:
        """Carry VideoTooLargeException's documented message."""
        super().__init__(TOO_LARGE_MESSAGE, detail)


class VideoCancelled(Exception):
    """analyse() stopped because its cancelled() callback said so (shutdown), not because the video is bad."""
