"""Clustered, face-like synthetic 128-d descriptors for tests and benchmarks.

The figures imitate dlib's ResNet descriptors: components mostly within [-0.3, 0.3], norms ~0.9-1.0,
two photos of one person ~0.3-0.5 apart, two strangers ~0.8-1.0 apart. A descriptor is
``mean + centre_offset(identity) + photo_noise``, all Gaussian: with an RMS of ``CENTRE_STD`` = 0.05 and
``FACE_STD`` = 0.025 per component, same-identity distances are ~sqrt(256) * 0.025 = 0.40 and stranger
distances ~sqrt(256 * (0.05² + 0.025²)) = 0.89.

Identity centres are not isotropic: face embeddings have a low intrinsic dimension (Gong, Boddeti and
Jain, CVPR 2019, estimate 9-16 for 128-d and 512-d face representations). Centre offsets have variance
∝ 1/(i+1)^(2·decay) along random orthogonal axes; the default decay 0.5 gives a participation ratio of
~18 dimensions. ``decay=0`` is the isotropic worst case for Annoy's random-hyperplane trees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIM = 128
MEAN_STD = 0.065  # spread of the shared mean vector's components: its norm is ~0.74
CENTRE_STD = 0.05  # per-component spread of identity centres around the mean
FACE_STD = 0.025  # per-component spread of one identity's photos around its centre
DECAY = 0.5  # spectrum decay of identity centres (0: isotropic)


@dataclass(frozen=True)
class FaceSpace:
    """A population of identities: the shared mean vector and one centre per identity."""

    mean: np.ndarray  # float32 (DIM,)
    centres: np.ndarray  # float32 (n_identities, DIM)

    def photos(self, identities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return one new descriptor (float32) per entry of ``identities`` (indexes into centres)."""
        noise = rng.standard_normal((len(identities), DIM), dtype=np.float32) * np.float32(FACE_STD)
        out: np.ndarray = self.centres[identities] + noise
        return out

    def strangers(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Return ``n`` descriptors of identities not in this population."""
        other = make_space(n, rng, 0.0)
        out: np.ndarray = other.photos(np.arange(n), rng) - other.mean + self.mean
        return out


def make_space(n_identities: int, rng: np.random.Generator, decay: float = DECAY) -> FaceSpace:
    """Draw ``n_identities`` centres; the mean and axes are fixed by seed 0, like one descriptor model."""
    model = np.random.default_rng(0)
    mean = model.normal(0.0, MEAN_STD, DIM).astype(np.float32)
    axes, _ = np.linalg.qr(model.standard_normal((DIM, DIM)))
    std = (np.arange(1, DIM + 1, dtype=np.float64)) ** -decay
    std *= CENTRE_STD * np.sqrt(DIM / np.sum(std**2))
    centres = rng.standard_normal((n_identities, DIM), dtype=np.float32) * std.astype(np.float32)
    centres = centres @ axes.T.astype(np.float32)
    centres += mean
    return FaceSpace(mean=mean, centres=centres)


def face_dataset(
    n: int, seed: int = 0, faces_per_identity: float = 4.0, decay: float = DECAY
) -> tuple[FaceSpace, np.ndarray, np.ndarray]:
    """Return (space, vectors float32 n×DIM, identity int64 per vector); identities have 1..~3×mean photos."""
    rng = np.random.default_rng(seed)
    n_ids = max(1, int(round(n / faces_per_identity)))
    space = make_space(n_ids, rng, decay)
    identity = np.concatenate([np.arange(n_ids), rng.integers(0, n_ids, max(0, n - n_ids))])[:n]
    rng.shuffle(identity)
    vectors = np.empty((n, DIM), dtype=np.float32)
    chunk = 100_000
    for start in range(0, n, chunk):
        vectors[start : start + chunk] = space.photos(identity[start : start + chunk], rng)
    return space, vectors, identity.astype(np.int64)
