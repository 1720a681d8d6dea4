"""Plain records the store returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class CollectionRecord:
    """One collection row."""

    pk: int
    account: str
    region: str
    collection_id: str
    created: float
    face_model_version: str


@dataclass(frozen=True)
class FaceRecord:
    """One stored face, without its descriptor."""

    label: int
    face_id: str
    image_id: str
    external_image_id: str | None
    left: float
    top: float
    width: float
    height: float
    confidence: float
    user_id: str | None
    model_version: str


@dataclass(frozen=True)
class NewFace:
    """A face about to be stored."""

    face_id: str
    image_id: str
    external_image_id: str | None
    left: float
    top: float
    width: float
    height: float
    confidence: float
    descriptor: Vector
    model_version: str


@dataclass(frozen=True)
class UserRecord:
    """One user vector row."""

    user_id: str
    status: str
    created: float
