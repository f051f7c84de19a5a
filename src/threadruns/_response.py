"""``APIResponse``: the HTTP answer of a ``with_raw_response`` call, parsed on demand; and the
``with_streaming_response`` form, whose body is read only when asked (``iter_bytes``, ``parse``)."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Generic, ParamSpec, TypeVar, cast

import httpx

_T = TypeVar("_T")

# Set while a ``with_raw_response`` method runs: the request returns the APIResponse unparsed.
RAW_RESPONSE: contextvars.ContextVar[bool] = contextvars.ContextVar("threadruns_raw_response", default=False)
# Set as well under ``with_streaming_response``: the body is not read before the caller asks for it.
STREAMED_RESPONSE: contextvars.ContextVar[bool] = contextvars.ContextVar("threadruns_streamed_response", default=False)


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
        """The parsed model (or page); parsed once, then cached (a streamed body is read first)."""
        if not self._is_parsed:
            self.http_response.read()
            self._parsed = self._parser(self.http_response)
            self._is_parsed = True
        return self._parsed  # type: ignore[return-value]

    def read(self) -> bytes:
        return self.http_response.read()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.http_response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        return self.http_response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        return self.http_response.iter_lines()

    def close(self) -> None:
        self.http_response.close()

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


class AsyncAPIResponse(APIResponse[_T]):
    """The async form of a ``with_streaming_response`` answer: ``await response.parse()``, ``async for``."""

    async def parse(self) -> _T:  # type: ignore[override]
        if not self._is_parsed:
            await self.http_response.aread()
            self._parsed = self._parser(self.http_response)
            self._is_parsed = True
        return self._parsed  # type: ignore[return-value]

    async def read(self) -> bytes:  # type: ignore[override]
        return await self.http_response.aread()

    def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:  # type: ignore[override]
        return self.http_response.aiter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:  # type: ignore[override]
        return self.http_response.aiter_text(chunk_size)

    def iter_lines(self) -> AsyncIterator[str]:  # type: ignore[override]
        return self.http_response.aiter_lines()

    async def close(self) -> None:  # type: ignore[override]
        await self.http_response.aclose()


class ResponseContextManager(Generic[_T]):
    """``with runs.with_streaming_response.retrieve(...) as response``: sent on enter, closed on exit."""

    def __init__(self, send: Callable[[], APIResponse[_T]]) -> None:
        self._send = send
        self._response: APIResponse[_T] | None = None

    def __enter__(self) -> APIResponse[_T]:
        self._response = self._send()
        return self._response

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._response is not None:
            self._response.close()


class AsyncResponseContextManager(Generic[_T]):
    """``async with runs.with_streaming_response.retrieve(...) as response``."""

    def __init__(self, send: Callable[[], Awaitable[AsyncAPIResponse[_T]]]) -> None:
        self._send = send
        self._response: AsyncAPIResponse[_T] | None = None

    async def __aenter__(self) -> AsyncAPIResponse[_T]:
        self._response = await self._send()
        return self._response

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._response is not None:
            await self._response.close()


def to_streamed_response_wrapper(func: Callable[_P, _R]) -> Callable[_P, ResponseContextManager[_R]]:
    """Make a resource method return a context manager giving the unread ``APIResponse``."""

    @functools.wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> ResponseContextManager[_R]:
        def send() -> APIResponse[_R]:
            raw, streamed = RAW_RESPONSE.set(True), STREAMED_RESPONSE.set(True)
            try:
                return cast("APIResponse[_R]", func(*args, **kwargs))
            finally:
                STREAMED_RESPONSE.reset(streamed)
                RAW_RESPONSE.reset(raw)

        return ResponseContextManager(send)

    return wrapped


def async_to_streamed_response_wrapper(
    func: Callable[_P, Awaitable[_R]],
) -> Callable[_P, AsyncResponseContextManager[_R]]:
    """Async twin of ``to_streamed_response_wrapper``."""

    @functools.wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> AsyncResponseContextManager[_R]:
        async def send() -> AsyncAPIResponse[_R]:
            raw, streamed = RAW_RESPONSE.set(True), STREAMED_RESPONSE.set(True)
            try:
                return cast("AsyncAPIResponse[_R]", await func(*args, **kwargs))
            finally:
                STREAMED_RESPONSE.reset(streamed)
                RAW_RESPONSE.reset(raw)

        return AsyncResponseContextManager(send)

    return wrapped
