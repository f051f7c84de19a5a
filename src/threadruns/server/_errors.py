"""The one error shape the server answers with: ``{"error": {"message", "type", "param", "code"}}``."""

from __future__ import annotations

from typing import Any

INVALID_REQUEST = "invalid_request_error"


class ApiError(Exception):
    """An error that becomes an HTTP response in OpenAI's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = INVALID_REQUEST,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        missing: str | None = None,
    ) -> None:
        super().__init__(message)
        self.missing = missing  # for a 404 of an unknown object: its kind ("run", "run step", ...)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body: an ErrorResponse."""
        return error_body(self.message, type=self.type, param=self.param, code=self.code)


def error_body(
    message: str, *, type: str = INVALID_REQUEST, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    """An ErrorResponse body; ``param`` and ``code`` are null when they do not apply."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def default_error_for_status(status: int) -> dict[str, Any]:
    """The body a fault with only a status code sends, worded like OpenAI's errors for that status."""
    if status == 429:
        return error_body(
            "Rate limit reached for requests. Please try again later.",
            type="requests",
            code="rate_limit_exceeded",
        )
    if status == 503:
        return error_body("The server is overloaded or not ready yet.", type="server_error")
    if status >= 500:
        return error_body(
            "The server had an error while processing your request. Sorry about that!", type="server_error"
        )
    return error_body(f"Injected fault: HTTP {status}.")


# After OpenAI's own words, for the objects a user of the embedded server creates: how to create them.
SEED_HINT = (
    " This embedded server knows only the threads and assistants it was given: add them with "
    "RunsServer.add_thread()/add_assistant(), `threadruns serve --seed FILE`, or turn on auto_create."
)


def not_found(kind: str, object_id: str, *, hint: str = "") -> ApiError:
    """404 for an unknown thread, run, run step or assistant, as OpenAI words it (then ``hint``, if any)."""
    return ApiError(404, f"No {kind} found with id '{object_id}'.{hint}", missing=kind)
