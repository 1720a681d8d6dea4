"""Pixel measures on face-mesh regions, relative to the same face's own skin: the accessories' features.

The face is first resampled into a canonical frame (canonical_face): eye line level, the outer eye corners
(mesh points 33 and 263) EYE_SPAN pixels apart, their midpoint at EYE_MID, on a CANVAS-sized grey image.
A region is a list of mesh points; its pixels are the (2 RADIUS + 1)-px squares around those points in that
frame. Every measure is taken against the skin of the same face (the forehead and the upper cheeks, which
beards, masks and glasses leave bare), so a dark or a light skin moves the reference along with the
region and does not decide the answer:
- darkness: log of the skin's median luminance over the region's (0 when alike, > 0 darker);
- texture: log of the region's mean gradient magnitude over the skin's (edges, hair; < 0 smoother);
- chroma: distance of the region's median (Cb, Cr) from the skin's, over the skin's own chroma spread;
- desaturation: how much less coloured than the skin the region is (hair, lenses), in the same unit;
- skin-like: share of the region's pixels whose colour is within the skin's spread of the skin's;
- spread: luminance standard deviation over the skin's median luminance;
- line: the strongest straight edge of one sign across a box (a frame's rim or bridge).
Chroma is measured in units of the skin's own spread, not over its luminance, so dark skin is not made to
look "less like skin" by a smaller denominator (that version put FaceOccluded on 47 % of Black women in
fairface, 26 % of White women).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

#: Canonical frame: canvas (width, height), outer-eye-corner span and their midpoint, in pixels.
CANVAS = (128, 160)
EYE_SPAN = 56.0
EYE_MID = (64.0, 58.0)
#: Half-side of the square sampled around each region point.
RADIUS = 4
EYE_OUTER = (33, 263)
#: ITU-R 601 luma and chroma rows.
_YCC = np.array([[0.299, 0.587, 0.114], [-0.1687, -0.3313, 0.5], [0.5, -0.4187, -0.0813]], dtype=np.float32)

# Mesh regions (MediaPipe's 468-point topology), each symmetric: a point's mirror image is in the same list.
FOREHEAD = (10, 151, 9, 109, 338, 108, 337, 67, 297, 69, 299, 104, 333, 103, 332)
UPPER_CHEEKS = (116, 345, 117, 346, 118, 347, 119, 348, 100, 329, 101, 330, 50, 280, 36, 266)
EYES = (33, 263, 133, 362, 159, 386, 145, 374, 158, 385, 153, 380, 160, 387, 144, 373, 27, 257,
        23, 253, 130, 359, 243, 463)
BRIDGE = (168, 6, 197, 122, 351, 193, 417, 245, 465)
UNDER_EYES = (230, 450, 229, 449, 231, 451, 228, 448, 232, 452, 111, 340, 31, 261)
UPPER_LIP = (164, 167, 393, 165, 391, 92, 322, 39, 269, 37, 267, 0, 40, 270, 186, 410)
CHIN = (175, 199, 200, 18, 83, 313, 201, 421, 208, 428, 32, 262, 171, 396, 194, 418)
JAW = (172, 397, 136, 365, 150, 379, 58, 288, 135, 364, 169, 394, 214, 434, 212, 432, 202, 422)
NOSE = (1, 4, 5, 2, 19, 94, 45, 275, 44, 274, 48, 278, 98, 327)


@dataclass(frozen=True)
class Canonical:
    """A face in the canonical frame: the (H, W, 3) float32 RGB crop and the mesh's (468, 2) points in it."""

    pixels: np.ndarray
    points: np.ndarray


