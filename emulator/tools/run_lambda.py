"""`run-lambda HANDLER.py --event EVENT.json`: call a Lambda-style handler locally and print its JSON result."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

DEFAULTS = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass
class FakeContext:
    """The parts of Lambda's context object handlers commonly use."""

    function_name: str
    timeout_ms: int = 30_000
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    log_group_name: str = ""
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the (simulated) timeout."""
        return max(0, self.timeout_ms - int((time.monotonic() - self._started) * 1000))


def _parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="rekognition-emulator run-lambda", description=__doc__)
    p.add_argument("handler", type=Path, help="path to a handler file, e.g. lambdas/index_on_upload/handler.py")
    p.add_argument("--event", required=True, help="event JSON file ('-' reads stdin)")
    p.add_argument("--function", default="handler", help="the function to call (default: handler)")
    p.add_argument("--endpoint-url", help="sets AWS_ENDPOINT_URL (e.g. http://127.0.0.1:4566)")
    p.add_argument("--env", action="append", default=[], metavar="K=V", help="environment variable (repeatable)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds reported by get_remaining_time_in_millis")
    return p


def _environment(args: argparse.Namespace) -> dict[str, str]:
    """The variables to set: defaults where unset, then --endpoint-url, then --env."""
    wanted = {k: v for k, v in DEFAULTS.items() if k not in os.environ}
    if "AWS_REGION" in os.environ:
        wanted.pop("AWS_DEFAULT_REGION", None)
    if args.endpoint_url:
        wanted["AWS_ENDPOINT_URL"] = args.endpoint_url
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--env expects K=V, got {item!r}")
        wanted[key] = value
    return wanted


@contextmanager
def _patched_environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the call, and restore them afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@contextmanager
def _on_path(folder: Path) -> Iterator[None]:
    """Put the handler's folder first on sys.path, as Lambda's task root is, for the whole invocation."""
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))


def load_handler(path: Path, function: str = "handler") -> Callable[[Any, Any], Any]:
    """Import a handler file as a fresh module and return the function (its folder must be on sys.path)."""
    path = path.resolve()
    name = f"_lambda_{path.parent.name}_{path.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    func = getattr(module, function, None)
    if not callable(func):
        raise AttributeError(f"{path} has no function {function!r}")
    return func  # type: ignore[no-any-return]


def _read_event(source: str) -> Any:
    """The event document from a file or stdin."""
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return json.loads(text)


def main(argv: list[str]) -> int:
    """Run the handler once; 0 when it returned (whatever its status), 1 when it raised, 2 on bad input."""
    args = _parser().parse_args(argv)
    try:
        event = _read_event(args.event)
        env = _environment(args)
    except (OSError, ValueError) as exc:
        print(f"run-lambda: {exc}", file=sys.stderr)
        return 2
    context = FakeContext(function_name=args.handler.resolve().parent.name, timeout_ms=int(args.timeout * 1000))
    with _patched_environ(env), _on_path(args.handler.resolve().parent):
        try:
            func = load_handler(args.handler, args.function)
        except (OSError, ImportError, AttributeError, SyntaxError) as exc:
            print(f"run-lambda: {exc}", file=sys.stderr)
            return 2
        try:
            result = func(event, context)
        except Exception as exc:  # what Lambda would report as a function error
            print(json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}, indent=2))
            return 1
    print(json.dumps(result, indent=2, default=str))
    return 0
