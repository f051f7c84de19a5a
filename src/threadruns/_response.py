"""``APIResponse``: the HTTP answer of a ``with_raw_response`` call, parsed on demand."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Awaitable, Callable
from typing import Generic, ParamSpec, TypeVar, cast

import httpx

_T = TypeVar("_T")

# Set while a ``with_raw_response`` method runs: the request returns the APIResponse unparsed.
RAW_RESPONSE: contextvars.ContextVar[bool] = contextvars.ContextVar("threadruns_raw_response", default=False)


class APIResponse(Generic[_T]):
    """Status, headers and request id of a response; ``parse()`` gives what the normal method returns."""

    def __init__(self, http_response: httpx.Response, parser: Callable[[httpx.Response], _T]) -> None:
        self.http_response = http_response
        self._parser = parser
        self._parsed: _T | None = None
        self._is_parsed = False

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        from threadruns_api.resources._operations import REQUEST_ID_HEADER

        request_id: str | None = self.http_response.headers.get(REQUEST_ID_HEADER)
        return request_id

    @property
    def content(self) -> bytes:
        return self.http_response.content

    def text(self) -> str:
        return self.http_response.text

    def parse(self) -> _T:
        """The parsed model (or page); parsed once, then cached."""
        if not self._is_parsed:
            self._parsed = self._parser(self.http_response)
            self._is_parsed = True
        return self._parsed  # type: ignore[return-value]

    def __repr__(self) -> str:
        method, url = self.http_response.request.method, self.http_response.request.url
        return f"<APIResponse [{self.status_code} {self.http_response.reason_phrase}] {method} {url.path}>"


_P = ParamSpec("_P")
_R = TypeVar("_R")


def to_raw_response_wrapper(func: Callable[_P, _R]) -> Callable[_P, APIResponse[_R]]:
    """Make a resource method return the ``APIResponse`` instead of the parsed value."""

    @functools.wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_R]:
        token = RAW_RESPONSE.set(True)
        try:
            return cast("APIResponse[_R]", func(*args, **kwargs))
        finally:
            RAW_RESPONSE.reset(token)

    return wrapped


def async_to_raw_response_wrapper(func: Callable[_P, Awaitable[_R]]) -> Callable[_P, Awaitable[APIResponse[_R]]]:
    """Async twin of ``to_raw_response_wrapper`` (also takes methods returning an awaitable paginator)."""

    @functools.wraps(func)
    async def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> APIResponse[_R]:
        token = RAW_RESPONSE.set(True)
        try:
            return cast("APIResponse[_R]", await func(*args, **kwargs))
        finally:
            RAW_RESPONSE.reset(token)

    return wrapped
