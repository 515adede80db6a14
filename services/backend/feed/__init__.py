"""The progress feed and the change log: the interfaces every engine keeps, and the in-process
ones (the default).

The Redis Streams engine (``feed.redis_streams``) is imported only when a setting chooses it:
redis.asyncio costs start-up time the default does not need.
"""

from services.backend.feed.changes import Change, ChangeKind, ChangeLog, MemoryChangeLog
from services.backend.feed.memory import MemoryFeed
from services.backend.feed.protocol import FeedUnavailable, ProgressFeed

__all__ = ["Change", "ChangeKind", "ChangeLog", "FeedUnavailable", "MemoryChangeLog",
           "MemoryFeed", "ProgressFeed"]
