"""The progress feed: the interface every engine keeps, in process (the default) or on Redis."""

from services.backend.feed.memory import MemoryFeed
from services.backend.feed.protocol import FeedUnavailable, ProgressFeed
from services.backend.feed.redis_streams import RedisFeed

__all__ = ["FeedUnavailable", "MemoryFeed", "ProgressFeed", "RedisFeed"]
