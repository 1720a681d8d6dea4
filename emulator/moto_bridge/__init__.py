"""The only package that touches moto internals: dispatch to its WSGI app, S3 objects, SNS, Organizations tags, IAM/STS.

Every read of moto state takes MOTO_LOCK (moto is not thread-safe). Modules: ``common`` (the lock and the app),
``dispatch`` (one request into moto, which backend a request is for), ``s3`` (account isolation, object reads
and copies), ``sns`` (publishing to a topic), ``organizations`` (account tags), ``iam`` (minted keys, roles,
callers, session keys), ``sts`` (STS requests read as moto reads them).
"""

from __future__ import annotations

from emulator.moto_bridge.common import MOTO_LOCK, moto_wsgi_app
from emulator.moto_bridge.dispatch import (
    call_moto,
    dispatched_service,
    moto_api_path,
    request_handler_class,
    reset_moto,
)
from emulator.moto_bridge.iam import caller_arn, issue_session_credentials, minted_key, role_account, role_trust_policy
from emulator.moto_bridge.organizations import OrganizationTagsUnavailable, organization_tags
from emulator.moto_bridge.s3 import copy_s3_object, read_s3_object
from emulator.moto_bridge.sns import TopicUnavailable, publish_to_topic
from emulator.moto_bridge.sts import StsCall, sts_call
from emulator.s3_objects import S3ObjectTooLarge, S3ObjectUnavailable

__all__ = [
    "MOTO_LOCK",
    "OrganizationTagsUnavailable",
    "S3ObjectTooLarge",
    "S3ObjectUnavailable",
    "StsCall",
    "TopicUnavailable",
    "call_moto",
    "caller_arn",
    "copy_s3_object",
    "dispatched_service",
    "issue_session_credentials",
    "minted_key",
    "moto_api_path",
    "moto_wsgi_app",
    "organization_tags",
    "publish_to_topic",
    "read_s3_object",
    "request_handler_class",
    "reset_moto",
    "role_account",
    "role_trust_policy",
    "sts_call",
]
