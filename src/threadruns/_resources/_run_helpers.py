"""Polling and the tool-call loop, on top of ``runs``' basic methods.

Mixed into ``Runs``/``AsyncRuns``; kept apart so each module has one job.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Unpack

import httpx

from .._base_client import RequestOptions
from .._exceptions import APIConnectionError, APIError, APIStatusError, ToolLoopError
from .._polling import Deadline, check_poll_interval, is_terminal, next_interval
from .._response import RAW_RESPONSE
from .._retries import retry_delay, should_retry
from .._streaming import AsyncRunStream, AsyncRunStreamManager, RunStream, RunStreamManager
from .._tools import AsyncToolFunction, ToolFunction, arun_tool, check_functions, pending_calls, run_tool
from .._types import NOT_GIVEN, NotGiven
from . import _requests as R

if TYPE_CHECKING:
    from threadruns_api.models import RunObject

    from .._base_client import AsyncAPIClient, SyncAPIClient
    from ._params import CreateRunParams, PollRequestParams, RequestOptionParams, ToolOutput


def _run_and_headers(response: httpx.Response) -> tuple[RunObject, httpx.Headers]:
    return R.parse_run(response), response.headers


_POLL_OPTIONS = frozenset({"max_retries", "extra_headers", "extra_query"})


def _poll_options(params: Mapping[str, Any], client_retries: int) -> tuple[RequestOptions, int]:
    """Options of each retrieval (retried by the poll loop itself, within the deadline), and the retry budget."""
    unknown = sorted(set(params) - _POLL_OPTIONS)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) for poll: {', '.join(unknown)}")
    options = RequestOptions(
        max_retries=0, extra_headers=params.get("extra_headers"), extra_query=params.get("extra_query")
    )
    retries = params.get("max_retries", NOT_GIVEN)
    return options, client_retries if isinstance(retries, NotGiven) else retries


def _bounded(options: RequestOptions, default: httpx.Timeout, remaining: float) -> RequestOptions:
    """``options`` with every timeout component cut to the time left before the poll deadline."""
    parts = {"connect": default.connect, "read": default.read, "write": default.write, "pool": default.pool}
    cut = {name: remaining if value is None else min(value, remaining) for name, value in parts.items()}
    return RequestOptions(httpx.Timeout(**cut), 0, options.extra_headers, options.extra_query)


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


class SyncRunHelpers:
    """``poll``, ``create_and_poll``, ``submit_tool_outputs_and_poll`` and ``create_and_run_tools``."""

    _client: SyncAPIClient

    def stream(self, thread_id: str, **params: Unpack[CreateRunParams]) -> RunStreamManager:
        """Create a run and stream its events: ``with client.runs.stream(...) as stream``."""
        kwargs, options = R.prepare_create(thread_id, params, stream=True)
        return RunStreamManager(lambda: self._open_stream(kwargs, options))

    def submit_tool_outputs_stream(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        **options: Unpack[RequestOptionParams],
    ) -> RunStreamManager:
        """Submit tool outputs and stream the rest of the run, as a context manager."""
        kwargs, request_options = R.prepare_submit(thread_id, run_id, tool_outputs, options, stream=True)
        return RunStreamManager(lambda: self._open_stream(kwargs, request_options))

    def _open_stream(self, kwargs: R.Kwargs, options: RequestOptions) -> RunStream:
        if RAW_RESPONSE.get():
            raise TypeError("with_raw_response cannot stream: use runs.stream(...) and read stream.response")
        response = self._client.request_stream(kwargs, options)
        try:
            return RunStream(response)
        except BaseException:
            response.close()
            raise

    def poll(
        self,
        thread_id: str,
        run_id: str,
        *,
        poll_interval: float | None = None,
        timeout: float | None = None,
        **options: Unpack[PollRequestParams],
    ) -> RunObject:
        """Retrieve the run until it requires action or is over; ``timeout`` is an overall deadline.

        The wait between retrievals is the server's ``openai-poll-after-ms``, else
        ``poll_interval``, else 1 s. ``PollTimeoutError`` carries the last run seen.
        """
        check_poll_interval(poll_interval)
        deadline = Deadline(timeout)
        kwargs = R.get_run_kwargs(thread_id, run_id)
        request_options, max_retries = _poll_options(options, self._client.max_retries)
        run: RunObject | None = None
        failures = 0
        while True:
            remaining = deadline.remaining()
            if remaining <= 0 and run is not None:
                raise deadline.expired(run)
            bounded = _bounded(request_options, self._client.timeout, max(remaining, 0.001))
            try:
                fetched, headers = self._client.request(kwargs, _run_and_headers, bounded)
            except (APIConnectionError, APIStatusError) as exc:
                wait = _retry_wait(exc, failures, max_retries, deadline)
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
                return fetched
            time.sleep(max(0.0, min(next_interval(headers, poll_interval), deadline.remaining())))

    def create_and_poll(
        self,
        thread_id: str,
        *,
        poll_interval: float | None = None,
        poll_timeout: float | None = None,
        **params: Unpack[CreateRunParams],
    ) -> RunObject:
        """Create a run, then ``poll`` it."""
        check_poll_interval(poll_interval)
        Deadline(poll_timeout)  # validates before the run is created
        kwargs, request_options = R.prepare_create(thread_id, params, stream=False)
        run = self._client.request(kwargs, R.parse_run, request_options)
        return self.poll(thread_id, run.id, poll_interval=poll_interval, timeout=poll_timeout, **R.poll_params(params))

    def submit_tool_outputs_and_poll(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        poll_interval: float | None = None,
        poll_timeout: float | None = None,
        **options: Unpack[RequestOptionParams],
    ) -> RunObject:
        """Submit tool outputs, then ``poll`` the run."""
        check_poll_interval(poll_interval)
        Deadline(poll_timeout)
        kwargs, request_options = R.prepare_submit(thread_id, run_id, tool_outputs, options, stream=False)
        run = self._client.request(kwargs, R.parse_run, request_options)
        return self.poll(thread_id, run.id, poll_interval=poll_interval, timeout=poll_timeout, **R.poll_params(options))

    def create_and_run_tools(
        self,
        thread_id: str,
        *,
        functions: Mapping[str, ToolFunction],
        max_rounds: int = 10,
        stream: bool = False,
        poll_interval: float | None = None,
        poll_timeout: float | None = None,
        **params: Unpack[CreateRunParams],
    ) -> RunObject:
        """Create a run and answer its function calls with ``functions`` until it is over.

        Each round calls the named functions with the call's JSON arguments as
        keyword arguments and submits all outputs at once. Errors inside a function
        go back to the run as that tool's output. More than ``max_rounds`` rounds
        raise ``ToolLoopError``. ``stream=True`` drives the run through streams.
        """
        check_functions(functions, max_rounds, awaitable=False)
        R.check_stream_flag(stream)
        check_poll_interval(poll_interval)  # checked now, whichever way the run is driven
        Deadline(poll_timeout)
        options = R.option_params(params)
        if stream:
            with self.stream(thread_id, **params) as events:
                run = events.final_run()
        else:
            run = self.create_and_poll(thread_id, poll_interval=poll_interval, poll_timeout=poll_timeout, **params)
        rounds = 0
        while True:
            if not is_terminal(run):
                run = self.poll(
                    thread_id, run.id, poll_interval=poll_interval, timeout=poll_timeout, **R.poll_params(options)
                )
            if str(run.status) != "requires_action":
                return run
            if rounds >= max_rounds:
                raise ToolLoopError(f"Run {run.id} still requires action after {rounds} rounds", run=run, rounds=rounds)
            rounds += 1
            calls = pending_calls(run)
            if not calls:
                raise ToolLoopError(f"Run {run.id} requires action but lists no tool calls", run=run, rounds=rounds)
            outputs = [run_tool(functions, call) for call in calls]
            if stream:
                with self.submit_tool_outputs_stream(thread_id, run.id, tool_outputs=outputs, **options) as events:
                    run = events.final_run()
            else:
                run = self.submit_tool_outputs_and_poll(
                    thread_id,
                    run.id,
                    tool_outputs=outputs,
                    poll_interval=poll_interval,
                    poll_timeout=poll_timeout,
                    **options,
                )


class AsyncRunHelpers:
    """Async twins of the polling and tool-loop helpers."""

    _client: AsyncAPIClient

    def stream(self, thread_id: str, **params: Unpack[CreateRunParams]) -> AsyncRunStreamManager:
        """Create a run and stream its events: ``async with client.runs.stream(...) as stream`` (no await)."""
        kwargs, options = R.prepare_create(thread_id, params, stream=True)
        return AsyncRunStreamManager(lambda: self._open_stream(kwargs, options))

    def submit_tool_outputs_stream(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        **options: Unpack[RequestOptionParams],
    ) -> AsyncRunStreamManager:
        """Submit tool outputs and stream the rest of the run, as an async context manager."""
        kwargs, request_options = R.prepare_submit(thread_id, run_id, tool_outputs, options, stream=True)
        return AsyncRunStreamManager(lambda: self._open_stream(kwargs, request_options))

    async def _open_stream(self, kwargs: R.Kwargs, options: RequestOptions) -> AsyncRunStream:
        if RAW_RESPONSE.get():
            raise TypeError("with_raw_response cannot stream: use runs.stream(...) and read stream.response")
        response = await self._client.request_stream(kwargs, options)
        try:
            return AsyncRunStream(response)
        except BaseException:
            await response.aclose()
            raise

    async def poll(
        self,
        thread_id: str,
        run_id: str,
        *,
        poll_interval: float | None = None,
        timeout: float | None = None,
        **options: Unpack[PollRequestParams],
    ) -> RunObject:
        """Retrieve the run until it requires action or is over; ``timeout`` is an overall deadline."""
        check_poll_interval(poll_interval)
        deadline = Deadline(timeout)
        kwargs = R.get_run_kwargs(thread_id, run_id)
        request_options, max_retries = _poll_options(options, self._client.max_retries)
        run: RunObject | None = None
        failures = 0
        while True:
            remaining = deadline.remaining()
            if remaining <= 0 and run is not None:
                raise deadline.expired(run)
            bounded = _bounded(request_options, self._client.timeout, max(remaining, 0.001))
            try:
                fetched, headers = await self._client.request(kwargs, _run_and_headers, bounded)
            except (APIConnectionError, APIStatusError) as exc:
                wait = _retry_wait(exc, failures, max_retries, deadline)
                if wait is None:
                    if run is not None and deadline.remaining() <= 0:
                        raise deadline.expired(run) from exc
                    raise
                failures += 1
                import asyncio

                await asyncio.sleep(wait)
                continue
            failures = 0
            run = fetched
            if is_terminal(fetched):
                return fetched
            import asyncio  # only async polling needs it; not loaded by `import threadruns`

            await asyncio.sleep(max(0.0, min(next_interval(headers, poll_interval), deadline.remaining())))

    async def create_and_poll(
        self,
        thread_id: str,
        *,
        poll_interval: float | None = None,
        poll_timeout: float | None = None,
        **params: Unpack[CreateRunParams],
    ) -> RunObject:
        """Create a run, then ``poll`` it."""
        check_poll_interval(poll_interval)
        Deadline(poll_timeout)
        kwargs, request_options = R.prepare_create(thread_id, params, stream=False)
        run = await self._client.request(kwargs, R.parse_run, request_options)
        poll_options = R.poll_params(params)
        return await self.poll(thread_id, run.id, poll_interval=poll_interval, timeout=poll_timeout, **poll_options)

    async def submit_tool_outputs_and_poll(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        poll_interval: float | None = None,
        poll_timeout: float | None = None,
        **options: Unpack[RequestOptionParams],
    ) -> RunObject:
        """Submit tool outputs, then ``poll`` the run."""
        check_poll_interval(poll_interval)
        Deadline(poll_timeout)
        kwargs, request_options = R.prepare_submit(thread_id, run_id, tool_outputs, options, stream=False)
        run = await self._client.request(kwargs, R.parse_run, request_options)
        poll_options = R.poll_params(options)
        return await self.poll(thread_id, run.id, poll_interval=poll_interval, timeout=poll_timeout, **poll_options)

    async def create_and_run_tools(
        self,
        thread_id: str,
        *,
        functions: Mapping[str, AsyncToolFunction],
        max_rounds: int = 10,
        stream: bool = False,
        poll_interval: float | None = None,
        poll_timeout: float | None = None,
        **params: Unpack[CreateRunParams],
    ) -> RunObject:
        """Async ``create_and_run_tools``: functions may be plain or ``async def``."""
        check_functions(functions, max_rounds, awaitable=True)
        R.check_stream_flag(stream)
        check_poll_interval(poll_interval)  # checked now, whichever way the run is driven
        Deadline(poll_timeout)
        options = R.option_params(params)
        if stream:
            async with self.stream(thread_id, **params) as events:
                run = await events.final_run()
        else:
            run = await self.create_and_poll(
                thread_id, poll_interval=poll_interval, poll_timeout=poll_timeout, **params
            )
        rounds = 0
        while True:
            if not is_terminal(run):
                run = await self.poll(
                    thread_id, run.id, poll_interval=poll_interval, timeout=poll_timeout, **R.poll_params(options)
                )
            if str(run.status) != "requires_action":
                return run
            if rounds >= max_rounds:
                raise ToolLoopError(f"Run {run.id} still requires action after {rounds} rounds", run=run, rounds=rounds)
            rounds += 1
            calls = pending_calls(run)
            if not calls:
                raise ToolLoopError(f"Run {run.id} requires action but lists no tool calls", run=run, rounds=rounds)
            outputs = [await arun_tool(functions, call) for call in calls]
            if stream:
                async with self.submit_tool_outputs_stream(
                    thread_id, run.id, tool_outputs=outputs, **options
                ) as events:
                    run = await events.final_run()
            else:
                run = await self.submit_tool_outputs_and_poll(
                    thread_id,
                    run.id,
                    tool_outputs=outputs,
                    poll_interval=poll_interval,
                    poll_timeout=poll_timeout,
                    **options,
                )