def canonical_face(image: np.ndarray, mesh: np.ndarray) -> Canonical:
    """Resample the face into the canonical frame (pre-reduced by a whole factor when it is much larger)."""
    pts = np.asarray(mesh, dtype=np.float64)[:, :2]
    left, right = pts[EYE_OUTER[0]], pts[EYE_OUTER[1]]
    span = max(float(np.hypot(*(right - left))), 1e-3)
    angle = math.atan2(right[1] - left[1], right[0] - left[0])
    scale = EYE_SPAN / span  # canonical px per image px
    reduce = max(1, int(1.0 / scale))  # shrink by a whole factor first: bilinear sampling alone would alias
    region = _bounds(pts, span, image.shape)
    crop = Image.fromarray(np.ascontiguousarray(image[region[1]:region[3], region[0]:region[2]]))
    if reduce > 1:
        crop = crop.reduce(reduce)
    origin = np.array(region[:2], dtype=np.float64)
    # Canonical (u, v) -> crop (x, y): rotate by angle, scale by 1 / scale, about the eye midpoint.
    mid = (left + right) / 2.0
    cos, sin = math.cos(angle) / scale / reduce, math.sin(angle) / scale / reduce
    cx, cy = (mid - origin) / reduce
    u0, v0 = EYE_MID
    coeffs = (cos, -sin, cx - cos * u0 + sin * v0, sin, cos, cy - sin * u0 - cos * v0)
    out = crop.transform(CANVAS, Image.Transform.AFFINE, coeffs, resample=Image.Resampling.BILINEAR,
                         fillcolor=(128, 128, 128))
    c, s = math.cos(-angle) * scale, math.sin(-angle) * scale
    rel = pts - mid
    points = np.stack([c * rel[:, 0] - s * rel[:, 1] + u0, s * rel[:, 0] + c * rel[:, 1] + v0], axis=1)
    return Canonical(np.asarray(out, dtype=np.float32), points)


