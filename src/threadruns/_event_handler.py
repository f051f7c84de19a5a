"""``AssistantEventHandler``: openai-python's callback interface over a run's event stream.

Subclass it, override the ``on_*`` callbacks you need, and pass an instance as
``runs.stream(..., event_handler=MyHandler())``; ``with`` gives the handler back, bound to the
stream. The callbacks fire in openai-python's order, with its snapshots: a message and a run
step are rebuilt from their deltas as they arrive (text appended, tool call arguments
appended, new content parts and tool calls added by their ``index``).

The logic lives once in ``_Dispatcher``: for each event it updates the snapshots and returns
the callbacks due, by name, which the sync handler calls and the async one awaits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from ._exceptions import APITimeoutError

if TYPE_CHECKING:
    from threadruns_api.models import MessageObject, RunObject, RunStepObject

    from ._events import AssistantStreamEvent
    from ._streaming import AsyncRunStream, RunStream

Calls = list[tuple[str, tuple[Any, ...]]]


# An object's events are named `<prefix>.<what>`: `created`, `delta`, or the status it moved to. The statuses
# that end a step or a message come from the spec's enums: every one but the status of work under way.
def _under_way() -> str:
    from threadruns_api.models import RunStepObjectStatus

    return str(RunStepObjectStatus.IN_PROGRESS.value)


def _ending(status_enum: Any) -> frozenset[str]:
    return frozenset(str(member.value) for member in status_enum if member.value != _under_way())


def merge_delta(snapshot: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """``delta`` folded into ``snapshot`` (in place): strings appended, objects merged, list entries
    merged into the entry of their ``index`` (or added), ``index``/``type`` and other values replaced."""
    for key, new in delta.items():
        old = snapshot.get(key)
        if old is None or key in ("index", "type"):
            snapshot[key] = new
        elif isinstance(old, str) and isinstance(new, str):
            snapshot[key] = old + new
        elif isinstance(old, dict) and isinstance(new, dict):
            merge_delta(old, new)
        elif isinstance(old, list) and isinstance(new, list):
            _merge_entries(old, new)
        else:
            snapshot[key] = new
    return snapshot


def _merge_entries(entries: list[Any], deltas: list[Any]) -> None:
    for delta in deltas:
        index = delta.get("index") if isinstance(delta, dict) else None
        if not isinstance(index, int):
            entries.append(delta)  # a plain item (or one without a place): only ever added
        elif index < len(entries) and isinstance(entries[index], dict):
            merge_delta(entries[index], {k: v for k, v in delta.items() if k != "index"})
        else:
            entries.append({k: v for k, v in delta.items() if k != "index"})


def _quiet(model: str, error: Any) -> None:
    """A snapshot is partial by nature (a tool call before its output): it is kept as built, not warned of."""


def _rebuild(model: Any, data: dict[str, Any]) -> Any:
    from threadruns_api.types import TOLERATE

    token = TOLERATE.set(_quiet)
    try:
        return model.from_dict(data)
    finally:
        TOLERATE.reset(token)


class _Dispatcher:
    """The snapshots of one stream, and which callbacks each event calls (openai-python's order)."""

    def __init__(self) -> None:
        self.current_event: AssistantStreamEvent | None = None
        self.current_run: RunObject | None = None
        self.step_id: str | None = None
        self.steps: dict[str, RunStepObject] = {}
        self.messages: dict[str, MessageObject] = {}
        self.message: MessageObject | None = None
        self.content_index: int | None = None
        self.content: Any = None
        self.tool_index: int | None = None
        self.tool_call: Any = None

    def calls(self, event: AssistantStreamEvent) -> Calls:
        from threadruns_api.models import MessageObject, MessageObjectStatus, RunStepObject, RunStepObjectStatus

        from ._events import (
            TERMINAL_RUN_EVENTS,
            MessageDeltaEvent,
            MessageEvent,
            RunEvent,
            RunStepDeltaEvent,
            RunStepEvent,
        )

        # The typed event (from the spec's stream_events) tells the object; the name's last part what happened.
        name, data, what = event.event, cast(Any, event.data), event.event.rsplit(".", 1)[-1]
        calls: Calls = [("on_event", (event,))]
        if isinstance(event, RunStepDeltaEvent):
            calls += self._step_delta(data, RunStepObject)
        elif isinstance(event, RunStepEvent):
            calls += self._step(what, data, _ending(RunStepObjectStatus))
        elif isinstance(event, MessageDeltaEvent):
            calls += self._message_delta(data, MessageObject)
        elif isinstance(event, MessageEvent):
            calls += self._message(what, data, _ending(MessageObjectStatus))
        elif isinstance(event, RunEvent):
            self.current_run = data
            if name in TERMINAL_RUN_EVENTS and self.tool_call is not None:
                calls.append(("on_tool_call_done", (self.tool_call,)))
                self.tool_call = self.tool_index = None
        return calls

    def _message(self, what: str, data: Any, ending: frozenset[str]) -> Calls:
        calls: Calls = []
        if what == "created":
            self.message = data
            self.messages[data.id] = data
            self.content_index = self.content = None
            calls.append(("on_message_created", (data,)))
        elif what in ending:
            self.message = data
            self.messages[data.id] = data
            index = self.content_index
            if index is not None and isinstance(data.content, list) and index < len(data.content):
                self.content = data.content[index]
                calls += self._content_done()
            self.content_index = self.content = None
            calls.append(("on_message_done", (data,)))
        return calls

    def _message_delta(self, data: Any, model: Any) -> Calls:
        calls: Calls = []
        if self.message is None:
            return calls
        snapshot = self.message.to_dict()
        before = len(snapshot.get("content") or [])
        parts = data.delta.content if isinstance(data.delta.content, list) else []
        merge_delta(snapshot, {"content": [part.to_dict() for part in parts if hasattr(part, "to_dict")]})
        self.message = message = _rebuild(model, snapshot)
        self.messages[message.id] = message
        content = message.content if isinstance(message.content, list) else []
        for part in parts:
            index = getattr(part, "index", None)
            if not isinstance(index, int) or index >= len(content):
                continue
            block = content[index]
            if index >= before and getattr(block, "type", None) == "text":
                calls.append(("on_text_created", (block.text,)))
            text = getattr(part, "text", None)
            if getattr(part, "type", None) == "text" and text is not None and hasattr(block, "text"):
                calls.append(("on_text_delta", (text, block.text)))
            if index != self.content_index:
                calls += self._content_done()
                self.content_index = index
            self.content = block
        calls.append(("on_message_delta", (data.delta, message)))
        return calls

    def _content_done(self) -> Calls:
        kind = getattr(self.content, "type", None)
        if kind == "text":
            return [("on_text_done", (self.content.text,))]
        if kind == "image_file":
            return [("on_image_file_done", (self.content.image_file,))]
        return []

    def _step(self, what: str, data: Any, ending: frozenset[str]) -> Calls:
        calls: Calls = []
        if what == "created":
            self.step_id = data.id
            self.steps[data.id] = data
            calls.append(("on_run_step_created", (data,)))
        elif what == _under_way():
            self.step_id = data.id
            self.steps[data.id] = data
        elif what in ending:
            if self.tool_call is not None:
                calls.append(("on_tool_call_done", (self.tool_call,)))
                self.tool_call = self.tool_index = None
            self.steps[data.id] = data
            self.step_id = None
            calls.append(("on_run_step_done", (data,)))
        return calls

    def _step_delta(self, data: Any, model: Any) -> Calls:
        calls: Calls = []
        if data.id not in self.steps:
            return calls
        snapshot = merge_delta(self.steps[data.id].to_dict(), data.delta.to_dict())
        self.steps[data.id] = step = _rebuild(model, snapshot)
        details = getattr(data.delta, "step_details", None)
        deltas = getattr(details, "tool_calls", None)
        known = getattr(getattr(step, "step_details", None), "tool_calls", None)
        for delta in deltas if isinstance(deltas, list) else []:
            index = getattr(delta, "index", None)
            if not isinstance(index, int) or not isinstance(known, list) or index >= len(known):
                continue
            if index == self.tool_index:
                calls.append(("on_tool_call_delta", (delta, known[index])))
            else:
                if self.tool_call is not None:
                    calls.append(("on_tool_call_done", (self.tool_call,)))
                self.tool_index = index
                calls.append(("on_tool_call_created", (known[index],)))
            self.tool_call = known[index]
        calls.append(("on_run_step_delta", (data.delta, step)))
        return calls

    def final_run(self) -> RunObject:
        if self.current_run is None:
            raise RuntimeError("No final run object found")
        return self.current_run

    def final_steps(self) -> list[RunStepObject]:
        if not self.steps:
            raise RuntimeError("No run steps found")
        return list(self.steps.values())

    def final_messages(self) -> list[MessageObject]:
        if not self.messages:
            raise RuntimeError("No messages found")
        return list(self.messages.values())


def _text_of_delta(event: AssistantStreamEvent) -> Iterator[str]:
    if event.event != "thread.message.delta":
        return
    for part in getattr(getattr(event.data, "delta", None), "content", None) or []:
        text = getattr(part, "text", None)
        value = getattr(text, "value", None)
        if getattr(part, "type", None) == "text" and isinstance(value, str) and value:
            yield value


class _HandlerState:
    """What both handlers show of the stream while events go by (openai-python's ``current_*``)."""

    _state: _Dispatcher

    @property
    def current_event(self) -> AssistantStreamEvent | None:
        return self._state.current_event

    @property
    def current_run(self) -> RunObject | None:
        return self._state.current_run

    @property
    def current_run_step_snapshot(self) -> RunStepObject | None:
        step_id = self._state.step_id
        return None if step_id is None else self._state.steps.get(step_id)

    @property
    def current_message_snapshot(self) -> MessageObject | None:
        return self._state.message


class AssistantEventHandler(_HandlerState):
    """Callbacks for the events of one streamed run; subclass and override the ``on_*`` you need.

    ``text_deltas`` iterates the text as it arrives; ``until_done()``, ``get_final_run()``,
    ``get_final_run_steps()`` and ``get_final_messages()`` read the rest of the stream first.
    """

    def __init__(self) -> None:
        self._state = _Dispatcher()
        self._stream: RunStream | None = None
        self._iterator = self._events()
        self.text_deltas: Iterator[str] = self._text_deltas()

    def _attach(self, stream: RunStream) -> None:
        if self._stream is not None:
            raise RuntimeError("An event handler reads one stream: make a new instance for each stream")
        self._stream = stream

    def __iter__(self) -> Iterator[AssistantStreamEvent]:
        return self._iterator

    def __next__(self) -> AssistantStreamEvent:
        return next(self._iterator)

    @property
    def response(self) -> Any:
        """The HTTP response the events come in (None before the stream is opened)."""
        return None if self._stream is None else self._stream.response

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()

    def until_done(self) -> None:
        for _ in self._iterator:
            pass

    def get_final_run(self) -> RunObject:
        self.until_done()
        return self._state.final_run()

    def get_final_run_steps(self) -> list[RunStepObject]:
        self.until_done()
        return self._state.final_steps()

    def get_final_messages(self) -> list[MessageObject]:
        self.until_done()
        return self._state.final_messages()

    def _events(self) -> Iterator[AssistantStreamEvent]:
        if self._stream is None:
            raise RuntimeError("The stream has not been opened yet: use the handler inside `with runs.stream(...)`")
        try:
            for event in self._stream:
                self._state.current_event = event
                for name, args in self._state.calls(event):
                    getattr(self, name)(*args)
                self._state.current_event = None
                yield event
        except APITimeoutError as exc:
            self.on_timeout()
            self.on_exception(exc)
            raise
        except Exception as exc:
            self.on_exception(exc)
            raise
        finally:
            self.on_end()

    def _text_deltas(self) -> Iterator[str]:
        for event in self:
            yield from _text_of_delta(event)

    # The callbacks: each does nothing until overridden.
    def on_end(self) -> None:
        """The stream ended: read to the end, or left by an exception."""

    def on_event(self, event: AssistantStreamEvent) -> None:
        """Every event, before the callbacks specific to it."""

    def on_run_step_created(self, run_step: RunStepObject) -> None: ...

    def on_run_step_delta(self, delta: Any, snapshot: RunStepObject) -> None: ...

    def on_run_step_done(self, run_step: RunStepObject) -> None: ...

    def on_tool_call_created(self, tool_call: Any) -> None: ...

    def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None: ...

    def on_tool_call_done(self, tool_call: Any) -> None: ...

    def on_exception(self, exception: Exception) -> None:
        """An exception while reading the stream (it is raised after this)."""

    def on_timeout(self) -> None:
        """The stream timed out (``on_exception`` follows)."""

    def on_message_created(self, message: MessageObject) -> None: ...

    def on_message_delta(self, delta: Any, snapshot: MessageObject) -> None: ...

    def on_message_done(self, message: MessageObject) -> None: ...

    def on_text_created(self, text: Any) -> None: ...

    def on_text_delta(self, delta: Any, snapshot: Any) -> None: ...

    def on_text_done(self, text: Any) -> None: ...

    def on_image_file_done(self, image_file: Any) -> None: ...


class AsyncAssistantEventHandler(_HandlerState):
    """The async twin of ``AssistantEventHandler``: the callbacks are ``async def``, and are awaited."""

    def __init__(self) -> None:
        self._state = _Dispatcher()
        self._stream: AsyncRunStream | None = None
        self._iterator = self._events()
        self.text_deltas: AsyncIterator[str] = self._text_deltas()

    def _attach(self, stream: AsyncRunStream) -> None:
        if self._stream is not None:
            raise RuntimeError("An event handler reads one stream: make a new instance for each stream")
        self._stream = stream

    def __aiter__(self) -> AsyncIterator[AssistantStreamEvent]:
        return self._iterator

    async def __anext__(self) -> AssistantStreamEvent:
        return await self._iterator.__anext__()

    async def close(self) -> None:
        if self._stream is not None:
            await self._stream.close()

    async def until_done(self) -> None:
        async for _ in self._iterator:
            pass

    async def get_final_run(self) -> RunObject:
        await self.until_done()
        return self._state.final_run()

    async def get_final_run_steps(self) -> list[RunStepObject]:
        await self.until_done()
        return self._state.final_steps()

    async def get_final_messages(self) -> list[MessageObject]:
        await self.until_done()
        return self._state.final_messages()

    async def _events(self) -> AsyncIterator[AssistantStreamEvent]:
        if self._stream is None:
            raise RuntimeError(
                "The stream has not been opened yet: use the handler inside `async with runs.stream(...)`"
            )
        try:
            async for event in self._stream:
                self._state.current_event = event
                for name, args in self._state.calls(event):
                    await getattr(self, name)(*args)
                self._state.current_event = None
                yield event
        except APITimeoutError as exc:
            await self.on_timeout()
            await self.on_exception(exc)
            raise
        except Exception as exc:
            await self.on_exception(exc)
            raise
        finally:
            await self.on_end()

    async def _text_deltas(self) -> AsyncIterator[str]:
        async for event in self:
            for text in _text_of_delta(event):
                yield text

    async def on_end(self) -> None: ...

    async def on_event(self, event: AssistantStreamEvent) -> None: ...

    async def on_run_step_created(self, run_step: RunStepObject) -> None: ...

    async def on_run_step_delta(self, delta: Any, snapshot: RunStepObject) -> None: ...

    async def on_run_step_done(self, run_step: RunStepObject) -> None: ...

    async def on_tool_call_created(self, tool_call: Any) -> None: ...

    async def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None: ...

    async def on_tool_call_done(self, tool_call: Any) -> None: ...

    async def on_exception(self, exception: Exception) -> None: ...

    async def on_timeout(self) -> None: ...

    async def on_message_created(self, message: MessageObject) -> None: ...

    async def on_message_delta(self, delta: Any, snapshot: MessageObject) -> None: ...

    async def on_message_done(self, message: MessageObject) -> None: ...

    async def on_text_created(self, text: Any) -> None: ...

    async def on_text_delta(self, delta: Any, snapshot: Any) -> None: ...

    async def on_text_done(self, text: Any) -> None: ...

    async def on_image_file_done(self, image_file: Any) -> None: ...


HandlerT = TypeVar("HandlerT", bound=AssistantEventHandler)
AsyncHandlerT = TypeVar("AsyncHandlerT", bound=AsyncAssistantEventHandler)


class AssistantStreamManager(Generic[HandlerT]):
    """What ``runs.stream(..., event_handler=handler)`` returns: ``with`` opens the stream and gives the handler."""

    def __init__(self, open_stream: Callable[[], RunStream], *, event_handler: HandlerT) -> None:
        self._open = open_stream
        self._handler = event_handler
        self._stream: RunStream | None = None

    def __enter__(self) -> HandlerT:
        self._stream = self._open()
        self._handler._attach(self._stream)
        return self._handler

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncAssistantStreamManager(Generic[AsyncHandlerT]):
    """The async twin: ``async with runs.stream(..., event_handler=handler) as handler``."""

    def __init__(self, open_stream: Callable[[], Awaitable[AsyncRunStream]], *, event_handler: AsyncHandlerT) -> None:
        self._open = open_stream
        self._handler = event_handler
        self._stream: AsyncRunStream | None = None

    async def __aenter__(self) -> AsyncHandlerT:
        self._stream = await self._open()
        self._handler._attach(self._stream)
        return self._handler

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._stream is not None:
            await self._stream.close()
