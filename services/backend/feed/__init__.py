"""The progress feed: the interface every engine keeps, and the in-process one (the default)."""

from services.backend.feed.memory import MemoryFeed
from services.backend.feed.protocol import ProgressFeed

__all__ = ["MemoryFeed", "ProgressFeed"]
