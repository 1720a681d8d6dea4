"""Helpers shared by the benchmark scripts: test photos at a given size, and IndexFaces throughput over boto3."""

from __future__ import annotations

import io
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageOps

from emulator.config import Settings
from emulator.engine import Engine
from tests.support import start_live_server


def photos(root: Path, limit: int, size: tuple[int, int] | None = None, long_side: int = 640) -> list[bytes]:
    """Identity photos as JPEG: cropped and scaled to exactly `size`, or scaled so the long side is `long_side`."""
    out = []
    for path in sorted(root.glob("[!_]*/*.jpg"))[:limit]:
        img = Image.open(path).convert("RGB")
        if size is not None:
            img = ImageOps.fit(img, size, Image.Resampling.BILINEAR, centering=(0.5, 0.35))
        else:
            img.thumbnail((long_side, long_side))
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=90)
        out.append(buf.getvalue())
    return out


def index_rate(engine: Engine, items: list[bytes], repeat: int, clients: int = 1) -> float:
    """IndexFaces photos per second through boto3 on a fresh server using this engine, from concurrent clients."""
    with tempfile.TemporaryDirectory() as tmp:
        live = start_live_server(Settings(port=0, data_dir=Path(tmp)), engine)
        try:
            pool = [live.client() for _ in range(clients)]
            pool[0].create_collection(CollectionId="bench-index")
            for client in pool:
                client.index_faces(CollectionId="bench-index", Image={"Bytes": items[0]}, ExternalImageId="warm")
            jobs = list(enumerate(items * repeat))

            def work(c: int) -> None:
                for i, data in jobs[c::clients]:
                    pool[c].index_faces(CollectionId="bench-index", Image={"Bytes": data}, ExternalImageId=f"x{i}")

            start = time.perf_counter()
            with ThreadPoolExecutor(clients) as ex:
                list(ex.map(work, range(clients)))
            return len(jobs) / (time.perf_counter() - start)
        finally:
            live.stop()
