"""The engine facade: an RGB image in, detected faces (box, landmarks, pose, quality, descriptor, attributes) out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlib
import numpy as np

from emulator.engine import detectors, landmarks, mesh, pose, quality
from emulator.engine.attributes import registry
from emulator.engine.attributes.types import FaceView
from emulator.engine.descriptor import DEFAULT_DESCRIPTOR, Descriptor, face_chips, make_descriptor
from emulator.engine.detectors import FaceBox
from emulator.engine.face import DetectedFace
from emulator.engine.resolution import AWS_MIN_FACE

#: Most faces Engine.faces returns (Rekognition's DetectFaces/IndexFaces limit).
MAX_FACES = 100
_NO_ATTRIBUTES: frozenset[str] = frozenset()
#: The iris model's first 16 eye-contour points trace the lids (MediaPipe's eye contour topology).
EYELID_POINTS = 16


class Engine:
    """Detection, landmarks, pose, quality, descriptors and attributes for decoded images; thread-safe."""

    def __init__(self, detector: str = detectors.DEFAULT, descriptor: str = DEFAULT_DESCRIPTOR,
                 cache_dir: Path | None = None, threads: int = 2, min_face: int = AWS_MIN_FACE) -> None:
        """Load the models (threads: onnxruntime intra-op threads); descriptor "onnx" falls back to "dlib".

        Attribute estimators load on first use (or in warm()), so an engine that is never asked for them
        costs nothing more.
        """
        self.detector = detectors.canonical(detector)
        self.min_face = min_face
        self._detector = detectors.make_detector(self.detector, threads, cache_dir)
        self._descriptor: Descriptor = make_descriptor(descriptor, cache_dir=cache_dir, threads=threads)
        self.descriptor_name: str = self._descriptor.name
        self._mesh = mesh.shared_model(threads)  # Pose comes from the face mesh: a missing model fails here
        pose.canonical()

    def faces(self, image: np.ndarray, *, largest_only: bool = False, descriptors: bool = True,
              limit: int = MAX_FACES, attributes: frozenset[str] = _NO_ATTRIBUTES,
              details: bool = True) -> list[DetectedFace]:
        """Faces in an (H, W, 3) uint8 RGB image, largest box first, at most `limit` (1 with largest_only).

        details=False skips the face mesh and the quality measures when only box, confidence and descriptor
        are needed (SearchFacesByImage without a QualityFilter): Pose and Quality are then None and the mouth
        corners come from dlib's five points; asked attributes still get the mesh they need.

        attributes: names from types.ATTRIBUTE_NAMES (and registry.LANDMARKS); only the estimators owning
        them run, and each face's `attributes` holds the asked fields that a registered estimator computes.
        """
        asked = registry.check_names(attributes)
        image = _check_image(image)
        entries = registry.entries_for(asked)
        needs = registry.needs_of(entries)
        found, shapes, chips, vectors = self._described(image, largest_only, limit, descriptors,
                                                        descriptors or "chip" in needs)
        result = []
        for i, (det, shape) in enumerate(zip(found, shapes, strict=True)):
            points = landmarks.shape_points(shape)
            left, top, width, height = det.left, det.top, det.width, det.height
            five = landmarks.aws_landmarks(points)
            face_mesh = self._mesh_of(image, det, shape) if details or asked else None
            if face_mesh is not None:
                five = landmarks.with_mesh_mouth(five, face_mesh.points)
            attrs = None
            if asked and face_mesh is not None:
                view = FaceView(image=image, box=(left, top, width, height), points5=points,
                                chip=None if chips is None else chips[i], mesh=face_mesh.points,
                                **(self.eye_parts(image, face_mesh) if "irises" in needs else {}))
                attrs = registry.estimate(view, asked, entries)
            result.append(DetectedFace(
                left=left, top=top, width=width, height=height,
                confidence=det.confidence,
                landmarks=five,
                pose=None if face_mesh is None else pose.mesh_pose(face_mesh.points),
                quality=quality.measure(image, left, top, width, height) if details else None,
                descriptor=None if vectors is None else vectors[i].copy(),
                attributes=attrs,
            ))
        return result

    def _described(self, image: np.ndarray, largest_only: bool, limit: int, descriptors: bool,
                   chips: bool) -> tuple[list[FaceBox], list[Any], np.ndarray | None, np.ndarray | None]:
        """The faces found, their 5-point shapes, and their chips and descriptors when asked (else None).

        For the largest face only, the detector may compute shape, chip and descriptor while it verifies it.
        """
        def prepare(faces: list[FaceBox]) -> tuple[list[Any], np.ndarray | None, np.ndarray | None]:
            shapes = landmarks.predict_shapes(image, [f.shape_rect for f in faces]) if faces else []
            made = face_chips(image, shapes) if faces and chips else None
            return shapes, made, (self._descriptor.compute(made) if descriptors and made is not None else None)

        if largest_only:
            got = self._detector.largest_with(image, min_face=self.min_face, prepare=lambda face: prepare([face]))
            return ([], [], None, None) if got is None else ([got[0]], *got[1])
        count = max(0, min(int(limit), MAX_FACES))
        found = self._detector.detect(image, largest_only=False, min_face=self.min_face)[:count] if count else []
        return (found, *prepare(found))

    def views(self, image: np.ndarray, *, largest_only: bool = False, limit: int = MAX_FACES,
              chips: bool = False, irises: bool = False) -> list[FaceView]:
        """Each face's FaceView, the attribute estimators' input, largest first (for measurement scripts)."""
        image = _check_image(image)
        found, shapes = self.locate(image, largest_only, limit)
        made = face_chips(image, shapes) if chips else None
        out = []
        for i, (d, s) in enumerate(zip(found, shapes, strict=True)):
            face_mesh = self._mesh_of(image, d, s)
            out.append(FaceView(image=image, box=(d.left, d.top, d.width, d.height), points5=landmarks.shape_points(s),
                                chip=None if made is None else made[i], mesh=face_mesh.points,
                                **(self.eye_parts(image, face_mesh) if irises else {})))
        return out

    def eye_parts(self, image: np.ndarray, face_mesh: mesh.FaceMesh) -> dict[str, np.ndarray]:
        """FaceView's irises (2, 3: x, y, radius) and eyelids (2, 16, 2) from the iris model, image-left eye first."""
        eyes = self._mesh.eyes(image, face_mesh)
        return {"irises": np.array([iris_circle(eye.iris) for eye in eyes]),
                "eyelids": np.array([eye.contour[:EYELID_POINTS, :2] for eye in eyes])}

    def _mesh_of(self, image: np.ndarray, det: FaceBox, shape: Any) -> mesh.FaceMesh:
        """The face mesh of one detection, levelled on the detector's eyes (dlib's when it has none)."""
        five = landmarks.aws_landmarks(landmarks.shape_points(shape))
        eyes = det.eyes or (five["eyeLeft"], five["eyeRight"])  # the detector's eyes hold up on rolled faces
        box = (det.left, det.top, det.width, det.height)
        return self._mesh.face(image, box, eyes, trusted_eyes=det.eyes is not None)

    def locate(self, image: np.ndarray, largest_only: bool = False,
               limit: int = MAX_FACES) -> tuple[list[FaceBox], list[Any]]:
        """The detected boxes, largest first, at most `limit` (1 with largest_only), and their 5-point shapes."""
        found, shapes, _, _ = self._described(image, largest_only, limit, descriptors=False, chips=False)
        return found, shapes

    def describe(self, chips: np.ndarray) -> np.ndarray:
        """Descriptors for aligned (N, 150, 150, 3) uint8 chips, with this engine's runtime."""
        return self._descriptor.compute(chips)

    def warm(self) -> None:
        """Run every model once (detector, landmarks, descriptor, each attribute estimator) so none loads later."""
        image = np.full((480, 640, 3), 128, dtype=np.uint8)
        self._detector.detect(image, largest_only=False, min_face=self.min_face)
        box = (220.0, 140.0, 200.0, 200.0)
        shape = landmarks.predict_shapes(image, [_rect(box)])[0]
        chips = face_chips(image, [shape])
        self._descriptor.compute(chips)
        points = landmarks.shape_points(shape)
        five = landmarks.aws_landmarks(points)
        face_mesh = self._mesh.face(image, box, (five["eyeLeft"], five["eyeRight"]))
        registry.warm(FaceView(image=image, box=box, points5=points, chip=chips[0], mesh=face_mesh.points,
                               **self.eye_parts(image, face_mesh)))


def iris_circle(iris: np.ndarray) -> tuple[float, float, float]:
    """(x, y, r) of an iris from the iris model's 5 points: the centre and the mean distance of the other four."""
    points = np.asarray(iris, dtype=np.float64)[:, :2]
    return float(points[0, 0]), float(points[0, 1]), float(np.linalg.norm(points[1:] - points[0], axis=1).mean())


def _rect(box: tuple[float, float, float, float]) -> dlib.rectangle:
    """A dlib rectangle for a (left, top, width, height) box."""
    left, top, width, height = (int(v) for v in box)
    return dlib.rectangle(left, top, left + width - 1, top + height - 1)


def _check_image(image: np.ndarray) -> np.ndarray:
    """Validate an (H, W, 3) uint8 array and make it C-contiguous for dlib."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB array, got {image.shape} {image.dtype}")
    return np.ascontiguousarray(image)

