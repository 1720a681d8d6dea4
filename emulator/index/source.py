"""The protocol through which the store hands the index its vectors; the index imports no other layer."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class VectorSource(Protocol):
    """Read access to one collection's committed faces, keyed by int64 labels (store row ids, never reused).

    Methods may be called from the index's background rebuild thread as well as the caller's.
    """

    def live_labels(self, upto: int) -> np.ndarray:
        """Return the int64 labels of live (not deleted) faces with label <= upto."""
        ...

    def vectors_after(self, after: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (labels int64, vectors float32 N×128) of live faces with label > after, ascending."""
        ...
