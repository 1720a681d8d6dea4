"""An emulator server in a child process (`python -m emulator serve`), for kill, signal and memory tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"listening on (http://\S+)")


class ServerProcess:
    """One `serve` child process on a free port, with its output in a log file next to the data dir."""

    def __init__(self, data_dir: Path, args: Sequence[str] = (), env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.args = list(args)
        self.env = {**os.environ, **(env or {})}
        self.log_path = data_dir.parent / f"{data_dir.name}.server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.endpoint = ""

    def start(self, timeout: float = 60.0) -> str:
        """Start the server and return its endpoint once it prints its listening line."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it; closed below
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "emulator", "serve", "--port", "0", "--data-dir", str(self.data_dir),
                 *self.args],
                cwd=REPO, env=self.env, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as fh:
                fh.seek(offset)
                m = _LISTENING.search(fh.read().decode("utf-8", "replace"))
            if m:
                self.endpoint = m[1]
                return self.endpoint
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.tail()}")
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"server did not start in {timeout} s:\n{self.tail()}")

    @property
    def pid(self) -> int:
        """The child's process id."""
        assert self.proc is not None
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL the server and reap it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def terminate(self) -> None:
        """Send SIGTERM (the server finishes in-flight requests, then exits)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        """Wait for the server to exit and return its exit code."""
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def alive(self) -> bool:
        """Tell whether the child is still running."""
        return self.proc is not None and self.proc.poll() is None

    def rss_mb(self) -> float:
        """The child's resident set size in MB (from /proc)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the child has used so far, from /proc."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_busy(self, cpu: float, timeout: float = 120.0) -> bool:
        """Wait until the child has used `cpu` more CPU seconds than now (it is working); False at the deadline."""
        target, deadline = self.cpu_seconds() + cpu, time.monotonic() + timeout
        while self.cpu_seconds() < target:
            if time.monotonic() > deadline or not self.alive():
                return False
            time.sleep(0.02)
        return True

    def wait_idle(self, quiet: float = 0.5, timeout: float = 60.0) -> bool:
        """Wait until the child uses no CPU for `quiet` seconds (its threads idle); False at the deadline."""
        deadline = time.monotonic() + timeout
        last, since = self.cpu_seconds(), time.monotonic()
        while time.monotonic() - since < quiet:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
            now = self.cpu_seconds()
            if now > last + 0.01:  # one clock tick of work restarts the quiet period
                last, since = now, time.monotonic()
        return True

    def tail(self, lines: int = 30) -> str:
        """The last lines of the server's log."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def client(self, read_timeout: float = 120.0, **kw: Any) -> Any:
        """A boto3 Rekognition client without retries, for this server."""
        return boto3.client(
            "rekognition", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                          read_timeout=read_timeout), **kw,
        )
