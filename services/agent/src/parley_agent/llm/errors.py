"""Why a model call gave no answer. Each carries a ``kind`` (the label of
``agent_llm_failures_total``) and a message that says what to check."""

from __future__ import annotations

from typing import Literal

FailureKind = Literal[
    "auth",
    "rate_limit",
    "server_error",
    "rejected",
    "timeout",
    "stall",
    "connection",
    "stream_error",
    "malformed",
]


class ModelError(Exception):
    """The model call failed; the turn falls back to the spoken fallback reply."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind


class ModelAuthError(ModelError):
    """The endpoint refused the credentials (HTTP 401/403): never retried."""

    def __init__(self, status: int) -> None:
        super().__init__(
            "auth",
            f"the model endpoint refused the credentials (HTTP {status}); "
            "check PARLEY_LLM_API_KEY (and PARLEY_LLM_BASE_URL)",
        )


class ModelRateLimitedError(ModelError):
    """HTTP 429: worth one retry after ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(
            "rate_limit",
            "the model endpoint is rate limiting (HTTP 429); raise the account's "
            "limits or lower the call volume",
        )
        self.retry_after_s = retry_after_s
