"""onnxruntime sessions with the project's thread settings, and the on-disk cache of rebuilt models."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import onnxruntime as ort  # type: ignore[import-untyped,unused-ignore]

from emulator.engine.ort_session import session_options

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path("~/.cache/rekognition-emulator")


def make_session(model: bytes, threads: int, error: type[Exception], arena: bool = True) -> ort.InferenceSession:
    """An onnxruntime CPU session: threads intra-op threads (not spinning), one inter-op thread; raises `error`.

    arena=False returns each run's buffers to the system: for inputs whose size varies (whole images), the
    arena would otherwise keep the largest image's memory for the life of the process.
    """
    options = session_options(threads)
    options.enable_cpu_mem_arena = arena
    try:
        return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise error(f"onnxruntime cannot load the model: {exc!r}") from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path through a temporary file in the same folder and os.replace; log (not raise) failures."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("cannot cache the ONNX model at %s: %s", path, exc)
