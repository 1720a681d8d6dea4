"""One way to build onnxruntime CPU sessions, shared by every network the engine runs."""

from __future__ import annotations

import onnxruntime as ort  # type: ignore[import-untyped,unused-ignore]


def session_options(threads: int) -> ort.SessionOptions:
    """`threads` intra-op threads that do not spin, one inter-op thread, warnings only."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Spinning worker threads starve concurrent work (dlib detection, other requests) on small machines.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def cpu_session(model: bytes, threads: int) -> ort.InferenceSession:
    """A CPU session for a serialized model; its run() is thread-safe, so one is shared by all requests."""
    return ort.InferenceSession(model, session_options(threads), providers=["CPUExecutionProvider"])
