"""``python -m emulator index-folder``: index a folder (or s3://bucket/prefix) of photos into a collection.

Photos (.jpg, .jpeg, .png, found recursively; hidden files skipped) go to IndexFaces through the public
API with boto3, several at a time.  Credentials, region and endpoint are found the standard boto3 way
(environment, ~/.aws), or given with --endpoint-url / --region; AWS_ENDPOINT_URL works too.
ExternalImageId is the photo's path below DIR, sanitised (see emulator.tools.external_ids).
A re-run skips photos already indexed (see emulator.tools.index_state); the server also never stores
the same image twice under the same ExternalImageId.  Exit code: 0 when every photo was indexed, had
been already, or had no face to index; 1 when any photo failed (bad format, too large, an error);
2 for a usage problem (no such folder or collection).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from tqdm import tqdm

from emulator.protocol.spec import service_model
from emulator.tools.index_runner import format_summary, index_one, run
from emulator.tools.index_sources import Photo, local_photos, parse_s3_url, s3_photos
from emulator.tools.index_state import IndexState, default_state_path

#: The model's QualityFilter values (botocore's, as the client sends them; no engine load for a client tool).
QUALITY_FILTERS = tuple(service_model().shape_for("QualityFilter").enum)


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(prog="python -m emulator index-folder", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", metavar="DIR", help="a folder of photos, or s3://bucket/prefix on the endpoint")
    p.add_argument("--collection-id", required=True)
    p.add_argument("--endpoint-url", default=None, help="default: AWS_ENDPOINT_URL or boto3's configuration")
    p.add_argument("--region", default=None, help="default: boto3's configuration, else us-east-1")
    p.add_argument("--workers", type=int, default=4, help="photos indexed in parallel (default 4)")
    p.add_argument("--create", action="store_true", help="create the collection if it does not exist")
    p.add_argument("--quality-filter", choices=QUALITY_FILTERS, default=None,
                   help="IndexFaces QualityFilter (default: the API's, AUTO)")
    p.add_argument("--state", type=Path, default=None,
                   help="resume file (default: one per endpoint+collection+source in ~/.cache/rekognition-emulator)")
    p.add_argument("--fresh", action="store_true", help="ignore the resume file: send every photo again")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def clients(args: argparse.Namespace) -> tuple[Any, Any]:
    """Rekognition and S3 clients built the standard boto3 way, with room for the worker threads."""
    session = boto3.Session(region_name=args.region)
    region = session.region_name or "us-east-1"
    config = Config(max_pool_connections=max(10, args.workers + 2), retries={"mode": "standard"})
    make = session.client
    return (make("rekognition", region_name=region, endpoint_url=args.endpoint_url, config=config),
            make("s3", region_name=region, endpoint_url=args.endpoint_url, config=config))


def ensure_collection(rekognition: Any, collection_id: str, create: bool) -> dict[str, Any]:
    """DescribeCollection, creating the collection first when asked; raises ClientError otherwise."""
    try:
        result: dict[str, Any] = rekognition.describe_collection(CollectionId=collection_id)
        return result
    except ClientError as err:
        if not create or err.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    rekognition.create_collection(CollectionId=collection_id)
    created: dict[str, Any] = rekognition.describe_collection(CollectionId=collection_id)
    return created


def find_photos(source: str, s3: Any) -> tuple[list[Photo], str]:
    """The photos of a folder or S3 prefix, and the source's canonical name for the resume file."""
    bucket_prefix = parse_s3_url(source)
    if bucket_prefix is not None:
        return s3_photos(s3, *bucket_prefix), source
    root = Path(source).expanduser().resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"not a folder: {source}")
    return local_photos(root), str(root)


def main(argv: Sequence[str] | None = None) -> int:
    """Run index-folder; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        rekognition, s3 = clients(args)
        collection = ensure_collection(rekognition, args.collection_id, args.create)
        photos, source = find_photos(args.source, s3)
    except (ClientError, BotoCoreError, OSError, ValueError) as err:
        hint = " (use --create to create it)" if "ResourceNotFound" in str(err) else ""
        print(f"index-folder: {err}{hint}", file=sys.stderr)
        return 2
    arn = str(collection.get("CollectionARN", args.collection_id))
    header = {"collection": arn, "created": str(collection.get("CreationTimestamp", "")), "source": source}
    state_path = args.state or default_state_path(rekognition.meta.endpoint_url, arn, source)
    state = IndexState(state_path, header, fresh=args.fresh)
    print(f"indexing {len(photos)} photos from {args.source} into {args.collection_id} "
          f"at {rekognition.meta.endpoint_url} (resume file: {state_path})", file=sys.stderr)
    bar = tqdm(total=len(photos), unit="photo", disable=True if args.no_progress else None, file=sys.stderr)
    try:
        summary = run(photos, lambda photo: index_one(rekognition, args.collection_id, photo, args.quality_filter),
                      state, args.workers, progress=bar.update)
    except KeyboardInterrupt:
        print("\ninterrupted; run again to resume", file=sys.stderr)
        return 130
    finally:
        bar.close()
        state.close()
    print(format_summary(summary))
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main())
