"""``RunStream`` / ``AsyncRunStream``: iterate a run's events as the server sends them.

A stream must end with ``[DONE]`` (``event: done``) or a terminal run event;
a connection that closes before either raises ``APIConnectionError`` rather
than passing for success. An ``error`` event raises ``APIError`` with the
server's message and code. Leaving the ``with`` block, or ``close()``, closes
the connection; the read timeout applies between events.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from ._constants import JSON_DECODE_ERRORS
from ._exceptions import APIConnectionError, APIError, APIResponseValidationError, APITimeoutError, ThreadRunsError
from ._sse import ServerSentEvent, SSEDecoder

if TYPE_CHECKING:
    # The typed events and the models behind them load with the first stream, not with the package.
    from threadruns_api.models import MessageObject, RunObject

    from ._events import AssistantStreamEvent, MessageDeltaEvent
    from ._tolerance import Tolerance


class _StreamState:
    """What both stream kinds track while events go by."""

    def __init__(self, response: httpx.Response, tolerance: Tolerance | None = None) -> None:
        self.response = response
        self.tolerance = tolerance  # a response_validation="warn" client's: payloads parse under it
        self.finished = False  # [DONE] or a terminal run event seen
        self.at_done = False  # the end marker itself was read: nothing after it is looked at
        self.last_run: RunObject | None = None
        self.messages: dict[str, MessageObject] = {}
        self.decoder = SSEDecoder()
        from threadruns_api.resources._operations import (
            STREAM_CONTENT_TYPE,
            STREAM_END_DATA,
            STREAM_END_EVENT,
            STREAM_ERROR_EVENT,
        )

        content_type = response.headers.get("content-type", "")
        if STREAM_CONTENT_TYPE not in content_type:
            raise APIResponseValidationError(
                response, None, f"Expected an event stream, got content-type {content_type!r}"
            )

        from ._events import TERMINAL_RUN_EVENTS, MessageEvent, RunEvent, event_kind, parse_event

        self._end_data, self._end_event, self._error_event = STREAM_END_DATA, STREAM_END_EVENT, STREAM_ERROR_EVENT

        self._parse_event = parse_event
        self._event_kind = event_kind
        self._terminal = TERMINAL_RUN_EVENTS
        self._run_event = RunEvent
        self._message_event = MessageEvent

    def handle(self, sse: ServerSentEvent) -> AssistantStreamEvent | None:
        """The typed event for one SSE event; None for the end marker; raises on ``error``."""
        if sse.data == self._end_data or sse.event == self._end_event:
            self.finished = True
            return None
        kind = self._event_kind(sse.event)
        if kind is not None and kind.fast is not None:
            decode, build, miss = kind.fast
            try:  # a payload exactly of its schema: decoded and built in one step
                event = kind.wrapper(sse.event, build(decode(sse.data)))
            except miss:
                pass  # anything else: the full parse below keeps it or names what is wrong
            else:
                return self._seen(sse.event, event) if kind.noted else event
        try:
            payload = json.loads(sse.data)
        except JSON_DECODE_ERRORS:
            raise APIResponseValidationError(
                self.response, sse.data[:200], f"Event {sse.event!r} carries invalid JSON data"
            ) from None
        if sse.event == self._error_event:
            raise _error_event(payload, self.response.request)
        try:
            if self.tolerance is None:
                event = self._parse_event(sse.event, payload)
            else:
                event = self.tolerance.run(lambda data: self._parse_event(sse.event, data), payload)
        except ValueError as exc:  # a known event with a payload that is not its model
            raise APIResponseValidationError(self.response, payload, f"Event {sse.event!r}: {exc}") from None
        return self._seen(sse.event, event)

    def _seen(self, name: str, event: AssistantStreamEvent) -> AssistantStreamEvent:
        """``event`` after noting what the stream's end needs of it (the last run, the messages)."""
        if isinstance(event, self._run_event):
            self.last_run = event.data
        elif isinstance(event, self._message_event) and isinstance(event.data.id, str):  # (warn keeps a bad id)
            self.messages[event.data.id] = event.data
        if name in self._terminal:
            self.finished = True
        return event

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """httpx's errors while the body is read, as threadruns errors."""
        try:
            yield
        except httpx.TimeoutException as exc:
            raise APITimeoutError(self.response.request, "The event stream timed out between events") from exc
        except httpx.HTTPError as exc:  # transport errors, and bodies that cannot be decoded
            message = f"The event stream ended early: {type(exc).__name__}"
            raise APIConnectionError(message, self.response.request) from exc

    def events_in(self, chunk: bytes) -> Iterator[AssistantStreamEvent]:
        """The events a chunk of the body completes, one at a time; stops at the end marker (``at_done``)."""
        for sse in self.decoder.feed(chunk):
            event = self.handle(sse)
            if event is not None:
                yield event
            if self.finished and event is None:
                self.at_done = True
                return

    def events_at_end(self) -> Iterator[AssistantStreamEvent]:
        """The events the body ended in (without their blank line), then the check that the stream was whole."""
        for sse in self.decoder.flush():
            event = self.handle_unterminated(sse)
            if event is not None:
                yield event
        self.end_of_body()

    def handle_unterminated(self, sse: ServerSentEvent) -> AssistantStreamEvent | None:
        """An event the body ended in, without its blank line: delivered when whole, but a payload that does
        not parse was cut off with the connection, which is what the caller is told."""
        try:
            return self.handle(sse)
        except APIResponseValidationError as exc:
            raise APIConnectionError(
                f"The event stream ended in the middle of event {sse.event!r}", self.response.request
            ) from exc

    def end_of_body(self) -> None:
        if not self.finished:
            raise APIConnectionError(
                "The event stream ended early: the connection closed before [DONE] or a final run event",
                self.response.request,
            )

    def final_run(self) -> RunObject:
        self._check_read_to_the_end()
        if self.last_run is None:
            raise ThreadRunsError("The stream carried no run object")
        return self.last_run

    def final_messages(self) -> list[MessageObject]:
        self._check_read_to_the_end()
        from threadruns_api.models import MessageObjectStatus

        return [m for m in self.messages.values() if str(m.status) == MessageObjectStatus.COMPLETED]

    def _check_read_to_the_end(self) -> None:
        """Called once the rest of the stream was read: if the end was never seen, it was closed early."""
        if not self.finished:
            raise ThreadRunsError(
                "The stream was closed before the run reached a final state: retrieve the run instead"
            )


