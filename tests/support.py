"""Test helpers: a real emulator server on a free port, and boto3 clients for it."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from werkzeug.serving import BaseWSGIServer

from emulator.app import Emulator, create_app
from emulator.config import Settings
from emulator.engine import Engine
from emulator.gateway.server import start_server


@dataclass
class LiveServer:
    """An emulator serving HTTP in a background thread."""

    emulator: Emulator
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def endpoint(self) -> str:
        """Return the base URL."""
        host, port = str(self.server.host), int(self.server.port)
        return f"http://{host}:{port}"

    def client(self, service: str = "rekognition", region: str = "us-east-1", key: str = "testing",
               secret: str = "testing", **kw: Any) -> Any:
        """Return a boto3 client for this server."""
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region, aws_access_key_id=key,
                            aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1, "mode": "standard"}), **kw)

    def stop(self) -> None:
        """Shut the server down and release its store."""
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        self.emulator.close()


def start_live_server(settings: Settings, engine: Engine | None = None) -> LiveServer:
    """Start an emulator on a free port."""
    emulator = create_app(settings, engine)
    server = start_server(emulator, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return LiveServer(emulator, server, thread)


def signed_post(
    endpoint: str, body: bytes, target: str | None = "RekognitionService.ListCollections",
    content_type: str = "application/x-amz-json-1.1", region: str = "us-east-1",
) -> tuple[int, dict[str, Any]]:
    """POST a raw body signed with the default credentials; return (status, parsed JSON body)."""
    import json
    import urllib.error
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials("testing", "testing"), "rekognition", region).add_auth(request)
    raw = urllib.request.Request(endpoint + "/", data=body, method="POST", headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(raw, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        with err:  # an HTTPError holds the response: closing it closes the connection
            return err.code, json.loads(err.read() or b"{}")
