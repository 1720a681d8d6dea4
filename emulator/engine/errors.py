"""Errors the engine raises for images it cannot use."""

from __future__ import annotations


class ImageError(Exception):
    """Base class: the image bytes cannot be turned into a usable RGB image."""


class InvalidImageFormat(ImageError):
    """Not a decodable JPEG or PNG (wrong magic bytes, truncated, corrupt, empty)."""


class ImageTooSmall(ImageError):
    """The decoded image is under the 80-pixel minimum on one side."""


class ImageTooLarge(ImageError):
    """The image header declares more pixels than the engine's cap (decompression-bomb guard)."""
