"""Tune and measure the Emotions estimator on ../shared/faces/_attributes (see scripts/measure_emotions)."""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter, defaultdict

import numpy as np

from emulator.engine import Engine, landmarks
from emulator.engine.attributes import emotions
from emulator.engine.attributes.calibration import Calibration, fit_isotonic, reliability
from emulator.engine.attributes.types import EMOTION_TYPES, FaceView
from tests.attribute_photos import face_view, held_out, rows

#: lfw_emotion's labels as Rekognition's types ("contempt" has none: never counted as right or wrong at top-1).
LABELS = {"happiness": "HAPPY", "neutral": "CALM", "surprise": "SURPRISED", "anger": "ANGRY", "sadness": "SAD",
          "fear": "FEAR", "disgust": "DISGUSTED"}
SCALES = (1.0, 1.15, 1.3, 1.45, 1.6)


def collect(engine: Engine, estimator: emotions.EmotionEstimator, paths: list[str],
            scales: tuple[float, ...]) -> dict[str, dict[float, np.ndarray]]:
    """Logits per photo and crop scale (photos where no face is found are left out, and counted)."""
    out: dict[str, dict[float, np.ndarray]] = {}
    for path in paths:
        view = face_view(engine, path)
        if view is not None:
            crops = np.stack([emotions.face_crop(view, s) for s in scales])
            out[path] = dict(zip(scales, estimator.logits(crops), strict=True))
    return out


def top_type(logits: np.ndarray, offsets: np.ndarray | None = None) -> str:
    """The emotion the estimator would list first (shares; calibration keeps the order)."""
    return EMOTION_TYPES[int(np.argmax(emotions.eight_way(logits, offsets)))]


def accuracy(labelled: dict[str, str], logits: dict[str, np.ndarray],
             offsets: np.ndarray | None = None) -> tuple[float, int]:
    """Top-1 agreement with the annotator over photos whose label has a Rekognition type."""
    hits = [top_type(logits[p], offsets) == LABELS[lab] for p, lab in labelled.items()
            if lab in LABELS and p in logits]
    return (float(np.mean(hits)) if hits else math.nan), len(hits)


def fit_offsets(labelled: dict[str, str], logits: dict[str, np.ndarray]) -> np.ndarray:
    """Offsets b (mean zero) maximising the likelihood of the annotators' labels under softmax(logits + b)."""
    known = [(logits[p], emotions.FER_TO_REKOGNITION.index(LABELS[lab])) for p, lab in labelled.items()
             if lab in LABELS]
    z = np.array([k[0] for k in known], dtype=np.float64)
    counts = np.bincount([k[1] for k in known], minlength=z.shape[1])
    b: np.ndarray = np.zeros(z.shape[1])
    for _ in range(5000):  # gradient descent on a convex objective; converged well before
        e = np.exp(z + b - (z + b).max(axis=1, keepdims=True))
        b -= 0.5 * ((e / e.sum(axis=1, keepdims=True)).sum(axis=0) - counts) / len(known)
    return np.asarray(b - b.mean())


def pairs(labelled: dict[str, str], logits: dict[str, np.ndarray],
          offsets: np.ndarray | None = None) -> tuple[list[float], list[bool]]:
    """One-vs-rest (share, is the annotator's label) for each photo and each of the eight types."""
    shares, truth = [], []
    for path, label in labelled.items():
        for share, kind in zip(emotions.eight_way(logits[path], offsets), EMOTION_TYPES, strict=True):
            shares.append(float(share))
            truth.append(LABELS.get(label) == kind)
    return shares, truth


def print_reliability(title: str, stated: list[float], correct: list[bool]) -> None:
    """Stated confidence against observed accuracy, per bin."""
    print(f"{title}: stated -> observed (count)")
    for mean_p, observed, count in reliability(stated, correct):
        print(f"  {100 * mean_p:5.1f} -> {100 * observed:5.1f}  ({count})")


def smiles(engine: Engine, estimator: emotions.EmotionEstimator) -> None:
    """How often HAPPY comes first on held-out photos labelled smiling / not smiling (genki4k, lfw)."""
    for dataset in ("genki4k", "lfw_kumar_attributes"):
        for value in ("true", "false"):
            paths = [r["path"] for r in rows() if r["set"] == dataset and r["smile"] == value and held_out(r["path"])]
            logits = collect(engine, estimator, paths, (emotions.CROP_SCALE,))
            happy = sum(top_type(v[emotions.CROP_SCALE]) == "HAPPY" for v in logits.values())
            print(f"{dataset} smile={value}: HAPPY first on {happy}/{len(logits)} "
                  f"({100 * happy / max(len(logits), 1):.1f} %), no face on {len(paths) - len(logits)}")


def cost(engine: Engine, estimator: emotions.EmotionEstimator, views: list[FaceView], rounds: int) -> None:
    """Per-face cost of crop and network on one thread, as a ratio to dlib's 5-point fit in the same rounds."""
    spent: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for view in views:
            box = engine._detector.detect(view.image, largest_only=True, min_face=engine.min_face)[:1]
            start = time.perf_counter()
            landmarks.predict_shapes(view.image, [b.shape_rect for b in box])
            spent["5-point fit (baseline)"].append(time.perf_counter() - start)
            start = time.perf_counter()
            crop = emotions.face_crop(view)
            spent["crop"].append(time.perf_counter() - start)
            start = time.perf_counter()
            estimator.logits(crop[None])
            spent["network"].append(time.perf_counter() - start)
    base = float(np.median(spent["5-point fit (baseline)"]))
    for name, times in spent.items():
        median = float(np.median(times))
        print(f"  {name}: median {1000 * median:.2f} ms per face = {median / base:.2f} x the 5-point fit"
              " (machine load: trust the ratio)")


