"""``client.beta.threads.runs``: the generated run methods, plus polling, streaming and the tool loop.

The API methods (``list``, ``create``, ``retrieve``, ``update``, ``cancel``,
``submit_tool_outputs``) and ``steps`` are generated from the spec into
``threadruns_api.resources.runs``; this module adds only what the spec cannot
express. Names and argument order follow openai-python's helpers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Unpack, overload

import httpx
from threadruns_api.models.run_status import RunStatus
from threadruns_api.resources import _operations as _ops
from threadruns_api.resources import runs as _generated

from .._base_client import RequestOptions
from .._event_handler import (
    AssistantEventHandler,
    AssistantStreamManager,
    AsyncAssistantEventHandler,
    AsyncAssistantStreamManager,
    AsyncHandlerT,
    HandlerT,
)
from .._exceptions import APIConnectionError, APIError, APIStatusError, ToolLoopError
from .._polling import Deadline, is_terminal, next_interval, poll_interval_seconds
from .._resource import _options, prepare
from .._retries import retry_delay, should_retry
from .._streaming import AsyncRunStreamManager, RunStreamManager
from .._tools import (
    AsyncToolFunction,
    ToolFunction,
    arun_tool,
    check_calls,
    check_functions,
    check_on_tool_error,
    pending_calls,
    run_tool,
)
from .._types import NOT_GIVEN, Body, Headers, NotGiven, Query, RequestOptionParams, Timeout

if TYPE_CHECKING:
    from threadruns_api.models import RunObject, SubmitToolOutputsRunRequestToolOutputsItem
    from threadruns_api.resources.params import CreateRunParams

    ToolOutput = SubmitToolOutputsRunRequestToolOutputsItem | Mapping[str, Any]

_OPTION_NAMES = RequestOptionParams.__optional_keys__


def _split(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The API arguments and the per-call options of a helper's ``**params``."""
    args = {k: v for k, v in params.items() if k not in _OPTION_NAMES}
    return args, {k: v for k, v in params.items() if k in _OPTION_NAMES}


def _request_options(options: Mapping[str, Any]) -> RequestOptions:
    return _options(
        options.get("extra_headers"),
        options.get("extra_query"),
        options.get("extra_body"),
        options.get("timeout", NOT_GIVEN),
        options.get("max_retries", NOT_GIVEN),
    )


