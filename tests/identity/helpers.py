"""Helpers shared by the identity tests: accounts, the stand-in Rekognition app, echoed identities."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from emulator.gateway.router import identity_of

ACCOUNTS_TOML = """
[[account]]
id = "111111111111"
access_key_id = "AKIAPOLICE0000000001"
secret_access_key = "police-secret"
tags = { sector = "police" }

[[account]]
id = "222222222222"
access_key_id = "AKIAACME00000000001"
secret_access_key = "acme-secret"
"""
POLICE = ("AKIAPOLICE0000000001", "police-secret", "111111111111")
ACME = ("AKIAACME00000000001", "acme-secret", "222222222222")


def stand_in_rekognition() -> Flask:
    """A tiny Rekognition stand-in: echoes the router's Identity and the body it received."""
    app = Flask("stand-in-rekognition")

    @app.post("/")
    def echo() -> Response:
        ident = identity_of(request.environ)
        payload: dict[str, Any] = {
            "CollectionIds": [json.dumps(ident.__dict__ if ident else None), request.get_data(as_text=True)],
            "FaceModelVersions": [request.environ.get("HTTP_X_MOTO_ACCOUNT_ID", "")],
        }
        return Response(json.dumps(payload), content_type="application/x-amz-json-1.1")

    return app


Serve = Callable[..., str]


def trust_policy(*principals: str) -> str:
    """A role trust policy that allows sts:AssumeRole to the given AWS principals."""
    statement = {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def make_role(serve: Serve, client: Callable[..., Any], account: str, name: str, *principals: str) -> str:
    """Create role `name` in `account` (through a server pinned to it) trusting `principals`; return its ARN."""
    iam = client("iam", serve(moto_account_override=account))
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy(*principals))["Role"]
    arn: str = role["Arn"]
    return arn


def echoed_identity(response: dict[str, Any]) -> dict[str, Any]:
    """The Identity the stand-in Rekognition app saw, from a list_collections response."""
    result: dict[str, Any] = json.loads(response["CollectionIds"][0])
    return result
