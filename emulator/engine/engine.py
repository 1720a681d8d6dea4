"""The engine facade: an RGB image in, detected faces (box, landmarks, pose, quality, descriptor) out."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emulator.engine import detectors, landmarks, mesh, pose, quality
from emulator.engine.descriptor import Descriptor, face_chips, make_descriptor
from emulator.engine.face import DetectedFace
from emulator.engine.resolution import AWS_MIN_FACE

#: Most faces Engine.faces returns (Rekognition's DetectFaces/IndexFaces limit).
MAX_FACES = 100


class Engine:
    """Detection, landmarks, pose, quality and descriptors for decoded images; thread-safe."""

    def __init__(self, detector: str = detectors.DEFAULT, descriptor: str = "onnx", cache_dir: Path | None = None,
                 threads: int = 2, min_face: int = AWS_MIN_FACE) -> None:
        """Load the models (threads: onnxruntime intra-op threads); descriptor "onnx" falls back to "dlib"."""
        self.detector = detectors.canonical(detector)
        self.min_face = min_face
        self._detector = detectors.make_detector(self.detector, threads, cache_dir)
        self._descriptor: Descriptor = make_descriptor(descriptor, cache_dir=cache_dir, threads=threads)
        self.descriptor_name: str = self._descriptor.name
        self._mesh = mesh.shared_model(threads)  # Pose comes from the face mesh: a missing model fails here
        pose.canonical()

    def faces(self, image: np.ndarray, *, largest_only: bool = False, descriptors: bool = True,
              limit: int = MAX_FACES) -> list[DetectedFace]:
        """Faces in an (H, W, 3) uint8 RGB image, largest box first, at most `limit` (1 with largest_only)."""
        image = _check_image(image)
        count = 1 if largest_only else max(0, min(int(limit), MAX_FACES))
        if count == 0:
            return []
        found = self._detector.detect(image, largest_only=largest_only, min_face=self.min_face)[:count]
        if not found:
            return []
        shapes = landmarks.predict_shapes(image, [d.shape_rect for d in found])
        vectors: np.ndarray | None = None
        if descriptors:
            vectors = self._descriptor.compute(face_chips(image, shapes))
        result = []
        for i, (det, shape) in enumerate(zip(found, shapes, strict=True)):
            points = landmarks.shape_points(shape)
            left, top, width, height = det.left, det.top, det.width, det.height
            five = landmarks.aws_landmarks(points)
            eyes = det.eyes or (five["eyeLeft"], five["eyeRight"])  # the detector's eyes hold up on rolled faces
            face_mesh = self._mesh.face(image, (left, top, width, height), eyes, trusted_eyes=det.eyes is not None)
            result.append(DetectedFace(
                left=left, top=top, width=width, height=height,
                confidence=det.confidence,
                landmarks=five,
                pose=pose.mesh_pose(face_mesh.points),
                quality=quality.measure(image, left, top, width, height),
                descriptor=None if vectors is None else vectors[i].copy(),
            ))
        return result

    def describe(self, chips: np.ndarray) -> np.ndarray:
        """Descriptors for aligned (N, 150, 150, 3) uint8 chips, with this engine's runtime."""
        return self._descriptor.compute(chips)


def _check_image(image: np.ndarray) -> np.ndarray:
    """Validate an (H, W, 3) uint8 array and make it C-contiguous for dlib."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB array, got {image.shape} {image.dtype}")
    return np.ascontiguousarray(image)
