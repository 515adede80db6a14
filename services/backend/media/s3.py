"""The S3 media store: a job's files in an S3-compatible bucket, fetched by presigned URLs.

Workers upload each file once it is whole (large ones in parts, by boto3's transfer manager);
an object appears in the bucket only when its upload completes, so no client ever sees half a
video. Clients fetch straight from the store by presigned URL (the dashboard through its
``/media`` relay), so media never passes through the API. boto3 blocks, so every call that
reaches the store runs in a thread; presigning is local arithmetic and runs inline.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from services.backend.media.protocol import MediaUnavailable, media_type, parse_media_url

T = TypeVar("T")
_CLIENT_CONFIG = Config(
    signature_version="s3v4",
    s3={"addressing_style": "path"},  # works on every S3-compatible store, SeaweedFS included
    connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"},
)
_TRANSFER = TransferConfig(multipart_threshold=8 * 2**20, multipart_chunksize=8 * 2**20)


class S3Media:
    """Each job's files under ``prefix + job_id + "/"`` in one bucket."""

    def __init__(self, media_url: str, *, endpoint: str | None, scratch_dir: Path,
                 url_ttl: float) -> None:
        self._bucket, self._prefix = parse_media_url(media_url)
        self._scratch = scratch_dir
        self._ttl = int(url_ttl)
        session = boto3.session.Session()
        self._s3 = session.client("s3", endpoint_url=endpoint, config=_CLIENT_CONFIG,
                                  region_name=session.region_name or "us-east-1")

    async def open(self) -> None:
        """Create the bucket when it is missing (another replica creating it too is fine)."""
        try:
            await self._call(self._s3.head_bucket, Bucket=self._bucket)
        except MediaUnavailable as error:
            if not _has_code(error, {"404", "NoSuchBucket", "NotFound"}):
                raise
            try:
                await self._call(self._s3.create_bucket, Bucket=self._bucket)
            except MediaUnavailable as race:
                if not _has_code(race, {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}):
                    raise

    def workdir(self, job_id: str) -> Path:
        """A scratch folder of the job's in the data dir."""
        path = self._scratch / job_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def put(self, job_id: str, name: str) -> None:
        """Upload the finished file; it is the job's once the upload completes."""
        await self._call(self._s3.upload_file, str(self.workdir(job_id) / name), self._bucket,
                         self._key(job_id, name), Config=_TRANSFER,
                         ExtraArgs={"ContentType": media_type(name)})

    async def fetch(self, job_id: str, name: str) -> Path:
        """The scratch copy when this machine made the file, else a download of it."""
        path = self.workdir(job_id) / name
        if not path.is_file():
            partial = path.with_name(f".{name}.part")
            await self._call(self._s3.download_file, self._bucket, self._key(job_id, name),
                             str(partial), Config=_TRANSFER)
            partial.replace(path)
        return path

    def url(self, job_id: str, name: str) -> str:
        """A presigned GET, valid for the configured TTL."""
        url: str = self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": self._key(job_id, name)},
            ExpiresIn=self._ttl)
        return url

    async def release(self, job_id: str) -> None:
        """Remove the job's scratch folder: the bucket holds everything."""
        await asyncio.to_thread(shutil.rmtree, self._scratch / job_id, True)

    async def delete(self, job_id: str) -> None:
        """Delete every object under the job's prefix (a thousand per request), then its
        scratch folder."""
        prefix = self._key(job_id, "")
        while True:
            listed = await self._call(self._s3.list_objects_v2, Bucket=self._bucket,
                                      Prefix=prefix, MaxKeys=1000)
            keys = [{"Key": item["Key"]} for item in listed.get("Contents", [])]
            if not keys:
                break
            await self._call(self._s3.delete_objects, Bucket=self._bucket,
                             Delete={"Objects": keys, "Quiet": True})
        await self.release(job_id)

    async def close(self) -> None:
        """Close the client's connection pool."""
        self._s3.close()

    def _key(self, job_id: str, name: str) -> str:
        return f"{self._prefix}{job_id}/{name}"

    async def _call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking boto3 call in a thread; its errors leave as ``MediaUnavailable``."""
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except (BotoCoreError, ClientError, Boto3Error) as error:
            raise MediaUnavailable(f"media store {self._bucket}: {error}") from error


def _has_code(error: MediaUnavailable, codes: set[str]) -> bool:
    """Whether the store refused with one of ``codes``."""
    cause = error.__cause__
    return isinstance(cause, ClientError) and cause.response.get("Error", {}).get("Code") in codes
