"""The attribute estimators by field: which ones a request needs, each built once (thread-safely), run and merged.

Adding an estimator is one row in ENTRIES: the fields it computes (names from types.ATTRIBUTE_NAMES, or
LANDMARKS for the 25 non-default landmark types ALL asks for), the class that builds it (no arguments; it
loads its models in __init__), the vendored model files it reads (checked at server start-up) and what it
needs in its FaceView beyond the image, box and five points ("chip": the 150-px descriptor chip;
"mesh": the face mesh, which the engine always has; "irises": the iris model's centres and radii, run only
when an asked estimator needs them).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from emulator.engine import models
from emulator.engine.attributes.accessories import AccessoryEstimator
from emulator.engine.attributes.age_gender import AGE_MODEL, GENDER_MODEL, AgeRangeEstimator, GenderEstimator
from emulator.engine.attributes.emotions import MODEL_FILE as EMOTION_MODEL
from emulator.engine.attributes.emotions import EmotionEstimator
from emulator.engine.attributes.expressions import EyesOpenEstimator, MouthOpenEstimator, SmileEstimator
from emulator.engine.attributes.gaze import EyeDirectionEstimator
from emulator.engine.attributes.mesh_landmarks import LandmarksEstimator
from emulator.engine.attributes.types import ATTRIBUTE_NAMES, Estimator, FaceAttributes, FaceView
from emulator.engine.mesh import IRIS_FILE, MESH_FILE

#: Pseudo-field for the landmark types beyond DEFAULT's five (asked for by ALL only).
LANDMARKS = "LANDMARKS"
#: What Attributes=["ALL"] asks the engine for.
ALL = frozenset(ATTRIBUTE_NAMES) | {LANDMARKS}
#: Each field name -> the FaceAttributes member it fills.
MEMBER = {name: name.lower() for name in ATTRIBUTE_NAMES} | {LANDMARKS: "landmarks"}
#: FaceView inputs an estimator may need beyond image, box and five points.
NEEDS = frozenset({"chip", "mesh", "irises"})
_MESH = frozenset({"mesh"})
_IRISES = frozenset({"mesh", "irises"})


@dataclass(frozen=True)
class Entry:
    """One estimator: the fields it computes, how to build it, its model files, the FaceView inputs it needs."""

    fields: frozenset[str]
    factory: Callable[[], Estimator]
    files: tuple[str, ...] = ()
    needs: frozenset[str] = frozenset()


ENTRIES: tuple[Entry, ...] = (
    Entry(AgeRangeEstimator.fields, AgeRangeEstimator, files=(AGE_MODEL,)),
    Entry(GenderEstimator.fields, GenderEstimator, files=(GENDER_MODEL,)),
    Entry(EmotionEstimator.fields, EmotionEstimator, files=(EMOTION_MODEL,)),
    Entry(AccessoryEstimator.fields, AccessoryEstimator, needs=frozenset({"mesh"})),
    Entry(LandmarksEstimator.fields, LandmarksEstimator, files=(IRIS_FILE,), needs=_IRISES),
    Entry(EyesOpenEstimator.fields, EyesOpenEstimator, files=(IRIS_FILE,), needs=_IRISES),
    Entry(MouthOpenEstimator.fields, MouthOpenEstimator, files=(MESH_FILE,), needs=_MESH),
    Entry(SmileEstimator.fields, SmileEstimator, files=(MESH_FILE, EMOTION_MODEL), needs=_MESH),
    Entry(EyeDirectionEstimator.fields, EyeDirectionEstimator, files=(IRIS_FILE,), needs=_IRISES),
)

_lock = threading.Lock()
_built: dict[Entry, Estimator] = {}


def registered() -> frozenset[str]:
    """Every field some registered estimator computes."""
    return frozenset().union(*(entry.fields for entry in ENTRIES))


def check_names(names: Iterable[str]) -> frozenset[str]:
    """The names as a set; ValueError for one that is neither an attribute name nor LANDMARKS."""
    asked = frozenset(names)
    unknown = asked - ALL
    if unknown:
        raise ValueError(f"unknown attribute names {sorted(unknown)}; expected some of {sorted(ALL)}")
    return asked


def entries_for(names: frozenset[str]) -> tuple[Entry, ...]:
    """The registered entries computing at least one of the names, in ENTRIES order."""
    return tuple(entry for entry in ENTRIES if entry.fields & names)


def needs_of(entries: Iterable[Entry]) -> frozenset[str]:
    """The FaceView inputs the entries need together."""
    return frozenset().union(*(entry.needs for entry in entries))


def estimator(entry: Entry) -> Estimator:
    """The entry's estimator, built on first use (models loaded once, under a lock)."""
    built = _built.get(entry)
    if built is None:
        with _lock:
            built = _built.get(entry)
            if built is None:
                built = entry.factory()
                _built[entry] = built
    return built


def estimate(view: FaceView, names: frozenset[str], entries: Iterable[Entry]) -> FaceAttributes:
    """Run the entries on one face and keep only the asked fields, each from the estimator that owns it."""
    merged: dict[str, object] = {}
    for entry in entries:
        result = estimator(entry)(view)
        for name in entry.fields & names:
            merged[MEMBER[name]] = getattr(result, MEMBER[name])
    return dataclasses.replace(FaceAttributes(), **merged)  # type: ignore[arg-type]


def check_model_files() -> None:
    """Raise models.ModelNotFound, naming the file, if a registered estimator's model file is missing."""
    for entry in ENTRIES:
        for filename in entry.files:
            if not (models.WEIGHTS_DIR / filename).is_file():
                models.vendored_model(filename)  # raises ModelNotFound with the path and the remedy


def warm(view: FaceView) -> None:
    """Build every registered estimator and run it once on a view (its first run allocates its buffers)."""
    for entry in ENTRIES:
        estimator(entry)(view)
