"""Command line: serve, import-vectors, audit, evaluate, index-folder, run-lambda."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from emulator.config import Settings, default_data_dir
from emulator.identity.accounts import DEFAULT_ACCOUNT_ID
from emulator.limits import MAX_FACES_PER_COLLECTION, Quotas


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
    p.add_argument("--detector", choices=["hog", "mmod", "cnn"], default="hog",
                   help="hog: dlib's HOG; mmod: dlib's CNN face detector on onnxruntime (cnn: same, old name)")
    p.add_argument("--descriptor", choices=["onnx", "dlib"], default="onnx")
    p.add_argument("--descriptor-threads", type=int, default=2)
    p.add_argument("--min-face-size", type=int, default=40,
                   help="smallest face (px in 1920x1080) to look for; 40 as AWS (upsamples), 80 is faster")
    p.add_argument("--log-level", default="WARNING", type=str.upper, choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.add_argument("--max-faces-per-collection", type=int, default=MAX_FACES_PER_COLLECTION,
                   help="IndexFaces answers ServiceQuotaExceededException beyond this many faces")
    p.add_argument("--throttle-tps", type=float, default=0.0,
                   help="requests a second per account and operation before ProvisionedThroughputExceeded; 0: off")


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
    from emulator.gateway.server import serve

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings(
        host=args.host, port=args.port,
        data_dir=None if args.in_memory else (args.data_dir or default_data_dir()),
        accounts_file=args.accounts, policy_file=args.policy, now=args.now, auth=args.auth == "on",
        detector=args.detector, descriptor=args.descriptor, descriptor_threads=args.descriptor_threads,
        min_face_size=args.min_face_size,
        quotas=Quotas(faces_per_collection=args.max_faces_per_collection), throttle_tps=args.throttle_tps,
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
    "audit": ("emulator.policy.audit", "audit_main"),
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
