"""One way to build onnxruntime CPU sessions, shared by every network the engine runs."""

from __future__ import annotations

import onnxruntime as ort  # type: ignore[import-untyped,unused-ignore]

#: Inputs of at most this many pixels (batch x height x width) run on one thread: waking a second one costs more
#: than it gives (RetinaFace at 192x160 1.76 against 1.96 ms, CenterFace on one 96-px crop 1.38 against 1.74;
#: from 384x288 or four crops on, two threads win; scripts/bench_sessions).
SMALL_INPUT_PIXELS = 32_768


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


class SizedSessions:
    """A network's sessions: one thread for small inputs, `threads` for larger ones; thread-safe like run()."""

    def __init__(self, model: bytes, threads: int) -> None:
        """Build the session(s) for a serialized model."""
        self.large = cpu_session(model, threads)
        self.small = self.large if threads <= 1 else cpu_session(model, 1)

    def for_input(self, shape: tuple[int, ...]) -> ort.InferenceSession:
        """The session for an (N, C, H, W) input of this shape."""
        return self.small if shape[0] * shape[-2] * shape[-1] <= SMALL_INPUT_PIXELS else self.large