def _error_event(payload: Any, request: httpx.Request) -> APIError:
    """An ``error`` event as APIError; takes the flat ``{message, ...}`` and the wrapped ``{"error": {...}}``."""
    details = payload.get("error", payload) if isinstance(payload, dict) else {}
    message = details.get("message") if isinstance(details, dict) else None
    return APIError(f"The stream reported an error: {message if message else repr(payload)}", request, body=payload)


def _text_of(event: MessageDeltaEvent) -> Iterator[str]:
    content = event.data.delta.content
    if not isinstance(content, list):
        return
    for part in content:
        text = getattr(part, "text", None)
        value = getattr(text, "value", None)
        if isinstance(value, str) and value:
            yield value


def _sync_events(state: _StreamState) -> Generator[AssistantStreamEvent, None, None]:
    """The typed events of a stream's body; the connection is closed when this ends, however it ends."""
    try:
        with state.reading():
            for chunk in state.response.iter_bytes():
                yield from state.events_in(chunk)
                if state.at_done:
                    return
            yield from state.events_at_end()
    finally:
        state.response.close()


async def _async_events(state: _StreamState) -> AsyncGenerator[AssistantStreamEvent, None]:
    """Async twin of ``_sync_events``."""
    try:
        with state.reading():
            async for chunk in state.response.aiter_bytes():
                for event in state.events_in(chunk):
                    yield event
                if state.at_done:
                    return
            for event in state.events_at_end():
                yield event
    finally:
        await state.response.aclose()


class TextDeltas:
    """``stream.text_deltas``: an iterator of text (openai-python's attribute), also callable as before."""

    def __init__(self, source: Iterator[str]) -> None:
        self._source = source

    def __iter__(self) -> Iterator[str]:
        return self._source

    def __next__(self) -> str:
        return next(self._source)

    def __call__(self) -> Iterator[str]:
        return self._source


