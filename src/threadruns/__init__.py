"""threadruns: a typed Python SDK for the Runs API of OpenAI-style Assistants servers."""

from . import types
from ._client import AsyncClient, Client
from ._events import (
    AssistantStreamEvent,
    MessageDeltaEvent,
    MessageEvent,
    RunEvent,
    RunStepDeltaEvent,
    RunStepEvent,
    UnknownEvent,
)
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
    ToolLoopError,
    UnprocessableEntityError,
)
from ._logging import setup_logging
from ._pagination import AsyncCursorPage, AsyncPaginator, SyncCursorPage
from ._response import APIResponse
from ._streaming import AsyncRunStream, AsyncRunStreamManager, RunStream, RunStreamManager
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
    "AssistantStreamEvent",
    "AsyncClient",
    "AsyncCursorPage",
    "AsyncPaginator",
    "AsyncRunStream",
    "AsyncRunStreamManager",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "InternalServerError",
    "MessageDeltaEvent",
    "MessageEvent",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "RunEvent",
    "RunStepDeltaEvent",
    "RunStepEvent",
    "RunStream",
    "RunStreamManager",
    "SyncCursorPage",
    "ThreadRunsError",
    "ToolLoopError",
    "UnknownEvent",
    "UnprocessableEntityError",
    "__version__",
    "types",
]

setup_logging()