def _follow_up(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options that carry over to follow-up calls (polls, tool output submits).

    ``extra_query`` and ``extra_body`` belong to the request they were given for: another
    endpoint would refuse them (an extra create field sent with submit_tool_outputs is a 400).
    """
    return {k: options[k] for k in ("timeout", "max_retries", "extra_headers") if k in options}


def _bounded(timeout: httpx.Timeout, remaining: float) -> httpx.Timeout:
    """``timeout`` with every component cut to the time left before the poll deadline."""
    parts = {"connect": timeout.connect, "read": timeout.read, "write": timeout.write, "pool": timeout.pool}
    return httpx.Timeout(**{k: remaining if v is None else min(v, remaining) for k, v in parts.items()})


def _retry_wait(exc: APIError, failures: int, max_retries: int, deadline: Deadline) -> float | None:
    """How long to wait before retrying a failed retrieval, or None to give up (never past the deadline)."""
    if failures >= max_retries or deadline.remaining() <= 0:
        return None
    if isinstance(exc, APIStatusError):
        if not should_retry(exc.response):
            return None
        return min(retry_delay(failures, exc.response.headers), deadline.remaining())
    if isinstance(exc, APIConnectionError):
        return min(retry_delay(failures, None), deadline.remaining())
    return None


def _poll_setup(
    client_timeout: httpx.Timeout, timeout: Timeout | NotGiven, max_retries: int | NotGiven, client_retries: int
) -> tuple[httpx.Timeout, int]:
    RequestOptions(timeout=timeout, max_retries=max_retries)  # checks both
    per_request = client_timeout if isinstance(timeout, NotGiven) else _as_timeout(timeout)
    return per_request, client_retries if isinstance(max_retries, NotGiven) else max_retries


def _as_timeout(timeout: Timeout) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def _check_handler(handler: object, kind: type) -> None:
    """``event_handler`` is an instance of ``kind`` (or None), checked before anything is sent."""
    if handler is not None and not isinstance(handler, kind):
        raise TypeError(f"event_handler must be an {kind.__name__} instance, got {type(handler).__name__}")


def _manager(open_stream: Any, handler: AssistantEventHandler | None) -> RunStreamManager | AssistantStreamManager[Any]:
    if handler is None:
        return RunStreamManager(open_stream)
    return AssistantStreamManager(open_stream, event_handler=handler)


def _async_manager(
    open_stream: Any, handler: AsyncAssistantEventHandler | None
) -> AsyncRunStreamManager | AsyncAssistantStreamManager[Any]:
    if handler is None:
        return AsyncRunStreamManager(open_stream)
    return AsyncAssistantStreamManager(open_stream, event_handler=handler)


def _rounds_left(run: RunObject, rounds: int, max_rounds: int) -> None:
    if rounds >= max_rounds:
        raise ToolLoopError(f"Run {run.id} still requires action after {rounds} rounds", run=run, rounds=rounds)


class Runs(_generated.Runs):
    """Runs of a thread: the API methods, plus ``poll``, ``stream`` and the ``*_and_poll`` helpers."""

    def poll(
        self,
        run_id: str,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        *,
        poll_timeout: float | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> RunObject:
        """Retrieve the run until polling should stop: it requires action or is over.

        The wait between retrievals is the server's ``openai-poll-after-ms``, else
        ``poll_interval_ms``, else 1 s. Beyond openai-python, ``poll_timeout`` is an
        overall deadline (default 1 h): ``PollTimeoutError`` carries the last run seen,
        and no request outlives it. ``timeout`` bounds each retrieval.
        """
        return self._poll_answer(
            run_id,
            thread_id,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            poll_interval_ms,
            poll_timeout=poll_timeout,
            max_retries=max_retries,
        )[0]

    def _poll_answer(
        self,
        run_id: str,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        *,
        poll_timeout: float | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> tuple[RunObject, httpx.Response]:
        """``poll``, and the response the last run came in (the tool loop's errors carry it)."""
        interval = poll_interval_seconds(poll_interval_ms)
        deadline = Deadline(poll_timeout)
        per_request, retries = _poll_setup(self._client.timeout, timeout, max_retries, self._client.max_retries)
        raw = self.with_raw_response.retrieve
        run: RunObject | None = None
        failures = 0
        while True:
            remaining = deadline.remaining()
            if remaining <= 0 and run is not None:
                raise deadline.expired(run)
            bounded = _bounded(per_request, max(remaining, 0.001))
            try:
                answer = raw(
                    run_id,
                    thread_id=thread_id,
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    extra_body=extra_body,
                    timeout=bounded,
                    max_retries=0,
                )
                fetched = answer.parse()
            except (APIConnectionError, APIStatusError) as exc:
                wait = _retry_wait(exc, failures, retries, deadline)
                if wait is None:
                    if run is not None and deadline.remaining() <= 0:
                        raise deadline.expired(run) from exc
                    raise
                failures += 1
                time.sleep(wait)
                continue
            failures = 0
            run = fetched
            if is_terminal(fetched):
                return fetched, answer.http_response
            time.sleep(max(0.0, min(next_interval(answer.headers, interval), deadline.remaining())))

    def create_and_poll(
        self,
        *,
        thread_id: str,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        poll_timeout: float | None = None,
        **params: Unpack[CreateRunParams],
    ) -> RunObject:
        """Create a run, then ``poll`` it."""
        poll_interval_seconds(poll_interval_ms)
        Deadline(poll_timeout)  # both checked before the run is created
        run = self.create(thread_id, **params)
        _, options = _split(params)
        return self.poll(
            run.id, thread_id, poll_interval_ms=poll_interval_ms, poll_timeout=poll_timeout, **_follow_up(options)
        )

    @overload
    def stream(
        self, *, thread_id: str, event_handler: None = None, **params: Unpack[CreateRunParams]
    ) -> RunStreamManager: ...

    @overload
    def stream(
        self, *, thread_id: str, event_handler: HandlerT, **params: Unpack[CreateRunParams]
    ) -> AssistantStreamManager[HandlerT]: ...

    def stream(
        self,
        *,
        thread_id: str,
        event_handler: AssistantEventHandler | None = None,
        **params: Unpack[CreateRunParams],
    ) -> RunStreamManager | AssistantStreamManager[Any]:
        """Create a run and stream its events: ``with client.beta.threads.runs.stream(...) as stream``.

        With ``event_handler`` (an ``AssistantEventHandler``), ``with`` gives that handler, whose
        callbacks fire as the events arrive. The arguments are checked now; the request is sent
        when the ``with`` block starts.
        """
        _check_handler(event_handler, AssistantEventHandler)
        args, options = _split(params)
        kwargs, _ = prepare(_ops.CREATE_RUN, {**args, "thread_id": thread_id, "stream": True})
        request_options = _request_options(options)
        return _manager(lambda: self._open_stream(kwargs, request_options), event_handler)

    def submit_tool_outputs_and_poll(
        self,
        *,
        tool_outputs: Sequence[ToolOutput],
        run_id: str,
        thread_id: str,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        poll_timeout: float | None = None,
        **options: Unpack[RequestOptionParams],
    ) -> RunObject:
        """Submit tool outputs, then ``poll`` the run."""
        poll_interval_seconds(poll_interval_ms)
        Deadline(poll_timeout)
        run = self.submit_tool_outputs(run_id, thread_id=thread_id, tool_outputs=tool_outputs, **options)
        return self.poll(
            run.id, thread_id, poll_interval_ms=poll_interval_ms, poll_timeout=poll_timeout, **_follow_up(options)
        )

    @overload
    def submit_tool_outputs_stream(
        self,
        *,
        tool_outputs: Sequence[ToolOutput],
        run_id: str,
        thread_id: str,
        event_handler: None = None,
        **options: Unpack[RequestOptionParams],
    ) -> RunStreamManager: ...

    @overload
    def submit_tool_outputs_stream(
        self,
        *,
        tool_outputs: Sequence[ToolOutput],
        run_id: str,
        thread_id: str,
        event_handler: HandlerT,
        **options: Unpack[RequestOptionParams],
    ) -> AssistantStreamManager[HandlerT]: ...

    def submit_tool_outputs_stream(
        self,
        *,
        tool_outputs: Sequence[ToolOutput],
        run_id: str,
        thread_id: str,
        event_handler: AssistantEventHandler | None = None,
        **options: Unpack[RequestOptionParams],
    ) -> RunStreamManager | AssistantStreamManager[Any]:
        """Submit tool outputs and stream the rest of the run, as a context manager (``event_handler``: see
        ``stream``)."""
        _check_handler(event_handler, AssistantEventHandler)
        args = {"run_id": run_id, "thread_id": thread_id, "tool_outputs": tool_outputs, "stream": True}
        kwargs, _ = prepare(_ops.SUBMIT_TOOL_OUTPUTS_TO_RUN, args)
        request_options = _request_options(options)
        return _manager(lambda: self._open_stream(kwargs, request_options), event_handler)

    def create_and_run_tools(
        self,
        *,
        thread_id: str,
        functions: Mapping[str, ToolFunction],
        max_rounds: int = 10,
        stream: bool = False,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        poll_timeout: float | None = None,
        on_tool_error: Literal["report", "raise"] = "report",
        **params: Unpack[CreateRunParams],
    ) -> RunObject:
        """Create a run and answer its function calls with ``functions`` until it is over.

        Each round calls the named functions with the call's JSON arguments as
        keyword arguments and submits all outputs at once. A function that raises is
        logged as a warning with its traceback and its error goes back to the run as
        that tool's output; ``on_tool_error="raise"`` raises it instead (the run then
        still requires action). More than ``max_rounds`` rounds raise ``ToolLoopError``.
        ``stream=True`` drives the run through streams.
        """
        check_functions(functions, max_rounds, awaitable=False)
        check_on_tool_error(on_tool_error)
        if not isinstance(stream, bool):
            raise TypeError(f"stream must be a bool, got {type(stream).__name__}")
        poll_interval_seconds(poll_interval_ms)  # checked now, whichever way the run is driven
        Deadline(poll_timeout)
        _, options = _split(params)
        carried = _follow_up(options)
        poll = {"poll_interval_ms": poll_interval_ms, "poll_timeout": poll_timeout, **carried}
        # Each run comes with the response it arrived in: an error about its tool calls carries that response.
        if stream:
            with self.stream(thread_id=thread_id, **params) as events:
                run, response = events.final_run(), events.response
        else:
            created = self.create(thread_id, **params)
            run, response = self._poll_answer(created.id, thread_id, **poll)
        rounds = 0
        while True:
            if not is_terminal(run):
                run, response = self._poll_answer(run.id, thread_id, **poll)
            if str(run.status) != RunStatus.REQUIRES_ACTION:
                return run
            _rounds_left(run, rounds, max_rounds)
            rounds += 1
            check_calls(run, response)
            calls = pending_calls(run)
            if not calls:
                raise ToolLoopError(f"Run {run.id} requires action but lists no tool calls", run=run, rounds=rounds)
            outputs = [run_tool(functions, call, on_tool_error) for call in calls]
            if stream:
                with self.submit_tool_outputs_stream(
                    tool_outputs=outputs, run_id=run.id, thread_id=thread_id, **carried
                ) as events:
                    run, response = events.final_run(), events.response
            else:
                submitted = self.submit_tool_outputs(run.id, thread_id=thread_id, tool_outputs=outputs, **carried)
                run, response = self._poll_answer(submitted.id, thread_id, **poll)


class AsyncRuns(_generated.AsyncRuns):
    """Async twins of the run helpers: the same names and arguments, awaited."""

    async def poll(
        self,
        run_id: str,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        *,
        poll_timeout: float | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> RunObject:
        """Retrieve the run until polling should stop; ``poll_timeout`` is an overall deadline."""
        answer = await self._poll_answer(
            run_id,
            thread_id,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            poll_interval_ms,
            poll_timeout=poll_timeout,
            max_retries=max_retries,
        )
        return answer[0]

    async def _poll_answer(
        self,
        run_id: str,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        *,
        poll_timeout: float | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> tuple[RunObject, httpx.Response]:
        """``poll``, and the response the last run came in (the tool loop's errors carry it)."""
        import asyncio  # only async polling needs it; not loaded by `import threadruns`

        interval = poll_interval_seconds(poll_interval_ms)
        deadline = Deadline(poll_timeout)
        per_request, retries = _poll_setup(self._client.timeout, timeout, max_retries, self._client.max_retries)
        raw = self.with_raw_response.retrieve
        run: RunObject | None = None
        failures = 0
        while True:
            remaining = deadline.remaining()
            if remaining <= 0 and run is not None:
                raise deadline.expired(run)
            bounded = _bounded(per_request, max(remaining, 0.001))
            try:
                answer = await raw(
                    run_id,
                    thread_id=thread_id,
                    extra_headers=extra_headers,
                    extra_query=extra_query,
                    extra_body=extra_body,
                    timeout=bounded,
                    max_retries=0,
                )
                fetched = answer.parse()
            except (APIConnectionError, APIStatusError) as exc:
                wait = _retry_wait(exc, failures, retries, deadline)
                if wait is None:
                    if run is not None and deadline.remaining() <= 0:
                        raise deadline.expired(run) from exc
                    raise
                failures += 1
                await asyncio.sleep(wait)
                continue
            failures = 0
            run = fetched
            if is_terminal(fetched):
                return fetched, answer.http_response
            await asyncio.sleep(max(0.0, min(next_interval(answer.headers, interval), deadline.remaining())))

    async def create_and_poll(
        self,
        *,
        thread_id: str,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        poll_timeout: float | None = None,
        **params: Unpack[CreateRunParams],
    ) -> RunObject:
        """Create a run, then ``poll`` it."""
        poll_interval_seconds(poll_interval_ms)
        Deadline(poll_timeout)
        run = await self.create(thread_id, **params)
        _, options = _split(params)
        return await self.poll(
            run.id, thread_id, poll_interval_ms=poll_interval_ms, poll_timeout=poll_timeout, **_follow_up(options)
        )

    @overload
    def stream(
        self, *, thread_id: str, event_handler: None = None, **params: Unpack[CreateRunParams]
    ) -> AsyncRunStreamManager: ...

    @overload
    def stream(
        self, *, thread_id: str, event_handler: AsyncHandlerT, **params: Unpack[CreateRunParams]
    ) -> AsyncAssistantStreamManager[AsyncHandlerT]: ...

    def stream(
        self,
        *,
        thread_id: str,
        event_handler: AsyncAssistantEventHandler | None = None,
        **params: Unpack[CreateRunParams],
    ) -> AsyncRunStreamManager | AsyncAssistantStreamManager[Any]:
        """Create a run and stream its events: ``async with client.beta.threads.runs.stream(...)`` (no await);
        with ``event_handler`` (an ``AsyncAssistantEventHandler``) ``async with`` gives that handler."""
        _check_handler(event_handler, AsyncAssistantEventHandler)
        args, options = _split(params)
        kwargs, _ = prepare(_ops.CREATE_RUN, {**args, "thread_id": thread_id, "stream": True})
        request_options = _request_options(options)
        return _async_manager(lambda: self._open_stream(kwargs, request_options), event_handler)

    async def submit_tool_outputs_and_poll(
        self,
        *,
        tool_outputs: Sequence[ToolOutput],
        run_id: str,
        thread_id: str,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        poll_timeout: float | None = None,
        **options: Unpack[RequestOptionParams],
    ) -> RunObject:
        """Submit tool outputs, then ``poll`` the run."""
        poll_interval_seconds(poll_interval_ms)
        Deadline(poll_timeout)
        run = await self.submit_tool_outputs(run_id, thread_id=thread_id, tool_outputs=tool_outputs, **options)
        return await self.poll(
            run.id, thread_id, poll_interval_ms=poll_interval_ms, poll_timeout=poll_timeout, **_follow_up(options)
        )

    @overload
    def submit_tool_outputs_stream(
        self,
        *,
        tool_outputs: Sequence[ToolOutput],
        run_id: str,
        thread_id: str,
        event_handler: None = None,
        **options: Unpack[RequestOptionParams],
    ) -> AsyncRunStreamManager: ...

    @overload
    def submit_tool_outputs_stream(
        self,
        *,
        tool_outputs: Sequence[ToolOutput],
        run_id: str,
        thread_id: str,
        event_handler: AsyncHandlerT,
        **options: Unpack[RequestOptionParams],
    ) -> AsyncAssistantStreamManager[AsyncHandlerT]: ...

    def submit_tool_outputs_stream(
        self,
        *,
        tool_outputs: Sequence[ToolOutput],
        run_id: str,
        thread_id: str,
        event_handler: AsyncAssistantEventHandler | None = None,
        **options: Unpack[RequestOptionParams],
    ) -> AsyncRunStreamManager | AsyncAssistantStreamManager[Any]:
        """Submit tool outputs and stream the rest of the run, as an async context manager."""
        _check_handler(event_handler, AsyncAssistantEventHandler)
        args = {"run_id": run_id, "thread_id": thread_id, "tool_outputs": tool_outputs, "stream": True}
        kwargs, _ = prepare(_ops.SUBMIT_TOOL_OUTPUTS_TO_RUN, args)
        request_options = _request_options(options)
        return _async_manager(lambda: self._open_stream(kwargs, request_options), event_handler)

    async def create_and_run_tools(
        self,
        *,
        thread_id: str,
        functions: Mapping[str, AsyncToolFunction],
        max_rounds: int = 10,
        stream: bool = False,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        poll_timeout: float | None = None,
        on_tool_error: Literal["report", "raise"] = "report",
        **params: Unpack[CreateRunParams],
    ) -> RunObject:
        """Async ``create_and_run_tools``: functions may be plain or ``async def``."""
        check_functions(functions, max_rounds, awaitable=True)
        check_on_tool_error(on_tool_error)
        if not isinstance(stream, bool):
            raise TypeError(f"stream must be a bool, got {type(stream).__name__}")
        poll_interval_seconds(poll_interval_ms)
        Deadline(poll_timeout)
        _, options = _split(params)
        carried = _follow_up(options)
        poll = {"poll_interval_ms": poll_interval_ms, "poll_timeout": poll_timeout, **carried}
        if stream:
            async with self.stream(thread_id=thread_id, **params) as events:
                run, response = await events.final_run(), events.response
        else:
            created = await self.create(thread_id, **params)
            run, response = await self._poll_answer(created.id, thread_id, **poll)
        rounds = 0
        while True:
            if not is_terminal(run):
                run, response = await self._poll_answer(run.id, thread_id, **poll)
            if str(run.status) != RunStatus.REQUIRES_ACTION:
                return run
            _rounds_left(run, rounds, max_rounds)
            rounds += 1
            check_calls(run, response)
            calls = pending_calls(run)
            if not calls:
                raise ToolLoopError(f"Run {run.id} requires action but lists no tool calls", run=run, rounds=rounds)
            outputs = [await arun_tool(functions, call, on_tool_error) for call in calls]
            if stream:
                async with self.submit_tool_outputs_stream(
                    tool_outputs=outputs, run_id=run.id, thread_id=thread_id, **carried
                ) as events:
                    run, response = await events.final_run(), events.response
            else:
                submitted = await self.submit_tool_outputs(run.id, thread_id=thread_id, tool_outputs=outputs, **carried)
                run, response = await self._poll_answer(submitted.id, thread_id, **poll)
