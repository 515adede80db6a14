"""The wire contract both programs keep (``shared/spec/api-contract.md``).

The dashboard and the backend share nothing else: its words (``vocabulary``), its messages
(``models``) and its table of stages (``stages``). Import them from here.
"""

from services.contract.models import (
    AssetInfo,
    CancelResponse,
    ContractModel,
    DoneData,
    ErrorBody,
    ErrorData,
    GenerateRequest,
    GenerateResponse,
    JobDetail,
    JobList,
    JobSummary,
    ProgressAssets,
    ProgressResponse,
    StageInfo,
)
from services.contract.vocabulary import (
    API_PREFIX,
    ASPECT_RATIOS,
    CANCELLED_ERROR,
    DEFAULT_ASPECT_RATIO,
    DURATIONS,
    JOB_ID_PATTERN,
    PROMPT_MAX_CHARS,
    STYLE_MAX_CHARS,
    TERMINAL_STATUSES,
    AspectRatio,
    Duration,
    JobStatus,
    has_ended,
    is_valid_job_id,
)

__all__ = [
    "API_PREFIX",
    "ASPECT_RATIOS",
    "CANCELLED_ERROR",
    "DEFAULT_ASPECT_RATIO",
    "DURATIONS",
    "JOB_ID_PATTERN",
    "PROMPT_MAX_CHARS",
    "STYLE_MAX_CHARS",
    "TERMINAL_STATUSES",
    "AspectRatio",
    "AssetInfo",
    "CancelResponse",
    "ContractModel",
    "DoneData",
    "Duration",
    "ErrorBody",
    "ErrorData",
    "GenerateRequest",
    "GenerateResponse",
    "JobDetail",
    "JobList",
    "JobStatus",
    "JobSummary",
    "ProgressAssets",
    "ProgressResponse",
    "StageInfo",
    "has_ended",
    "is_valid_job_id",
]
