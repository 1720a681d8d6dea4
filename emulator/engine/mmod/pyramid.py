"""dlib's tiled image pyramid (input_rgb_image_pyramid<pyramid_down<N>>) and the upsampling before it, in numpy."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import dlib
import numpy as np
import numpy.typing as npt

#: dlib's cnn_face_detection_model_v1 uses pyramid_down<6>: each level is 5/6 the size of the one before.
PYRAMID_N = 6
#: dlib stops the pyramid before a level shorter than this.
MIN_LEVEL_HEIGHT = 5

Float32Array = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Rect:
    """An integer dlib rectangle with inclusive corners."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        """Columns covered (0 when empty)."""
        return max(0, self.right - self.left + 1)

    @property
    def height(self) -> int:
        """Rows covered (0 when empty)."""
        return max(0, self.bottom - self.top + 1)

    def contains(self, x: int, y: int) -> bool:
        """Whether the point lies inside (edges included)."""
        return self.left <= x <= self.right and self.top <= y <= self.bottom

    def intersects(self, other: Rect) -> bool:
        """Whether the two rectangles share a pixel."""
        return (max(self.left, other.left) <= min(self.right, other.right)
                and max(self.top, other.top) <= min(self.bottom, other.bottom))


@dataclass(frozen=True)
class TiledLayout:
    """Where each pyramid level sits in the tiled image, and the tiled image's size."""

    levels: tuple[Rect, ...]
    rows: int
    cols: int


def level_sizes(rows: int, cols: int, n: int = PYRAMID_N) -> list[tuple[int, int]]:
    """(rows, cols) of every level: floor(rate * size) each step (rate (n-1)/n), until a level is too small."""
    rate = (n - 1.0) / n
    sizes = [(rows, cols)]
    while True:
        rows, cols = math.floor(rate * rows), math.floor(rate * cols)
        if rows * cols == 0 or rows < MIN_LEVEL_HEIGHT:
            return sizes
        sizes.append((rows, cols))


def tiled_layout(rows: int, cols: int, padding: int, outer_padding: int, n: int = PYRAMID_N) -> TiledLayout:
    """dlib's impl::compute_tiled_image_pyramid_details: levels down a first column, the rest back up a second."""
    sizes = level_sizes(rows, cols, n)
    total_height = sum(r + padding for r, _ in sizes) - 2 * padding
    height, prev_width = 0, 0
    for r, c in sizes:
        # The first column ends once the next level fits beside the previous one and half the height is used.
        if c <= cols - prev_width - padding and (height - rows) * 2 >= total_height - rows:
            break
        height += r + padding
        prev_width = c
    height -= padding
    levels: list[Rect] = []
    y = outer_padding
    while y < height + outer_padding and len(levels) < len(sizes):
        r, c = sizes[len(levels)]
        levels.append(Rect(outer_padding, y, outer_padding + c - 1, y + r - 1))
        y += r + padding
    y -= padding
    while len(levels) < len(sizes):
        r, c = sizes[len(levels)]
        right, bottom = outer_padding + cols - 1, y - 1
        rect = Rect(right - (c - 1), bottom - (r - 1), right, bottom)
        if rect.intersects(levels[0]):  # a level that would overlap the full-size image is dropped, as dlib does
            break
        levels.append(rect)
        y -= r + padding
    return TiledLayout(tuple(levels), height + 2 * outer_padding, cols + 2 * outer_padding)


#: Resizes (1, 3, h, w) float planes to (1, 3, rows, cols) with dlib's bilinear interpolation.
Resize = Callable[[Float32Array, int, int], Float32Array]


def tiled_pyramid(image: npt.NDArray[np.uint8], mean: tuple[float, float, float], layout: TiledLayout,
                  resize: Resize) -> Float32Array:
    """The (1, 3, rows, cols) input tensor: (pixel - mean) / 256 in level 0, each level resized from the one before.

    The gaps between levels stay 0, which is the mean colour: dlib zeroes the tensor before tiling.
    """
    out = np.zeros((1, 3, layout.rows, layout.cols), dtype=np.float32)
    first = layout.levels[0]
    planes = image.transpose(2, 0, 1).astype(np.float32)[None]
    planes -= np.asarray(mean, np.float32)[None, :, None, None]
    planes /= np.float32(256.0)
    out[:, :, first.top : first.bottom + 1, first.left : first.right + 1] = planes
    for rect in layout.levels[1:]:
        planes = resize(planes, rect.height, rect.width)
        out[:, :, rect.top : rect.bottom + 1, rect.left : rect.right + 1] = planes
    return out


def pyramid_up(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """dlib's pyramid_up with pyramid_down<2>: the RGB image resized by dlib itself to (2r + 1, 2c + 2) pixels.

    dlib's uint8 bilinear resize truncates float32 sums; calling it (a pure function, a few ms) gives its pixels
    exactly, where numpy gave 2 % of them one level off and took several times longer.
    """
    rows, cols = image.shape[:2]
    # pyramid_down<2>::rect_up maps (x, y) to ((x + 1.25) * 2, (y + 0.75) * 2); the corners are then rounded.
    out_rows = math.floor((rows - 1 + 0.75) * 2 + 0.5) + 1
    out_cols = math.floor((cols - 1 + 1.25) * 2 + 0.5) + 1
    return np.asarray(dlib.resize_image(np.ascontiguousarray(image), out_rows, out_cols), dtype=np.uint8)
