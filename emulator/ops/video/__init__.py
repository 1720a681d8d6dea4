"""Stored video: Start/GetFaceDetection and Start/GetFaceSearch over S3 videos, analysed by background jobs."""

from __future__ import annotations

from emulator.ops.video import get, start

__all__ = ["get", "start"]
