"""Hostile requests from the botocore model: near-valid and invalid params, bad JSON, bad images, sent signed."""

from __future__ import annotations

import base64
import http.client
import io
import json
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import Shape
from hypothesis import strategies as st
from PIL import Image

from emulator.ops import load_handlers
from emulator.protocol.spec import service_model
from tests.photos import photo

GENERIC_ERRORS = frozenset({
    "ValidationException", "SerializationException", "UnknownOperationException", "UnsupportedOperationException",
    "AccessDeniedException", "InvalidSignatureException", "UnrecognizedClientException",
    "MissingAuthenticationTokenException", "IncompleteSignatureException", "ProvisionedThroughputExceededException",
})
FUZZ_COLLECTION = "fuzz"
TARGET = "RekognitionService."
HUGE = 300_000  # characters of a huge string


def _png(width: int, height: int, idat: bytes) -> bytes:
    """A PNG with the given header size and IDAT payload (valid chunk CRCs)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def hostile_images() -> dict[str, bytes]:
    """Named image payloads: real, truncated, corrupt, bombs, tiny, oversized and non-images."""
    real = photo("jack_dorsey/5.jpg")
    corrupt = bytearray(real)
    for i in range(600, len(corrupt), 997):
        corrupt[i] ^= 0x5A
    small = io.BytesIO()
    Image.new("RGB", (1, 1)).save(small, "PNG")
    wide = io.BytesIO()
    Image.new("RGB", (20000, 81)).save(wide, "PNG")
    return {
        "real_jpeg": real,
        "truncated_jpeg": real[: len(real) // 3],
        "corrupt_jpeg": bytes(corrupt),
        "jpeg_magic_only": b"\xff\xd8\xff\xe0" + b"\x00" * 20,
        "png_bomb_60000": _png(60000, 60000, zlib.compress(b"\x00" * 100_000)),
        "png_bomb_huge_idat": _png(20000, 20000, zlib.compress(b"\x00" * 4_000_000, 9)),
        "truncated_png": photo("_noface/chelsea.png")[:5000],
        "tiny_png": small.getvalue(),
        "wide_png": wide.getvalue(),
        "noface_png": photo("_noface/chelsea.png"),
        "six_mb": b"\xff\xd8\xff\xe0" + b"\x00" * (6 * 1024 * 1024),
        "empty": b"",
        "text": b"hello, not an image",
    }


@dataclass
class Hints:
    """Plausible values for members whose names matter, so fuzzing reaches past the collection lookup."""

    face_ids: list[str] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=hostile_images)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _string(shape: Shape, name: str, hints: Hints) -> st.SearchStrategy[Any]:
    """Strings: enums, hinted ids, in-bounds text, and out-of-bounds ones."""
    meta = shape.metadata
    low, high = int(meta.get("min", 0)), min(int(meta.get("max", 300)), 2000)
    options: list[st.SearchStrategy[Any]] = [st.text(min_size=low, max_size=min(high, 40))]
    if shape.enum:
        options.append(st.sampled_from(list(shape.enum)))
    if name == "CollectionId":
        options += [st.just(FUZZ_COLLECTION)] * 3
    if name in ("FaceId", "SearchedFaceId") and hints.face_ids:
        options += [st.sampled_from(hints.face_ids)] * 2
    options += [st.just(""), st.just("x" * (high + 1)), st.just("é" * HUGE), st.sampled_from(["../..", "\x00", "%s"])]
    return st.one_of(options)


def _number(shape: Shape) -> st.SearchStrategy[Any]:
    """Integers and floats, in and out of the model's bounds."""
    meta = shape.metadata
    low, high = meta.get("min", -(2**31)), meta.get("max", 2**31)
    base: st.SearchStrategy[Any] = (
        st.integers(int(low), int(high)) if shape.type_name in ("integer", "long") else st.floats(low, high)
    )
    return st.one_of(base, st.sampled_from([-1, 0, 2**63, -(2**63), 1e308, float(int(high) + 1)]))


def _wrong_type() -> st.SearchStrategy[Any]:
    """A JSON value of any type, for members that expect another."""
    return st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
                     st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                          max_size=2))


