"""One evaluation from parsed options to the result dict the text, HTML and JSON reports are made of."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from emulator.engine import detectors
from emulator.engine.engine import Engine
from emulator.tools.audit import attributes, figures
from emulator.tools.audit.cache import DescriptorCache, default_path
from emulator.tools.audit.describe import Described, describe_folder, settings_of
from emulator.tools.audit.photos import Groups, collect_photos, ungrouped


class EngineOnDemand:
    """Builds the engine the first time a photo is not in the cache (or returns the one given)."""

    def __init__(self, args: argparse.Namespace, engine: Engine | None) -> None:
        """Remember how to build it."""
        self._args = args
        self._engine = engine

    def __call__(self) -> Engine:
        """The engine, loaded on first use."""
        if self._engine is None:
            a = self._args
            self._engine = Engine(detector=a.detector, descriptor=a.descriptor, min_face=a.min_face)
        return self._engine


def describe(args: argparse.Namespace, engine: Engine | None, attributes_wanted: bool) -> tuple[Described, int]:
    """Describe the folder's photos through the cache; returns them and how many photos were found."""
    photos = collect_photos(args.root)
    settings = settings_of(detectors.canonical(args.detector), args.descriptor, args.min_face, args.pad)
    cache = DescriptorCache(None if args.no_cache else (args.cache or default_path()), settings)
    try:
        described = describe_folder(photos, args.root, EngineOnDemand(args, engine), cache,
                                    attributes=attributes_wanted, pad=args.pad, progress=not args.no_progress)
    finally:
        cache.close()
    return described, len(photos)


def evaluate(args: argparse.Namespace, described: Described, groups: Groups | None) -> dict[str, Any]:
    """Every figure, plus what was left out, as one JSON-ready dict."""
    group_of = groups.group_of if groups else None
    result: dict[str, Any] = {
        "root": str(args.root), "detector": detectors.canonical(args.detector), "descriptor": args.descriptor,
        "min_face": args.min_face, "pad": args.pad, "photos_found": len(described.paths) + len(described.no_face)
        + len(described.unreadable), "photos_used": len(described.paths), "from_cache": described.from_cache,
        "no_face": described.no_face, "unreadable": described.unreadable,
        "figures": figures.measure(described.identities, described.vectors, group_of, draws=args.bootstrap),
    }
    if groups is not None:
        result["ungrouped"] = ungrouped([(i, Path(p)) for i, p in zip(described.identities, described.paths,
                                                                       strict=True)], groups.group_of)
    if args.gallery_size:
        result["gallery_size"] = args.gallery_size
        result["strangers"] = figures.strangers(result["figures"], args.gallery_size)
    if groups is not None and groups.truth:
        result["attributes"] = attributes.audit(described, groups.truth, groups.group_of)
    return result