class AsyncTextDeltas:
    """The async twin of ``TextDeltas``."""

    def __init__(self, source: AsyncIterator[str]) -> None:
        self._source = source

    def __aiter__(self) -> AsyncIterator[str]:
        return self._source

    async def __anext__(self) -> str:
        return await self._source.__anext__()

    def __call__(self) -> AsyncIterator[str]:
        return self._source


class RunStream:
    """Events of one streamed run (``client.runs.stream``/``create(stream=True)``); a context manager."""

    def __init__(self, response: httpx.Response, tolerance: Tolerance | None = None) -> None:
        self._state = _StreamState(response, tolerance)
        # A generator over the state alone: were it a method, stream and generator would hold each other and a
        # stream dropped unclosed would keep its connection until the cycle collector ran.
        self._iterator = _sync_events(self._state)

    @property
    def response(self) -> httpx.Response:
        return self._state.response

    def __iter__(self) -> Iterator[AssistantStreamEvent]:
        return self._iterator

    def __next__(self) -> AssistantStreamEvent:
        return next(self._iterator)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading and close the connection."""
        self._iterator.close()
        self._state.response.close()

    def until_done(self) -> Self:
        """Consume the remaining events."""
        for _ in self._iterator:
            pass
        return self

    @property
    def text_deltas(self) -> TextDeltas:
        """The text of every message delta, as it arrives: ``for text in stream.text_deltas`` (openai-python's
        form) or ``stream.text_deltas()``."""
        return TextDeltas(self._text_deltas())

    def _text_deltas(self) -> Iterator[str]:
        from ._events import MessageDeltaEvent

        for event in self._iterator:
            if isinstance(event, MessageDeltaEvent):
                yield from _text_of(event)

    def final_run(self) -> RunObject:
        """The last RunObject of the stream (reads the rest of it first)."""
        self.until_done()
        return self._state.final_run()

    def final_messages(self) -> list[MessageObject]:
        """The messages completed during the stream (reads the rest of it first)."""
        self.until_done()
        return self._state.final_messages()

    get_final_run = final_run  # openai-python's names
    get_final_messages = final_messages


class AsyncRunStream:
    """Async twin of ``RunStream``: ``async for event in stream``; an async context manager."""

    def __init__(self, response: httpx.Response, tolerance: Tolerance | None = None) -> None:
        self._state = _StreamState(response, tolerance)
        self._iterator = _async_events(self._state)  # over the state alone, as RunStream's

    @property
    def response(self) -> httpx.Response:
        return self._state.response

    def __aiter__(self) -> AsyncIterator[AssistantStreamEvent]:
        return self._iterator

    async def __anext__(self) -> AssistantStreamEvent:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop reading and close the connection."""
        await self._iterator.aclose()
        await self._state.response.aclose()

    async def until_done(self) -> Self:
        async for _ in self._iterator:
            pass
        return self

    @property
    def text_deltas(self) -> AsyncTextDeltas:
        """The text of every message delta, as it arrives: ``async for text in stream.text_deltas`` (or
        ``stream.text_deltas()``)."""
        return AsyncTextDeltas(self._text_deltas())

    async def _text_deltas(self) -> AsyncIterator[str]:
        from ._events import MessageDeltaEvent

        async for event in self._iterator:
            if isinstance(event, MessageDeltaEvent):
                for text in _text_of(event):
                    yield text

    async def final_run(self) -> RunObject:
        await self.until_done()
        return self._state.final_run()

    async def final_messages(self) -> list[MessageObject]:
        await self.until_done()
        return self._state.final_messages()

    get_final_run = final_run  # openai-python's names
    get_final_messages = final_messages


class RunStreamManager:
    """What ``client.runs.stream(...)`` returns: sends the request on ``__enter__``."""

    def __init__(self, open_stream: Callable[[], RunStream]) -> None:
        self._open = open_stream
        self._stream: RunStream | None = None

    def __enter__(self) -> RunStream:
        self._stream = self._open()
        return self._stream

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncRunStreamManager:
    """What ``AsyncClient.runs.stream(...)`` returns (no ``await``): ``async with`` sends the request."""

    def __init__(self, open_stream: Callable[[], Awaitable[AsyncRunStream]]) -> None:
        self._open = open_stream
        self._stream: AsyncRunStream | None = None

    async def __aenter__(self) -> AsyncRunStream:
        self._stream = await self._open()
        return self._stream

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._stream is not None:
            await self._stream.close()
