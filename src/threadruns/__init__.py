"""threadruns: a typed Python SDK for the Runs API of OpenAI-style Assistants servers."""

from typing import TYPE_CHECKING

from ._client import AsyncClient, Client
from ._event_handler import (
    AssistantEventHandler,
    AssistantStreamManager,
    AsyncAssistantEventHandler,
    AsyncAssistantStreamManager,
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

if TYPE_CHECKING:
    from . import types
    from ._events import (
        AssistantStreamEvent,
        MessageDeltaEvent,
        MessageEvent,
        RunEvent,
        RunStepDeltaEvent,
        RunStepEvent,
        UnknownEvent,
    )
else:
    import importlib

    # Loaded on first use (the typed events bring in every stream model): `import threadruns` stays light.
    _EVENTS = frozenset(
        {
            "AssistantStreamEvent",
            "MessageDeltaEvent",
            "MessageEvent",
            "RunEvent",
            "RunStepDeltaEvent",
            "RunStepEvent",
            "UnknownEvent",
        }
    )

    def __getattr__(name: str) -> object:
        if name == "types":
            value: object = importlib.import_module(".types", __name__)
        elif name in _EVENTS:
            value = getattr(importlib.import_module("._events", __name__), name)
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})


__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AssistantEventHandler",
    "AssistantStreamEvent",
    "AssistantStreamManager",
    "AsyncAssistantEventHandler",
    "AsyncAssistantStreamManager",
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
