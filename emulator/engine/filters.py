"""Rekognition QualityFilter levels: which reasons make a detected face fail, with documented thresholds.

Each reason is computed from the face alone (plus the image size for the box check):

| reason             | measure                                    | LOW   | MEDIUM (= AUTO) | HIGH |
|--------------------|--------------------------------------------|-------|-----------------|------|
| LOW_CONFIDENCE     | confidence < (see detect.score_to_confidence)| 90  | 95              | 99   |
| SMALL_BOUNDING_BOX | min(width, height) < px * max(1, W/1920, H/1080) | 20 | 36          | 60   |
| LOW_BRIGHTNESS     | quality.brightness <                       | 10    | 20              | 30   |
| LOW_SHARPNESS      | quality.sharpness <                        | 2.5   | 5               | 15   |
| EXTREME_POSE       | max(abs(yaw), abs(pitch)) > (degrees)      | 60    | 45              | 30   |

Confidence 90/95/99 are detector scores 0/0.29/1; the box minimum scales like Rekognition's
"40x40 px in 1920x1080".  NONE never filters.  Values measured on ../faces: real faces have
confidence >= 94.5 (median 99.9), brightness >= 26 (median 54), sharpness >= 6 for detected
37-px faces and ~86 median; the Gaussian-blurred photo has sharpness ~4.5; HOG's background
false positive in elon_musk/3.jpg has confidence 94.3, brightness 13 and sharpness 0.7.
"""

from __future__ import annotations

from emulator.engine.face import DetectedFace

LEVELS = ("NONE", "AUTO", "LOW", "MEDIUM", "HIGH")
REASONS = ("LOW_CONFIDENCE", "SMALL_BOUNDING_BOX", "LOW_BRIGHTNESS", "LOW_SHARPNESS", "EXTREME_POSE")

#: level -> (min confidence, min box side px at 1920x1080, min brightness, min sharpness, max |yaw|/|pitch|)
THRESHOLDS: dict[str, tuple[float, float, float, float, float]] = {
    "LOW": (90.0, 20.0, 10.0, 2.5, 60.0),
    "MEDIUM": (95.0, 36.0, 20.0, 5.0, 45.0),
    "HIGH": (99.0, 60.0, 30.0, 15.0, 30.0),
}
THRESHOLDS["AUTO"] = THRESHOLDS["MEDIUM"]


def min_box_side(image_shape: tuple[int, ...], level: str) -> float:
    """Smallest accepted box side in pixels for this image size and level."""
    height, width = image_shape[0], image_shape[1]
    return THRESHOLDS[level][1] * max(1.0, width / 1920.0, height / 1080.0)


def quality_filter_reasons(face: DetectedFace, image_shape: tuple[int, ...], level: str) -> list[str]:
    """Reasons the face fails QualityFilter `level` (image_shape is (height, width, ...)); [] if it passes."""
    level = level.upper()
    if level not in LEVELS:
        raise ValueError(f"unknown quality filter {level!r}; expected one of {LEVELS}")
    if level == "NONE":
        return []
    min_conf, _, min_bright, min_sharp, max_angle = THRESHOLDS[level]
    reasons = []
    if face.confidence < min_conf:
        reasons.append("LOW_CONFIDENCE")
    if min(face.width, face.height) < min_box_side(image_shape, level):
        reasons.append("SMALL_BOUNDING_BOX")
    if face.quality.brightness < min_bright:
        reasons.append("LOW_BRIGHTNESS")
    if face.quality.sharpness < min_sharp:
        reasons.append("LOW_SHARPNESS")
    if max(abs(face.pose.yaw), abs(face.pose.pitch)) > max_angle:
        reasons.append("EXTREME_POSE")
    return reasons
