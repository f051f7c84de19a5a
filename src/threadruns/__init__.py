"""threadruns: a typed Python SDK for the Runs API of OpenAI-style Assistants servers."""

from . import types
from ._client import AsyncClient, Client
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PollTimeoutError,
    RateLimitError,
    ThreadRunsError,
    UnprocessableEntityError,
)
from ._logging import setup_logging
from ._pagination import AsyncCursorPage, AsyncPaginator, SyncCursorPage
from ._response import APIResponse
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncCursorPage",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "SyncCursorPage",
    "ThreadRunsError",
    "UnprocessableEntityError",
    "__version__",
    "types",
]

setup_logging()
