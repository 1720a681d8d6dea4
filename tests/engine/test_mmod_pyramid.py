"""The numpy side of the MMOD rebuild against dlib's own geometry: pyramid sizes, rounding, NMS, resize."""

from __future__ import annotations

import itertools
import math

import dlib  # type: ignore[import-untyped,unused-ignore]
import numpy as np
import numpy.typing as npt
import pytest

from emulator.engine.dlibnet.session import make_session
from emulator.engine.mmod import boxes, pyramid
from emulator.engine.mmod.graph import RESIZE_INPUT, RESIZE_OUTPUT, RESIZE_SIZES, build_resize_model
from emulator.engine.mmod.network import BoxOverlap
from emulator.engine.mmod.pyramid import Rect, tiled_layout


def dlib_resize(planes: npt.NDArray[np.float64], rows: int, cols: int) -> npt.NDArray[np.float64]:
    """dlib's resize_image for float planes, written out plainly: corners aligned, far neighbour clamped."""
    _, h, w = planes.shape
    out = np.empty((planes.shape[0], rows, cols))
    for r, c in itertools.product(range(rows), range(cols)):
        y, x = r * (h - 1) / max(rows - 1, 1), c * (w - 1) / max(cols - 1, 1)
        top, left = math.floor(y), math.floor(x)
        bottom, right = min(top + 1, h - 1), min(left + 1, w - 1)
        fy, fx = y - top, x - left
        out[:, r, c] = ((1 - fy) * ((1 - fx) * planes[:, top, left] + fx * planes[:, top, right])
                        + fy * ((1 - fx) * planes[:, bottom, left] + fx * planes[:, bottom, right]))
    return out


def test_onnx_resize_is_dlibs_bilinear() -> None:
    """The Resize node that builds the pyramid levels computes dlib's resize_image within float rounding."""
    session = make_session(build_resize_model().SerializeToString(), 1, RuntimeError)
    planes = np.random.default_rng(7).random((1, 3, 23, 31), dtype=np.float32)
    for rows, cols in ((19, 25), (23, 31), (5, 7), (40, 50)):
        sizes = np.array([1, 3, rows, cols], dtype=np.int64)
        ours = session.run([RESIZE_OUTPUT], {RESIZE_INPUT: planes, RESIZE_SIZES: sizes})[0][0]
        np.testing.assert_allclose(ours, dlib_resize(planes[0].astype(np.float64), rows, cols), atol=1e-5)


def test_level_sizes_shrink_by_five_sixths_to_dlibs_minimum() -> None:
    """pyramid_down<6> levels: floor(5/6 * size) each step; the last level is at least 5 rows high."""
    sizes = pyramid.level_sizes(480, 640)
    assert sizes[:4] == [(480, 640), (400, 533), (333, 444), (277, 370)]
    assert sizes[-1][0] >= pyramid.MIN_LEVEL_HEIGHT and math.floor(sizes[-1][0] * 5 / 6) < pyramid.MIN_LEVEL_HEIGHT


@pytest.mark.parametrize("rows,cols", [(480, 640), (181, 241), (1081, 1921), (600, 300), (40, 58)])
def test_tiled_layout_keeps_levels_apart_inside_the_canvas(rows: int, cols: int) -> None:
    """Every level sits inside the canvas with its own size and no two share a pixel; the first column is padded.

    (dlib only stops the second column before it would overlap level 0, so one may touch level 0's bottom.)
    """
    layout = tiled_layout(rows, cols, padding=10, outer_padding=11)
    canvas = Rect(0, 0, layout.cols - 1, layout.rows - 1)
    assert layout.levels[0] == Rect(11, 11, 11 + cols - 1, 11 + rows - 1)
    assert layout.cols == cols + 22
    for level, (r, c) in zip(layout.levels, pyramid.level_sizes(rows, cols), strict=False):
        assert (level.height, level.width) == (r, c)
        assert canvas.contains(level.left, level.top) and canvas.contains(level.right, level.bottom)
    for a, b in itertools.combinations(layout.levels, 2):
        assert not a.intersects(b)
    first_column = [level for level in layout.levels if level.left == 11]
    for a, b in itertools.pairwise(first_column):
        assert b.top - a.bottom - 1 == 10


@pytest.mark.parametrize("rows,cols", [(180, 240), (375, 500), (7, 9), (1080, 1920)])
def test_pyramid_up_size_is_dlibs_rect_up(rows: int, cols: int) -> None:
    """pyramid_up makes the image as large as dlib's pyramid_down(2).rect_up of its rectangle says."""
    image = np.zeros((rows, cols, 3), dtype=np.uint8)
    up = dlib.pyramid_down(2).rect_up(dlib.rectangle(0, 0, cols - 1, rows - 1))
    assert pyramid.pyramid_up(image).shape == (up.bottom() + 1, up.right() + 1, 3)


def test_rect_down_and_rounding_match_dlib() -> None:
    """Mapping a box back from the upsampled image rounds half away from zero, as dlib's rect_down does."""
    rng = np.random.default_rng(3)
    pyr = dlib.pyramid_down(2)
    for left, top in rng.integers(-60, 600, size=(200, 2)):
        right, bottom = left + int(rng.integers(20, 300)), top + int(rng.integers(20, 300))
        ours = boxes.rect_down(Rect(int(left), int(top), right, bottom), 1)
        theirs = pyr.rect_down(dlib.rectangle(int(left), int(top), right, bottom))
        assert (ours.left, ours.top, ours.right, ours.bottom) == (
            theirs.left(), theirs.top(), theirs.right(), theirs.bottom())
    assert boxes.round_rect((-4.5, 4.5, -0.5, 251.5)) == Rect(-5, 5, -1, 252)


def test_nms_keeps_the_best_of_overlapping_boxes() -> None:
    """loss_mmod's NMS: a box overlapping a better one (IoU or covered fraction) is dropped, others stay."""
    test = BoxOverlap(iou=0.338, covered=1.0)
    best = boxes.Hit(Rect(0, 0, 79, 79), 1.2)
    shifted = boxes.Hit(Rect(20, 0, 99, 79), 0.9)  # IoU 0.6
    apart = boxes.Hit(Rect(70, 0, 149, 79), 0.8)  # IoU 10/150 with the best one, 0.43 with the shifted one
    around = boxes.Hit(Rect(200, 200, 299, 299), 0.7)
    inner = boxes.Hit(Rect(220, 220, 259, 259), 0.6)  # IoU 0.16, wholly covered by the box around it
    # The face detector's covered threshold is 1.0, which no fraction exceeds: only IoU suppresses.
    assert boxes.suppress([best, shifted, apart, around, inner], test) == [best, apart, around, inner]
    assert boxes.suppress([around, inner], BoxOverlap(iou=0.338, covered=0.99)) == [around]

