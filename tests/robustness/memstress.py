"""Memory under images that decode to 40 MP: the RSS of a `serve` child, read from /proc (scripts/stress_memory).

Images: a 6300x6300 RGBA PNG and a 6300x6300 16-bit grey PNG (flat canvases, under the 40 MP cap, each
with a shared face photo pasted in), sent as Bytes and as an S3Object on the same endpoint, one at a time
and then four at once. Peaks are the kernel's high-water mark (VmHWM, reset through clear_refs before each
step) when it can be reset, else the highest VmRSS sampled every few milliseconds.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import numpy as np
from botocore.exceptions import ClientError
from PIL import Image

from tests.photos import identities, photo
from tests.robustness.procserver import ServerProcess

SIDE = 6300
BUCKET = "stress-memory"
TARGET_RISE_MB = 600.0
TARGET_PEAK_MB = 1500.0
TARGET_RETURN_MB = 400.0


def canvases() -> tuple[bytes, bytes]:
    """The RGBA and 16-bit grey PNGs, each a SIDE x SIDE canvas with one face photo pasted at its centre."""
    face = Image.open(io.BytesIO(photo(next(iter(identities().values()))[0]))).convert("RGB")
    at = ((SIDE - face.width) // 2, (SIDE - face.height) // 2)
    rgba = Image.new("RGBA", (SIDE, SIDE), (120, 140, 160, 255))
    rgba.paste(face.convert("RGBA"), at)
    grey = np.full((SIDE, SIDE), 30000, dtype=np.uint16)
    grey[at[1]:at[1] + face.height, at[0]:at[0] + face.width] = np.asarray(face.convert("L"), dtype=np.uint16) * 257
    return _png(rgba), _png(Image.fromarray(grey))


def _png(img: Image.Image) -> bytes:
    """PNG bytes of an image."""
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class Peak:
    """Peak RSS of a process over a step: VmHWM reset through clear_refs, or sampled VmRSS as a fallback."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self._stop = threading.Event()
        self._sampled = 0.0
        self._thread: threading.Thread | None = None
        self.kernel = self._reset()

    def _reset(self) -> bool:
        """Reset the kernel's high-water mark; False when this kernel or process does not allow it."""
        try:
            Path(f"/proc/{self.server.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def __enter__(self) -> Peak:
        self.kernel = self._reset()
        self._sampled = self.server.rss_mb()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()

    def _sample(self) -> None:
        """Poll VmRSS until stopped."""
        while not self._stop.wait(0.005):
            self._sampled = max(self._sampled, self.server.rss_mb())

    @property
    def mb(self) -> float:
        """The peak in MB."""
        hwm = _status_mb(self.server.pid, "VmHWM:") if self.kernel else 0.0
        return max(hwm, self._sampled)


def _status_mb(pid: int, field: str) -> float:
    """One size field of /proc/PID/status in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def _detect(client: Any, image: dict[str, Any]) -> str:
    """Run DetectFaces; describe the answer (faces found, or the error code)."""
    try:
        faces = client.detect_faces(Image=image)["FaceDetails"]
    except ClientError as err:
        return f"{err.response['Error']['Code']} ({err.response['ResponseMetadata']['HTTPStatusCode']})"
    return f"{len(faces)} face(s)" + (f", box {_box(faces[0]['BoundingBox'])}" if faces else "")


def _box(box: dict[str, float]) -> str:
    """A bounding box, briefly."""
    return "L{Left:.3f} T{Top:.3f} W{Width:.3f} H{Height:.3f}".format(**box)


def run(server: ServerProcess, settle: float) -> tuple[list[str], bool]:
    """Run the steps against a started server; return the report lines and whether every target was met."""
    rgba, grey = canvases()
    client = server.client(read_timeout=600.0)
    s3 = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="rgba.png", Body=rgba)
    from_s3: dict[str, Any] = {"S3Object": {"Bucket": BUCKET, "Name": "rgba.png"}}
    _detect(client, {"Bytes": photo(next(iter(identities().values()))[0])})  # loads the models
    baseline = server.rss_mb()
    lines = [f"images: RGBA PNG {len(rgba) / 1e6:.2f} MB and 16-bit grey PNG {len(grey) / 1e6:.2f} MB, "
             f"{SIDE}x{SIDE} each",
             f"baseline RSS (models loaded): {baseline:.0f} MB"]
    rises: dict[str, float] = {}
    for name, image in (("RGBA PNG", {"Bytes": rgba}), ("16-bit grey PNG", {"Bytes": grey}),
                        ("RGBA PNG as S3Object", from_s3)):
        with Peak(server) as peak:
            answer = _detect(client, image)
        rises[name] = peak.mb - baseline
        lines.append(f"{name}: peak {peak.mb:.0f} MB, rise {rises[name]:.0f} MB, after {server.rss_mb():.0f} MB; "
                     f"{answer}")
    images: list[dict[str, Any]] = [{"Bytes": rgba}, {"Bytes": grey}, from_s3, {"Bytes": rgba}]
    answers = [""] * len(images)
    clients = [server.client(read_timeout=600.0) for _ in images]

    def one(i: int) -> Callable[[], None]:
        def call() -> None:
            answers[i] = _detect(clients[i], images[i])
        return call

    with Peak(server) as peak:
        threads = [threading.Thread(target=one(i)) for i in range(len(images))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    four = peak.mb
    lines.append(f"four at once: peak {four:.0f} MB; answers: {'; '.join(answers)}")
    if not server.wait_idle(quiet=settle):  # its threads idle (no CPU for `settle` s) before reading what it keeps
        lines.append(f"the server did not go idle for {settle:.1f} s within a minute")
    after = server.rss_mb()
    lines.append(f"RSS once idle for {settle:.1f} s: {after:.0f} MB, {after - baseline:+.0f} MB from baseline")
    checks = [
        (f"RGBA PNG raises RSS by < {TARGET_RISE_MB:.0f} MB", rises["RGBA PNG"] < TARGET_RISE_MB),
        (f"four at once keep the server < {TARGET_PEAK_MB:.0f} MB", four < TARGET_PEAK_MB),
        (f"RSS returns within {TARGET_RETURN_MB:.0f} MB of baseline", after - baseline < TARGET_RETURN_MB),
    ]
    lines += [f"{'PASS' if ok else 'FAIL'} {text}" for text, ok in checks]
    lines.append("peaks from " + ("VmHWM (reset per step)" if Peak(server).kernel else "VmRSS sampled every 5 ms"))
    return lines, all(ok for _, ok in checks)


def main(argv: list[str] | None = None) -> int:
    """Start a server, run the steps, print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--settle", type=float, default=2.0, help="idle seconds before the final RSS")
    parser.add_argument("serve_args", nargs="*", help="extra `serve` arguments (after --)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stress-memory-") as tmp:
        server = ServerProcess(Path(tmp) / "data", args=args.serve_args)
        server.start()
        try:
            lines, ok = run(server, args.settle)
        finally:
            server.kill()
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
