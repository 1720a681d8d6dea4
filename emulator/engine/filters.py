"""Rekognition QualityFilter levels: which reasons make a detected face fail, with documented thresholds.

Each reason is computed from the face alone (plus the image size for the box check):

| reason             | measure                                    | LOW   | MEDIUM (= AUTO) | HIGH |
|--------------------|--------------------------------------------|-------|-----------------|------|
| LOW_CONFIDENCE     | confidence < (see detect.score_to_confidence)| 90  | 95              | 99   |
| SMALL_BOUNDING_BOX | min(width, height) < px * max(1, W/1920, H/1080) | 20 | 36          | 60   |
| LOW_BRIGHTNESS     | quality.brightness <                       | 4.5   | 6.7             | 10.2 |
| LOW_SHARPNESS      | quality.sharpness <                        | 5     | 23.7            | 34   |
| EXTREME_POSE       | max(abs(yaw), abs(pitch)) > (degrees)      | 60    | 45              | 30   |

Confidence 90/95/99 are detector scores 0/0.29/1; the box minimum scales like Rekognition's
"40x40 px in 1920x1080".  NONE never filters.  AWS documents AUTO only as "Amazon Rekognition
chooses the quality bar"; here it is MEDIUM.

Brightness and sharpness are set where recognition breaks down, measured with descriptors by
``scripts/measure_quality`` (first with HOG, refitted with the default RetinaFace, below): 282 photos
(the identity folders, LFW people with 2+ photos, GENKI-4K) were darkened (a phone camera's exposure cut
by 1-8 stops, with shot and read noise), focus- and motion-blurred in steps; at each step the genuine-match
rate at Similarity 80 (distance 0.6) against the person's other, undegraded photos was fitted (isotonic) on the measure.
A level refuses where that rate has fallen from the undegraded rate (98.7 %) by more than its
tolerance: HIGH 2 points (the first measurable loss), MEDIUM 10 points (recognition has broken
down), LOW 50 points (lost as often as matched).  Fitted on half of the people (tune split), HOG's boxes:

- brightness 4.3 / 6.2 / 11.8; on the other half: faces of brightness 9-11 still match 96.6 %,
  7-9 92 %, 5-7 79 %, 3-5 46 %, below 3 3 %.  A dim indoor photo (brightness 12-25, the face
  plainly visible) matches 98-100 %.  The former 10 / 20 / 30 refused such photos, and with them
  8.9 % of FairFace's photos of Black people at AUTO (3.1 % of White) and 46 % at HIGH (12.5 %);
  now none at AUTO (0.7 % and 0 % at HIGH).  What breaks recognition in the dark is sensor noise more
  than darkness: the camera model above has 1000 e- at full scale (a phone at a raised ISO, no
  denoising); with 4000 e- the AUTO fit is at 3.0-3.4, with 300 e- (a small sensor at high ISO) at 14.
- sharpness 4.8 / 23.1 / 33.7 (the measure changed too, see quality.py): on the other half, blurred
  faces AUTO keeps match 96.8 % (focus) and 96.6 % (motion), those it refuses 57 % and 60 %.  AUTO
  refuses 0.8 % of the undegraded photos and 0.8-4.6 % of ordinary UTKFace/GENKI-4K/FairFace photos
  (the blurry ones).

With HOG, 9-15 % of faces 3-4 stops under score below AUTO's confidence 95 (LOW_CONFIDENCE: a
detector matter, left to the detector's calibration; the script's conf<95 column shows it).

Refitted with RetinaFace's boxes and misses (``scripts/measure_quality --detector retinaface --cache
q.npz``, 284 photos, 24,534 records): brightness 4.56 / 6.73 / 10.21 and sharpness 5.06 / 23.75 / 48.43.
LOW and MEDIUM take the refit (4.5 / 6.7 and 5 / 23.7): on the report half AUTO keeps darkened faces that
match 96.3 % and refuses ones that match 54 %, and refuses 0-0.5 % of ordinary FairFace, UTKFace and
GENKI-4K photos for brightness and 0-10.5 % for sharpness (FairFace's Middle Eastern photos the most).
HIGH takes the refit's brightness 10.2 but keeps sharpness 34: the refit's 48 refused 9.9 % of the
undegraded identity photos, every one of which still matches (at 34: 1.5 %), and 30 % of FairFace's photos
(at 34: 15 %), for a 2-point tolerance the blur steps measure only coarsely.

The measurement puts the box's breakdown at 24-28 px (HOG boxes; 34 px: 95 %, 24 px: 87 %, 20 px:
75 %), below MEDIUM's 36: the box minimums stay, since Rekognition detects no face under 40 px in a
1920x1080 image, and box sizes depend on the detector's box convention.
"""

from __future__ import annotations

from emulator.engine.face import DetectedFace

#: QualityFilter levels with thresholds of their own (AUTO takes MEDIUM's).
GRADED_LEVELS = ("LOW", "MEDIUM", "HIGH")
#: Every QualityFilter value, in botocore's enum order.
LEVELS = ("NONE", "AUTO", *GRADED_LEVELS)
REASONS = ("LOW_CONFIDENCE", "SMALL_BOUNDING_BOX", "LOW_BRIGHTNESS", "LOW_SHARPNESS", "EXTREME_POSE")

#: level -> (min confidence, min box side px at 1920x1080, min brightness, min sharpness, max |yaw|/|pitch|)
THRESHOLDS: dict[str, tuple[float, float, float, float, float]] = {
    "LOW": (90.0, 20.0, 4.5, 5.0, 60.0),
    "MEDIUM": (95.0, 36.0, 6.7, 23.7, 45.0),
    "HIGH": (99.0, 60.0, 10.2, 34.0, 30.0),
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
    if face.pose is None or face.quality is None:
        raise ValueError("QualityFilter needs the face's pose and quality: detect it with details=True")
    if face.quality.brightness < min_bright:
        reasons.append("LOW_BRIGHTNESS")
    if face.quality.sharpness < min_sharp:
        reasons.append("LOW_SHARPNESS")
    if max(abs(face.pose.yaw), abs(face.pose.pitch)) > max_angle:
        reasons.append("EXTREME_POSE")
    return reasons
