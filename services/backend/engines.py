"""The one place an engine is chosen for each swappable part, from the backend's settings,
and the start-up check that every chosen engine answers.

A part with no setting keeps its single-machine default, which needs nothing else running.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from services.backend.feed import ChangeLog, MemoryChangeLog, MemoryFeed, ProgressFeed
from services.backend.media import LocalMedia, MediaStore, MediaUnavailable
from services.backend.settings import BackendSettings
from services.backend.signing import AssetSigner, load_or_create_secret
from services.backend.store import BackendStore, SqliteJobStore
from services.startup import SettingsError


def job_store(settings: BackendSettings) -> BackendStore:
    """PostgreSQL when ``AURORA_DATABASE_URL`` names one, else SQLite in the data dir: jobs and
    accounts in one store."""
    if settings.database_url:
        from services.backend.store.postgres import PostgresJobStore  # psycopg loads only so

        return PostgresJobStore(settings.database_url)
    return SqliteJobStore(settings.data_dir / "jobs.sqlite3")


def feeds(settings: BackendSettings) -> tuple[ProgressFeed, ChangeLog]:
    """The progress feed and the change log: Redis Streams when ``AURORA_REDIS_URL`` names a
    server (both on one connection pool, which closing the feed closes), else this process's
    memory."""
    if settings.redis_url:
        from services.backend.feed.redis_streams import RedisFeed  # redis loads only when chosen

        feed = RedisFeed(settings.redis_url)
        return feed, feed.change_log()
    return MemoryFeed(), MemoryChangeLog()


def media_store(settings: BackendSettings) -> tuple[MediaStore, LocalMedia | None]:
    """The media store the settings choose, and the same store again if the backend serves
    its files itself (the local one), else None."""
    if settings.media_url:
        from services.backend.media.s3 import S3Media  # boto3 loads only when chosen

        return S3Media(settings.media_url, endpoint=settings.s3_endpoint,
                       scratch_dir=settings.data_dir / "scratch",
                       url_ttl=settings.asset_url_ttl), None
    signer = AssetSigner(load_or_create_secret(settings.data_dir),
                         ttl_seconds=settings.asset_url_ttl)
    local = LocalMedia(settings.data_dir / "media", signer)
    return local, local


async def check_reachable(settings: BackendSettings) -> None:
    """Open and close each engine a setting chooses; ``SettingsError`` naming the setting of
    the first that does not answer, so start-up stops with one clear line."""
    if settings.database_url:
        await _check_database(settings.database_url)
    if settings.redis_url:
        await _check_redis(settings.redis_url)
    if settings.media_url:
        media, _ = media_store(settings)
        try:
            await media.open()
        except MediaUnavailable as error:
            raise SettingsError(f"The media store of AURORA_MEDIA_URL ({settings.media_url}) "
                                f"cannot be used: {error}") from None
        finally:
            await media.close()


async def _check_database(url: str) -> None:
    """The PostgreSQL server of ``AURORA_DATABASE_URL`` must answer, and let us in."""
    import psycopg

    try:
        await (await psycopg.AsyncConnection.connect(url, connect_timeout=5)).close()
    except psycopg.Error as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise SettingsError(
            f"Database AURORA_DATABASE_URL cannot be reached ({reason}); "
            "check the server and the URL"
        ) from None


async def _check_redis(url: str) -> None:
    """The progress feed's Redis must answer before the backend starts taking jobs."""
    from redis.asyncio import Redis, RedisError
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    try:
        client = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3,
                                retry=Retry(NoBackoff(), 0))
        try:
            await client.ping()
        finally:
            await client.aclose()
    except (RedisError, ValueError) as error:
        reason = " ".join(str(error).split())
        raise SettingsError(
            f"Redis at {_without_password(url)} does not answer ({reason}); "
            "check AURORA_REDIS_URL"
        ) from None


def _without_password(url: str) -> str:
    """``url`` fit for a log line: scheme, host, port and path only (a password may be in the
    user info or in the query)."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2], query="", fragment="").geturl()