def main() -> int:
    """Choose the crop scale and fit the calibration on the tuning half; report on the held-out half."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-smiles", action="store_true", help="skip the smile photos check")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the cost measurement")
    args = parser.parse_args()
    engine = Engine(descriptor="dlib")
    estimator = emotions.EmotionEstimator(threads=1)
    labelled = {r["path"]: r["emotion"] for r in rows() if r["set"] == "lfw_emotion"}
    raw = collect(engine, estimator, sorted(labelled), SCALES)
    print(f"lfw_emotion: {len(labelled)} photos, no face found on {len(labelled) - len(raw)}")
    tune = {p: lab for p, lab in labelled.items() if p in raw and not held_out(p)}
    test = {p: lab for p, lab in labelled.items() if p in raw and held_out(p)}
    print(f"tuning half {len(tune)} ({dict(Counter(tune.values()))}); held-out half {len(test)} "
          f"({dict(Counter(test.values()))})")
    none = np.zeros(len(emotions.FER_TO_REKOGNITION))
    for scale in SCALES:
        acc, n = accuracy(tune, {p: v[scale] for p, v in raw.items()}, none)
        print(f"  tuning top-1 at crop scale {scale} (no offsets): {100 * acc:.1f} % of {n}")
    scale = max(SCALES, key=lambda s: accuracy(tune, {p: v[s] for p, v in raw.items()}, none)[0])
    chosen = {p: v[scale] for p, v in raw.items()}
    folds = [{p: lab for i, (p, lab) in enumerate(sorted(tune.items())) if i % 2 == k} for k in (0, 1)]
    cv = [accuracy(folds[1 - k], chosen, fit_offsets(folds[k], chosen))[0] for k in (0, 1)]
    plain = [accuracy(folds[1 - k], chosen, none)[0] for k in (0, 1)]
    print(f"  offsets fitted on one half of the tuning photos, scored on the other: top-1 {100 * np.mean(cv):.1f} %"
          f" (without offsets {100 * np.mean(plain):.1f} %)")
    offsets = np.round(fit_offsets(tune, chosen), 3)
    # Calibrate on shares whose offsets were fitted on the other fold: in-sample offsets look better than they are.
    shares, truth = [], []
    for k in (0, 1):
        fold_shares, fold_truth = pairs(folds[1 - k], chosen, fit_offsets(folds[k], chosen))
        shares += fold_shares
        truth += fold_truth
    cal = fit_isotonic(shares, truth)  # the default 20 quantile bins
    knots = Calibration(tuple(round(s, 4) for s in cal.scores), tuple(round(p, 4) for p in cal.probabilities))
    print(f"chosen CROP_SCALE = {scale} (module: {emotions.CROP_SCALE})")
    print(f"OFFSETS = np.array({offsets.tolist()})  # {', '.join(emotions.FER_TO_REKOGNITION)}")
    print(f"CALIBRATION = Calibration(\n    scores={knots.scores},\n    probabilities={knots.probabilities})")
    if knots != emotions.CALIBRATION or scale != emotions.CROP_SCALE or not np.array_equal(offsets, emotions.OFFSETS):
        print("NOTE: the module's constants differ from this fit; the held-out figures below use the module's.")
    module = {p: v.get(emotions.CROP_SCALE, v[scale]) for p, v in raw.items()}
    print("held-out top-1 agreement with the annotator, per label:")
    for label in sorted(set(test.values())):
        subset = {p: lab for p, lab in test.items() if lab == label}
        if label in LABELS:
            acc, n = accuracy(subset, module)
            got = Counter(top_type(module[p]) for p in subset)
            print(f"  {label:10s} -> {LABELS[label]:9s}: {100 * acc:5.1f} % of {n}  (read as {dict(got)})")
        else:
            print(f"  {label:10s} (no Rekognition type): read as {dict(Counter(top_type(module[p]) for p in subset))}")
    acc, n = accuracy(test, module)
    print(f"  all labels with a type: {100 * acc:.1f} % of {n} (the network without offsets: "
          f"{100 * accuracy(test, module, none)[0]:.1f} %)")
    tops = [(p, emotions.emotions_from_logits(module[p])[0]) for p in test if test[p] in LABELS]
    print_reliability("held-out, the first emotion's confidence", [e.confidence / 100 for _, e in tops],
                      [e.type == LABELS[test[p]] for p, e in tops])
    shares, truth = pairs(test, module)
    print_reliability("held-out, every type of every face", [emotions.CALIBRATION.probability(s) for s in shares],
                      truth)
    print(f"cost per face, one thread ({args.rounds} rounds over 20 faces):")
    cost(engine, estimator, [v for v in (face_view(engine, p) for p in sorted(test)[:20]) if v], args.rounds)
    if not args.no_smiles:
        smiles(engine, estimator)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
