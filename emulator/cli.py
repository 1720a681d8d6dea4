"""Command line: serve, import-vectors, audit, evaluate, index-folder, run-lambda."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from emulator.config import ConnectionLimits, Settings, default_data_dir
from emulator.engine.descriptor import DEFAULT_DESCRIPTOR, DESCRIPTOR_KINDS
from emulator.engine.detectors import CHOICES, DEFAULT
from emulator.engine.resolution import AWS_MIN_FACE
from emulator.identity.accounts import DEFAULT_ACCOUNT_ID
from emulator.limits import DECODE_BUDGET_PIXELS, DECODE_MAX_WAIT, MAX_FACES_PER_COLLECTION, Quotas


def _serve_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the serve command."""
    p = sub.add_parser("serve", help="run the emulator's HTTP endpoint")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=4566, help="0 picks a free port")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--data-dir", type=Path, default=None, help=f"default: {default_data_dir()}")
    where.add_argument("--in-memory", action="store_true", help="keep nothing on disk")
    p.add_argument("--accounts", type=Path, default=None, help="accounts file (TOML)")
    p.add_argument("--policy", type=Path, default=None, help="policy file (TOML); default: the 2020 moratorium")
    p.add_argument("--now", default=None, help="ISO-8601 instant the policy clock starts from")
    p.add_argument("--auth", choices=["on", "off"], default="on", help="off: accept any credentials, as moto does")
    p.add_argument("--moto-api", action="store_true",
                   help="serve moto's /moto-api/* (data.json shows every account's state and secret keys; "
                        "reset wipes every account's, the emulator's too); its recorder stays off")
    p.add_argument("--detector", choices=CHOICES, default=DEFAULT,
                   help="retinaface: CNN on onnxruntime (default); hog: dlib's HOG (frontal faces only); "
                        "mmod (alias cnn): dlib's CNN")
    p.add_argument("--descriptor", choices=DESCRIPTOR_KINDS, default=DEFAULT_DESCRIPTOR)
    p.add_argument("--descriptor-threads", type=int, default=2)
    p.add_argument("--min-face-size", type=int, default=AWS_MIN_FACE,
                   help="smallest face (px in 1920x1080, proportionally larger in larger images) to look for; "
                        "%(default)s as AWS, larger is faster")
    p.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                   help="load each model on first use instead of in the background from start-up")
    p.add_argument("--log-level", default="WARNING", type=str.upper, choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.add_argument("--max-faces-per-collection", type=int, default=MAX_FACES_PER_COLLECTION,
                   help="IndexFaces answers ServiceQuotaExceededException beyond this many faces")
    p.add_argument("--throttle-tps", type=float, default=0.0,
                   help="requests a second per account and operation before ProvisionedThroughputExceeded; 0: off")
    p.add_argument("--decode-budget-mp", type=_positive(float), default=DECODE_BUDGET_PIXELS / 1e6,
                   help="megapixels decoded at once, process-wide; other images wait for room")
    p.add_argument("--decode-max-wait", type=_positive(float), default=DECODE_MAX_WAIT,
                   help="seconds an image waits for decode room before ThrottlingException")
    p.add_argument("--video-workers", type=_positive(int), default=1,
                   help="background threads analysing stored videos (StartFaceDetection, StartFaceSearch)")
    _connection_options(p)


def _connection_options(p: argparse.ArgumentParser) -> None:
    """Add the serve options that bound connections."""
    limits = ConnectionLimits()
    p.add_argument("--workers", type=_positive(int), default=limits.workers,
                   help="request worker threads; further connections wait for one")
    p.add_argument("--read-timeout", type=_positive(float), default=limits.read_timeout,
                   help="seconds a client may pause mid-request before it is dropped")
    p.add_argument("--idle-timeout", type=_positive(float), default=limits.idle_timeout,
                   help="seconds a connection may stay open without sending a request")
    p.add_argument("--max-connections", type=_positive(int), default=limits.max_connections,
                   help="open connections; further ones wait in the listen backlog")
    p.add_argument("--shutdown-grace", type=_positive(float), default=limits.shutdown_grace,
                   help="seconds in-flight requests get to finish after SIGINT/SIGTERM")


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    """An argparse type: a number above zero."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
        return value

    return parse


def _import_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the import-vectors command."""
    p = sub.add_parser("import-vectors", help="store an N×128 float32 .npy array as faces of a collection")
    p.add_argument("file", type=Path)
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--collection-id", required=True)
    p.add_argument("--account", default=DEFAULT_ACCOUNT_ID)
    p.add_argument("--region", default="us-east-1")


def _serve(args: argparse.Namespace) -> int:
    """Run the server."""
    from emulator.app import serve

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings(
        host=args.host, port=args.port,
        data_dir=None if args.in_memory else (args.data_dir or default_data_dir()),
        accounts_file=args.accounts, policy_file=args.policy, now=args.now, auth=args.auth == "on",
        moto_api=args.moto_api,
        detector=args.detector, descriptor=args.descriptor, descriptor_threads=args.descriptor_threads,
        min_face_size=args.min_face_size, warm_up=args.warm_up,
        quotas=Quotas(faces_per_collection=args.max_faces_per_collection), throttle_tps=args.throttle_tps,
        connections=ConnectionLimits(
            workers=args.workers, read_timeout=args.read_timeout, idle_timeout=args.idle_timeout,
            max_connections=args.max_connections, shutdown_grace=args.shutdown_grace,
        ),
        decode_budget_pixels=max(1, round(args.decode_budget_mp * 1e6)), decode_max_wait=args.decode_max_wait,
        video_workers=args.video_workers,
    )
    return serve(settings)


def _import(args: argparse.Namespace) -> int:
    """Import precomputed descriptors."""
    from emulator.tools.import_vectors import import_vectors

    count, seconds = import_vectors(args.file, args.data_dir, args.collection_id, args.account, args.region)
    print(f"imported {count} faces into {args.collection_id} in {seconds:.1f} s")
    return 0


# Commands with their own argument parsers: name -> (module, function taking argv and returning an exit code).
_TOOLS = {
    "audit": ("emulator.tools.audit_log_cli", "main"),
    "evaluate": ("emulator.tools.evaluate_cli", "main"),
    "index-folder": ("emulator.tools.index_folder", "main"),
    "run-lambda": ("emulator.tools.run_lambda", "main"),
}


def _run_tool(name: str, argv: list[str]) -> int:
    """Run a command that parses its own arguments."""
    import importlib

    module_name, func_name = _TOOLS[name]
    func = getattr(importlib.import_module(module_name), func_name)
    if name == "audit":
        return int(func(argv, default_data_dir=default_data_dir()))
    return int(func(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run a command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _TOOLS:
        return _run_tool(argv[0], argv[1:])
    parser = argparse.ArgumentParser(prog="rekognition-emulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    _import_parser(sub)
    for name in _TOOLS:
        sub.add_parser(name, help=f"see: {name} --help")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _import(args)
