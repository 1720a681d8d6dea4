"""onnxruntime sessions with the project's thread settings, and the on-disk cache of rebuilt models."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import onnxruntime as ort  # type: ignore[import-untyped,unused-ignore]

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path("~/.cache/rekognition-emulator")


def make_session(model: bytes, threads: int, error: type[Exception], arena: bool = True) -> ort.InferenceSession:
    """An onnxruntime CPU session: threads intra-op threads (not spinning), one inter-op thread; raises `error`.

    arena=False returns each run's buffers to the system: for inputs whose size varies (whole images), the
    arena would otherwise keep the largest image's memory for the life of the process.
    """
    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = arena
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Spinning worker threads starve concurrent work (dlib detection, other requests) on small machines.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
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