def _bounds(pts: np.ndarray, span: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The image window (left, top, right, bottom) holding the mesh plus a margin, clipped to the image."""
    lo = np.floor(pts.min(axis=0) - 0.3 * span).astype(int)
    hi = np.ceil(pts.max(axis=0) + 0.3 * span).astype(int)
    h, w = shape[:2]
    left, top = int(np.clip(lo[0], 0, w - 1)), int(np.clip(lo[1], 0, h - 1))
    return left, top, int(np.clip(hi[0], left + 1, w)), int(np.clip(hi[1], top + 1, h))


class Measures:
    """Luminance, chroma and gradient maps of one canonical face, and the per-region measures on them."""

    def __init__(self, face: Canonical) -> None:
        """Convert the crop to Y, Cb, Cr and the gradient magnitude; measure the skin reference."""
        ycc = face.pixels @ _YCC.T
        self.luma, self.chroma = ycc[..., 0], ycc[..., 1:]
        gradients = np.gradient(self.luma)
        self.gy_signed: np.ndarray = gradients[0]
        self.grad = np.hypot(gradients[1], self.gy_signed)
        self.gy = np.abs(self.gy_signed)
        self.points = face.points
        self._masks: dict[tuple[int, ...], np.ndarray] = {}
        skin = self.mask(FOREHEAD + UPPER_CHEEKS)
        self.skin_luma = max(float(np.median(self.luma[skin])), 1.0)
        self.skin_chroma = np.median(self.chroma[skin], axis=0)
        spread = np.hypot(*(self.chroma[skin] - self.skin_chroma).T)
        self.skin_spread = max(float(np.percentile(spread, 90)), 2.0)
        self.skin_grad = max(float(np.mean(self.grad[skin])), 0.05)

    def mask(self, region: tuple[int, ...]) -> np.ndarray:
        """Boolean (H, W) mask of the squares around the region's points (clipped to the canvas), made once."""
        if region in self._masks:
            return self._masks[region]
        h, w = self.luma.shape
        seeds = np.zeros((h + 2 * RADIUS + 1, w + 2 * RADIUS + 1), dtype=np.int32)
        xy = np.rint(self.points[list(region)]).astype(int) + RADIUS + 1
        inside = (xy[:, 0] >= 1) & (xy[:, 0] < w + 2 * RADIUS + 1) & (xy[:, 1] >= 1) & (xy[:, 1] < h + 2 * RADIUS + 1)
        seeds[xy[inside, 1], xy[inside, 0]] = 1
        # A (2 RADIUS + 1)-square box sum of the seeds, by summed-area table: > 0 where a point is near.
        table = seeds.cumsum(axis=0).cumsum(axis=1)
        k = 2 * RADIUS + 1
        box = table[k:, k:] - table[:-k, k:] - table[k:, :-k] + table[:-k, :-k]
        out: np.ndarray = box[:h, :w] > 0
        if not out.any():
            out[h // 2, w // 2] = True
        self._masks[region] = out
        return out

    def darkness(self, region: tuple[int, ...]) -> float:
        """log(skin median luminance / region median luminance)."""
        return math.log(self.skin_luma / max(float(np.median(self.luma[self.mask(region)])), 1.0))

    def texture(self, region: tuple[int, ...]) -> float:
        """log(region mean gradient / skin mean gradient)."""
        return math.log(max(float(np.mean(self.grad[self.mask(region)])), 0.05) / self.skin_grad)

    def horizontal_edges(self, region: tuple[int, ...]) -> float:
        """log(region mean |d luminance / dy| / skin mean gradient): horizontal lines such as frame rims."""
        return math.log(max(float(np.mean(self.gy[self.mask(region)])), 0.05) / self.skin_grad)

    def chroma_shift(self, region: tuple[int, ...]) -> float:
        """|region median (Cb, Cr) - skin's| over the skin's own chroma spread (its 90th percentile)."""
        shift = np.median(self.chroma[self.mask(region)], axis=0) - self.skin_chroma
        return float(np.hypot(*shift)) / self.skin_spread

    def desaturation(self, region: tuple[int, ...]) -> float:
        """How much less saturated the region is than the skin, over the skin's chroma spread (hair, lenses)."""
        region_chroma = float(np.hypot(*np.median(self.chroma[self.mask(region)], axis=0)))
        return (float(np.hypot(*self.skin_chroma)) - region_chroma) / self.skin_spread

    def spread(self, region: tuple[int, ...]) -> float:
        """Standard deviation of the region's luminance over the skin's median luminance (lenses are flat)."""
        return float(np.std(self.luma[self.mask(region)])) / self.skin_luma

    def line(self, x0: float, x1: float, y0: float, y1: float) -> float:
        """Strongest horizontal edge across a box: max over its rows of |mean signed d/dy| / skin's gradient.

        A frame's rim or bridge is an edge of one sign all along the box; skin, wrinkles and hair average out.
        """
        h, w = self.luma.shape
        xa, xb = int(np.clip(round(x0), 0, w - 2)), int(np.clip(round(x1), 1, w - 1))
        ya, yb = int(np.clip(round(y0), 0, h - 2)), int(np.clip(round(y1), 1, h - 1))
        if xb <= xa or yb <= ya:
            return 0.0
        profile = np.abs(self.gy_signed[ya:yb, xa:xb].mean(axis=1))
        return float(profile.max()) / self.skin_grad

    def skin_like(self, region: tuple[int, ...]) -> float:
        """Share of the region's pixels whose (Cb, Cr) lies within the skin's own 90th-percentile spread."""
        d = np.hypot(*(self.chroma[self.mask(region)] - self.skin_chroma).T)
        return float(np.mean(d <= self.skin_spread))


def features(face: Canonical) -> dict[str, float]:
    """Every accessory feature of one canonical face, by name (accessories.FIELDS says which field reads which)."""
    m = Measures(face)
    p = face.points
    eye_y = float(p[list(EYE_OUTER), 1].mean())
    below = max(float(p[145, 1]), float(p[374, 1])) + 2  # just under the lower eyelids
    rims = (m.line(p[33, 0], p[133, 0], below, below + 0.35 * EYE_SPAN)
            + m.line(p[362, 0], p[263, 0], below, below + 0.35 * EYE_SPAN)) / 2.0
    return {
        # eyes: glasses and sunglasses
        "bridge_edges": m.horizontal_edges(BRIDGE),  # a frame's bridge: horizontal edges across the nose top
        "bridge_line": m.line(p[133, 0] + 2, p[362, 0] - 2, eye_y - 0.3 * EYE_SPAN, eye_y + 0.1 * EYE_SPAN),
        "rim_line": rims,  # the lower rims: one straight edge under each eye
        "eye_spread": m.spread(EYES),  # bare eyes: sclera, iris and lashes; lenses flatten them (and glare)
        "eye_texture": m.texture(EYES),  # lenses hide lids, lashes and iris edges
        "under_dark": m.darkness(UNDER_EYES),  # sunglasses' lenses reach below the eyes, where skin was
        # mouth and chin: mustache and beard
        "lip_dark": m.darkness(UPPER_LIP),  # hair between the nose and the mouth
        "lip_desat": m.desaturation(UPPER_LIP),  # hair is greyer than skin
        "jaw_dark": m.darkness(JAW),  # hair along the jaw and lower cheeks
        "chin_texture": m.texture(CHIN),  # stubble and beard hair
        "lower_skin": m.skin_like(NOSE + UPPER_LIP + CHIN + JAW),  # share of lower-face pixels of skin colour
        # occlusion: masks, hands
        "lower_chroma": m.chroma_shift(NOSE + UPPER_LIP + CHIN),  # nose, lip and chin not the skin's colour
        "lower_texture": m.texture(NOSE + UPPER_LIP + CHIN),  # a mask is smoother than nostrils and lips
        "jaw_texture": m.texture(JAW),
    }
