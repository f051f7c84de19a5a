"""Exceptions raised by threadruns.

::

    ThreadRunsError                      anything this package raises on purpose
    ├── PollTimeoutError                 a poll's overall deadline passed (carries the last run)
    ├── ToolLoopError                    the tool-call loop cannot go on: max_rounds hit, or no calls listed
    └── APIError                         a request did not give a usable answer
        ├── APIConnectionError           no response: connection refused/reset, stream cut short
        │   └── APITimeoutError          no response in time
        ├── APIResponseValidationError   a 2xx whose body cannot be parsed into the expected model
        └── APIStatusError               a 4xx/5xx answer (status_code, request_id, body, code, param, type)
            ├── BadRequestError              400
            ├── AuthenticationError          401
            ├── PermissionDeniedError        403
            ├── NotFoundError                404
            ├── ConflictError                409
            ├── UnprocessableEntityError     422
            ├── RateLimitError               429
            └── InternalServerError          >= 500

Names and attributes follow openai-python, so ``except openai.NotFoundError``
code ports by changing the import.
"""

from __future__ import annotations

from typing import Any

import httpx
from threadruns_api.types import ShapeError

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "ThreadRunsError",
    "ToolLoopError",
    "UnprocessableEntityError",
]


def describe_error(exc: BaseException) -> str:
    """What went wrong in a parse or build, for a message: the JSON path and what was expected and found."""
    if isinstance(exc, ShapeError):
        return str(exc)
    return f"missing key {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__


def describe_shape(name: str, exc: BaseException) -> str:
    """``RunObject.tools[0]: expected an object, got str``: the model, the JSON path, expected and found."""
    if isinstance(exc, ShapeError):
        return f"{name}{exc.path}: {exc.detail}"
    return f"{name}: {describe_error(exc)}"


class ThreadRunsError(Exception):
    """Base class of every exception threadruns raises on purpose."""


class APIError(ThreadRunsError):
    """A request to the API failed. ``request`` is the request that was sent."""

    message: str
    request: httpx.Request | None
    body: object | None
    code: str | None
    param: str | None
    type: str | None

    def __init__(self, message: str, request: httpx.Request | None = None, *, body: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        error = body.get("error") if isinstance(body, dict) else None
        details = error if isinstance(error, dict) else body if isinstance(body, dict) else {}
        self.code = _str_or_none(details.get("code"))
        self.param = _str_or_none(details.get("param"))
        self.type = _str_or_none(details.get("type"))


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke before a complete answer."""

    def __init__(self, message: str = "Connection error.", request: httpx.Request | None = None) -> None:
        super().__init__(message, request)


class APITimeoutError(APIConnectionError):
    """The server did not answer within the timeout."""

    def __init__(self, request: httpx.Request | None = None, message: str = "Request timed out.") -> None:
        super().__init__(message, request)


class APIResponseValidationError(APIError):
    """A successful status whose body is not what the API describes (not JSON, or wrong shape)."""

    response: httpx.Response
    status_code: int

    def __init__(self, response: httpx.Response, body: object | None, message: str) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status."""

    response: httpx.Response
    status_code: int
    request_id: str | None

    def __init__(self, message: str, *, response: httpx.Response, body: object | None) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        from threadruns_api.resources._operations import REQUEST_ID_HEADER  # loaded with the first error

        self.request_id = response.headers.get(REQUEST_ID_HEADER)


class BadRequestError(APIStatusError):
    """400: the request was malformed or named an invalid parameter."""


class AuthenticationError(APIStatusError):
    """401: missing or invalid API key."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such thread, run or step."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the object's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: well-formed but not processable."""


class RateLimitError(APIStatusError):
    """429: too many requests (retried automatically first)."""


class InternalServerError(APIStatusError):
    """>= 500: the server failed (retried automatically first)."""


class PollTimeoutError(ThreadRunsError):
    """A poll's overall deadline passed before the run reached a terminal status."""

    def __init__(self, message: str, *, run: Any, timeout: float) -> None:
        super().__init__(message)
        self.run = run
        self.timeout = timeout


class ToolLoopError(ThreadRunsError):
    """``create_and_run_tools`` cannot go on: ``max_rounds`` used up, or a run requires action with no calls."""

    def __init__(self, message: str, *, run: Any, rounds: int) -> None:
        run_id = getattr(run, "id", None)
        thread_id = getattr(run, "thread_id", None)
        # The run is still active on the server, waiting for outputs until it expires: say so, and what to do.
        message += (
            f". The run is still active (requires_action) until it expires: submit its tool outputs with "
            f"runs.submit_tool_outputs({run_id!r}, thread_id={thread_id!r}, tool_outputs=[...]), "
            f"or end it with runs.cancel({run_id!r}, thread_id={thread_id!r})"
        )
        super().__init__(message)
        self.run = run
        self.rounds = rounds


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an error status (``APIStatusError`` for unlisted 4xx)."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)
