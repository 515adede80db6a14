"""The media store: the interface every engine keeps, and the local one (the default).

The S3 engine (``media.s3``) is imported only when a setting chooses it: boto3 is heavy, and
the default needs none of it.
"""

from services.backend.media.local import LocalMedia
from services.backend.media.protocol import FILE_NAME, MediaStore, MediaUnavailable, media_type

__all__ = ["FILE_NAME", "LocalMedia", "MediaStore", "MediaUnavailable", "media_type"]
