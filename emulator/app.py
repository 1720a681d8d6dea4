"""Wiring: settings to a ready WSGI application and the services behind it."""

from __future__ import annotations

import functools
import logging
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from emulator import moto_bridge
from emulator.config import INDEX_DIR, TOKEN_SECRET_FILE, VIDEO_DIR, Settings
from emulator.engine.models import ModelNotFound
from emulator.gateway.pipeline import RekognitionApp
from emulator.gateway.router import AwsRouter
from emulator.gateway.server import run_server
from emulator.identity.accounts import load_accounts
from emulator.index import IndexRegistry
from emulator.limits import DecodeBudget, Throttle
from emulator.ops.pagination import TokenCodec, persistent_secret
from emulator.ops.runtime import Runtime
from emulator.policy.audit_log import AuditLog, audit_path
from emulator.policy.clock import PolicyClock
from emulator.policy.rules import load_policy
from emulator.policy.tag_views import tags_reader
from emulator.protocol import operation_names
from emulator.store import Store, StoreVersionError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from emulator.engine import Engine



@dataclass
class Emulator:
    """A running emulator's WSGI entry point and the services it owns."""

    wsgi: WSGIApplication
    runtime: Runtime
    settings: Settings
    audit: AuditLog
    throttle: Throttle | None = None

    def reset(self) -> None:
        """Forget every account's Rekognition state (what POST /moto-api/reset also does with --moto-api)."""
        _reset_state(self.runtime, self.throttle)

    def warm_up(self) -> threading.Thread:
        """Create the engine and run each of its models once, in a daemon thread; requests wait only for the rest."""
        thread = threading.Thread(target=_warm, args=(self.runtime,), name="model-warm-up", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Release the store and the audit log, and stop background index work."""
        self.runtime.close()
        self.audit.close()


def _warm(runtime: Runtime) -> None:
    """Load and run every model once; a failure is logged (the request that needs the model will report it)."""
    started = time.perf_counter()
    try:
        runtime.engine.warm()
    except Exception:  # noqa: BLE001 - a background thread must not die silently, nor take the server down
        log.exception("model warm-up failed")
        return
    log.info("models warm in %.1f s", time.perf_counter() - started)


def _reset_state(runtime: Runtime, throttle: Throttle | None) -> None:
    """Forget every account's collections, faces, users, indexes, idempotency records, cursors and throttling.

    The policy audit log is kept: it records decisions, it is not state requests can read back.
    """
    runtime.reset()
    if throttle is not None:
        throttle.reset()


def _engine_factory(settings: Settings) -> Engine:
    """Create the face engine the settings ask for."""
    from emulator.engine import Engine

    cache = settings.data_dir / "models" if settings.data_dir is not None else None
    return Engine(detector=settings.detector, descriptor=settings.descriptor, cache_dir=cache,
                  threads=settings.descriptor_threads, min_face=settings.min_face_size)


def _organization_tags(account: str) -> Mapping[str, str]:
    """The account's Organizations tags, looked up through the moto bridge at each call."""
    return moto_bridge.organization_tags(account)


def build_runtime(settings: Settings, engine: Engine | None = None) -> Runtime:
    """Open the store and index registry for the settings' data dir (an engine may be shared in).

    Index files of collections the store no longer has are removed (a crash can leave them), and NextTokens
    are signed with the data dir's own secret, so that they outlive a restart.
    """
    data_dir: Path | None = settings.data_dir
    store = Store(data_dir)
    try:
        indexes = IndexRegistry(data_dir / INDEX_DIR if data_dir is not None else None, settings.index_params)
        indexes.sweep(str(collection.pk) for collection in store.collections.all())
        secret = persistent_secret(data_dir / TOKEN_SECRET_FILE) if data_dir is not None else None
    except BaseException:
        store.close()
        raise
    runtime = Runtime(
        store=store,
        indexes=indexes,
        engine_factory=(lambda: engine) if engine is not None else (lambda: _engine_factory(settings)),
        s3_reader=moto_bridge.read_s3_object,
        tokens=TokenCodec(secret),
        quotas=settings.quotas,
        decode_budget=DecodeBudget(settings.decode_budget_pixels, settings.decode_max_wait),
        video_reader=moto_bridge.copy_s3_object, publisher=moto_bridge.publish_to_topic,
    )
    _start_video_jobs(runtime, settings)
    return runtime


def _start_video_jobs(runtime: Runtime, settings: Settings) -> None:
    """Give the runtime its stored-video job pool and resume the jobs a previous run left unfinished."""
    from emulator.ops.video.jobs import VideoJobs

    scratch = settings.data_dir / VIDEO_DIR if settings.data_dir is not None else None
    try:
        runtime.video = VideoJobs(runtime, workers=settings.video_workers, scratch=scratch)
        runtime.video.start()
    except BaseException:
        runtime.close()
        raise


def create_app(settings: Settings, engine: Engine | None = None) -> Emulator:
    """Build the whole emulator for one set of settings."""
    accounts = load_accounts(settings.accounts_file)
    clock = PolicyClock.from_text(settings.now)
    rules = load_policy(settings.policy_file, known_operations=operation_names())
    if engine is None:  # the engine loads on first use: find a missing model file now, at start-up
        from emulator.engine.attributes.registry import check_model_files as check_attribute_models
        from emulator.engine.detectors import check_model_files

        check_model_files(settings.detector)
        check_attribute_models()
    runtime = build_runtime(settings, engine)  # opened last: a bad file above leaves nothing open
    audit = AuditLog(audit_path(settings.data_dir) if settings.data_dir is not None else None)
    throttle = Throttle(settings.throttle_tps) if settings.throttle_tps > 0 else None
    rekognition = RekognitionApp(runtime, rules=rules, clock=clock.now, audit=audit,
                                 tags_of=tags_reader(accounts.tags_of, _organization_tags), throttle=throttle)
    # With --moto-api, POST /moto-api/reset resets moto and then this emulator's state: one reset for a test suite.
    router = AwsRouter(rekognition, accounts, auth=settings.auth,
                       moto_account_override=settings.moto_account_override,
                       moto_api=settings.moto_api, on_moto_reset=functools.partial(_reset_state, runtime, throttle))
    return Emulator(router, runtime, settings, audit, throttle)


def serve(settings: Settings) -> int:
    """Build the emulator and serve it until SIGINT or SIGTERM; 2 when a file, the data dir or a model is bad."""
    try:
        emulator = create_app(settings)
    except (ValueError, StoreVersionError, ModelNotFound) as err:  # bad files, data dir or model: named
        print(f"rekognition-emulator: {err}", file=sys.stderr)
        return 2
    return run_server(emulator)