def value(shape: Shape, name: str, hints: Hints, depth: int = 0) -> st.SearchStrategy[Any]:
    """A near-valid (mostly) or invalid (sometimes) JSON value for a shape."""
    t = shape.type_name
    if depth > 6:
        return _wrong_type()
    strategy: st.SearchStrategy[Any]
    if t == "structure":
        members = shape.members
        required = set(shape.required_members)
        strategy = st.fixed_dictionaries(
            {k: value(v, k, hints, depth + 1) for k, v in members.items() if k in required},
            optional={k: value(v, k, hints, depth + 1) for k, v in members.items() if k not in required},
        )
    elif t == "list":
        strategy = st.lists(value(shape.member, name, hints, depth + 1), max_size=4)
    elif t == "map":
        strategy = st.dictionaries(st.text(max_size=20), value(shape.value, name, hints, depth + 1),
                                   max_size=4)
    elif t == "blob":
        strategy = st.one_of(st.sampled_from(sorted(hints.images)).map(lambda k: _b64(hints.images[k])),
                             st.just("not base64 !!"), st.binary(max_size=64).map(_b64))
    elif t == "string":
        strategy = _string(shape, name, hints)
    elif t in ("integer", "long", "float", "double"):
        strategy = _number(shape)
    elif t == "boolean":
        strategy = st.booleans()
    else:
        strategy = st.just("2020-06-10T00:00:00Z")
    return st.sampled_from([True] * 15 + [False]).flatmap(lambda ok: strategy if ok else _wrong_type())


def _nested(depth: int) -> bytes:
    return b'{"CollectionId":' + b'{"a":[' * depth + b"1" + b"]}" * depth + b"}"


def raw_bodies() -> st.SearchStrategy[bytes]:
    """Malformed and pathological JSON bodies."""
    return st.one_of(
        st.binary(max_size=200),
        st.sampled_from([b"", b"{", b"[]", b"null", b"1", b'"x"', b"{}{}", b'{"a":NaN}', b'{"a":Infinity}',
                         b"\xff\xfe{}", b'{"CollectionId":"\xff"}', b'{"CollectionId": "a", "CollectionId": 1}']),
        st.integers(50, 100_000).map(_nested),
        st.just(b"[" * 200_000 + b"]" * 200_000),
        st.just(b'{"CollectionId":"' + b"a" * 5_000_000 + b'"}'),
    )


def requests(hints: Hints) -> st.SearchStrategy[tuple[str, bytes]]:
    """(target, body) pairs: model-driven params for every operation, raw bodies, and unknown targets."""
    model = service_model()
    served = set(load_handlers())

    def op_requests(ops: list[str]) -> st.SearchStrategy[tuple[str, bytes]]:
        return st.one_of([
            st.tuples(st.just(TARGET + op), value(model.operation_model(op).input_shape, op, hints)
                      .map(lambda params: json.dumps(params).encode()))
            for op in ops if model.operation_model(op).input_shape is not None
        ])

    ours = op_requests(sorted(served & set(model.operation_names)))
    others = op_requests(sorted(set(model.operation_names) - served))
    targets = st.one_of(st.sampled_from(sorted(TARGET + op for op in model.operation_names)),
                        st.sampled_from(["", "RekognitionService", TARGET + "Nope", "Other.IndexFaces"]))
    kinds = {"ours": ours, "others": others, "raw": st.tuples(targets, raw_bodies())}
    return st.sampled_from(["ours"] * 7 + ["others", "raw", "raw"]).flatmap(kinds.__getitem__)


def allowed_errors(target: str) -> frozenset[str]:
    """Error codes a request to ``target`` may answer: its operation's modeled errors and the generic ones."""
    model = service_model()
    op = target[len(TARGET):] if target.startswith(TARGET) else ""
    modeled = {e.name for e in model.operation_model(op).error_shapes} if op in model.operation_names else set()
    return GENERIC_ERRORS | modeled


def send(endpoint: str, target: str, body: bytes, timeout: float = 60.0) -> tuple[int, bytes]:
    """POST one SigV4-signed request; return (status, body)."""
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target:
        headers["X-Amz-Target"] = target
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials("testing", "testing"), "rekognition", "us-east-1").add_auth(request)
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        conn.request("POST", "/", body=body, headers=dict(request.headers.items()))
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def judge(target: str, status: int, body: bytes) -> str | None:
    """None when the answer is a 200 or a modeled 4xx AWS error for the target; else what is wrong."""
    if status == 200:
        return None
    if status >= 500:
        return f"{target}: HTTP {status}: {body[:300]!r}"
    try:
        code = str(json.loads(body).get("__type", "")).rsplit("#", 1)[-1]
    except (ValueError, AttributeError):
        return f"{target}: HTTP {status} with a body that is not a JSON object: {body[:200]!r}"
    if code not in allowed_errors(target):
        return f"{target}: HTTP {status} unmodeled error {code!r}: {body[:300]!r}"
    return None
