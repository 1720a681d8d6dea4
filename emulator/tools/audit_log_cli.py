"""``python -m emulator audit``: print the policy decisions recorded in a data directory's audit log."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from emulator.policy.audit_log import AUDIT_FILE, DECISIONS, passes, scan
from emulator.policy.clock import parse_instant


def format_entry(entry: dict[str, Any]) -> str:
    """Format an entry as one readable, column-aligned line."""
    return "  ".join(
        [
            f"{entry.get('time', '?'):<24}",
            f"{entry.get('decision', '?'):<5}",
            f"{entry.get('account', '?'):<12}",
            f"{entry.get('operation', '?'):<20}",
            f"{entry.get('rule') or '-':<24}",
            str(entry.get("request_id", "")),
        ]
    ).rstrip()


def _instant_arg(text: str) -> datetime:
    """Parse an ISO-8601 command-line argument."""
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser(default_data_dir: Path | None) -> argparse.ArgumentParser:
    """Build the ``audit`` command's argument parser."""
    parser = argparse.ArgumentParser(
        prog="rekognition-emulator audit", description="Show the policy decisions recorded in the audit log."
    )
    where = f"the server's data directory, holding {AUDIT_FILE}"
    parser.add_argument(
        "--data-dir", type=Path, default=default_data_dir, required=default_data_dir is None, help=where
    )
    parser.add_argument("--account", help="only this account id")
    parser.add_argument("--decision", choices=DECISIONS, help="only allowed or only denied requests")
    parser.add_argument("--since", type=_instant_arg, help="only entries at or after this ISO-8601 instant")
    parser.add_argument("--until", type=_instant_arg, help="only entries before this ISO-8601 instant")
    parser.add_argument("--json", action="store_true", help="print raw JSON lines")
    return parser


def main(argv: list[str], *, default_data_dir: Path | None = None) -> int:
    """Run the ``audit`` command: print the entries of DIR/audit.jsonl that pass the filters."""
    try:
        args = _parser(default_data_dir).parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    out, skipped = sys.stdout, 0
    try:
        for entry, torn in scan(args.data_dir):
            if entry is None:
                skipped += 0 if torn else 1
                continue
            if passes(entry, args.account, args.decision, args.since, args.until):
                out.write(
                    (json.dumps(entry, separators=(",", ":")) if args.json else format_entry(entry)) + "\n"
                )
        out.flush()
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except OSError as exc:
        print(f"audit: cannot read {args.data_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if skipped:
        print(f"audit: skipped {skipped} unreadable line(s)", file=sys.stderr)
    return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null after the reader went away, so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
