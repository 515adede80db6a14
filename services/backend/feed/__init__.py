"""The progress feed: the interface every engine keeps, and the in-process one (the default).

The Redis Streams engine (``feed.redis_streams``) is imported only when a setting chooses it:
redis.asyncio costs start-up time the default does not need.
"""

from services.backend.feed.memory import MemoryFeed
from services.backend.feed.protocol import FeedUnavailable, ProgressFeed

__all__ = ["FeedUnavailable", "MemoryFeed", "ProgressFeed"]
