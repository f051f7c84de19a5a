"""``client.runs``: list, create, retrieve, update and cancel runs, and submit tool outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Unpack, overload

import httpx

from .._base_client import AsyncAPIClient, RequestOptions, SyncAPIClient
from .._pagination import AsyncCursorPage, AsyncPaginator, Cursor, SyncCursorPage, start_cursor
from .._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._streaming import AsyncRunStream, RunStream
from .._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from . import _requests as R
from ._run_helpers import AsyncRunHelpers, SyncRunHelpers
from .steps import AsyncSteps, AsyncStepsWithRawResponse, Steps, StepsWithRawResponse

if TYPE_CHECKING:  # annotations only: the models load with the first request, not with the package
    from threadruns_api.models import AssistantsNamedToolChoice, CreateMessageRequest, RunObject, TruncationObject

    from ._params import AssistantTool, CreateRunParams, RequestOptionParams, ResponseFormat, ToolOutput


class Runs(SyncRunHelpers):
    """Runs of a thread (``Client.runs``)."""

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client
        self.steps = Steps(client)

    @property
    def with_raw_response(self) -> RunsWithRawResponse:
        return RunsWithRawResponse(self)

    def list(
        self,
        thread_id: str,
        *,
        limit: int | NotGiven = NOT_GIVEN,
        order: str | NotGiven = NOT_GIVEN,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> SyncCursorPage[RunObject]:
        """GET /threads/{thread_id}/runs: the first page; iterate it for every run, lazily."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        start, backwards = start_cursor(after, before)

        def fetch(cursor: Cursor, seen: frozenset[str]) -> SyncCursorPage[RunObject]:
            kwargs = R.list_runs_kwargs(
                thread_id,
                limit=limit,
                order=order,
                after=cursor.get("after", NOT_GIVEN),
                before=cursor.get("before", NOT_GIVEN),
            )

            def parse(response: httpx.Response) -> SyncCursorPage[RunObject]:
                listing = R.parse_runs_list(response)
                return SyncCursorPage(
                    fetch=fetch, seen=seen, **R.page_fields(listing, backwards=backwards, bound=start)
                )

            return self._client.request(kwargs, parse, options)

        return fetch(start, frozenset())

    @overload
    def create(self, thread_id: str, *, stream: Literal[True], **params: Unpack[CreateRunParams]) -> RunStream: ...

    @overload
    def create(
        self, thread_id: str, *, stream: Literal[False] | NotGiven = NOT_GIVEN, **params: Unpack[CreateRunParams]
    ) -> RunObject: ...

    @overload
    def create(self, thread_id: str, *, stream: bool, **params: Unpack[CreateRunParams]) -> RunObject | RunStream: ...

    def create(
        self,
        thread_id: str,
        *,
        assistant_id: str,
        model: str | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: Sequence[CreateMessageRequest | Mapping[str, Any]] | NotGiven | None = NOT_GIVEN,
        tools: Sequence[AssistantTool | Mapping[str, Any]] | NotGiven | None = NOT_GIVEN,
        metadata: Mapping[str, str] | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        truncation_strategy: TruncationObject | Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        tool_choice: str | AssistantsNamedToolChoice | Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: str | ResponseFormat | Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        reasoning_effort: str | NotGiven | None = NOT_GIVEN,
        include: Sequence[str] | NotGiven = NOT_GIVEN,
        stream: bool | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject | RunStream:
        """POST /threads/{thread_id}/runs: start a run; arguments left out are not sent.

        With ``stream=True`` the answer is a ``RunStream`` of typed events instead of a RunObject.
        """
        is_stream = R.check_stream_flag(stream)
        params = {
            "assistant_id": assistant_id,
            "model": model,
            "instructions": instructions,
            "additional_instructions": additional_instructions,
            "additional_messages": additional_messages,
            "tools": tools,
            "metadata": metadata,
            "temperature": temperature,
            "top_p": top_p,
            "max_prompt_tokens": max_prompt_tokens,
            "max_completion_tokens": max_completion_tokens,
            "truncation_strategy": truncation_strategy,
            "tool_choice": tool_choice,
            "parallel_tool_calls": parallel_tool_calls,
            "response_format": response_format,
            "reasoning_effort": reasoning_effort,
            "include": include,
            "timeout": timeout,
            "max_retries": max_retries,
            "extra_headers": extra_headers,
            "extra_query": extra_query,
            "extra_body": extra_body,
        }
        kwargs, options = R.prepare_create(thread_id, params, stream=is_stream)
        if is_stream:
            return self._open_stream(kwargs, options)
        return self._client.request(kwargs, R.parse_run, options)

    def retrieve(
        self,
        thread_id: str,
        run_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject:
        """GET /threads/{thread_id}/runs/{run_id}."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        return self._client.request(R.get_run_kwargs(thread_id, run_id), R.parse_run, options)

    def update(
        self,
        thread_id: str,
        run_id: str,
        *,
        metadata: Mapping[str, str] | NotGiven | None = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject:
        """POST /threads/{thread_id}/runs/{run_id}: replace the run's metadata."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        return self._client.request(R.modify_run_kwargs(thread_id, run_id, metadata), R.parse_run, options)

    def cancel(
        self,
        thread_id: str,
        run_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject:
        """POST /threads/{thread_id}/runs/{run_id}/cancel."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        return self._client.request(R.cancel_run_kwargs(thread_id, run_id), R.parse_run, options)

    @overload
    def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        stream: Literal[True],
        **options: Unpack[RequestOptionParams],
    ) -> RunStream: ...

    @overload
    def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        stream: Literal[False] | NotGiven = NOT_GIVEN,
        **options: Unpack[RequestOptionParams],
    ) -> RunObject: ...

    @overload
    def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        stream: bool,
        **options: Unpack[RequestOptionParams],
    ) -> RunObject | RunStream: ...

    def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        stream: bool | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject | RunStream:
        """POST /threads/{thread_id}/runs/{run_id}/submit_tool_outputs: answer every pending tool call.

        With ``stream=True`` the run's continuation arrives as a ``RunStream``.
        """
        is_stream = R.check_stream_flag(stream)
        params = {
            "timeout": timeout,
            "max_retries": max_retries,
            "extra_headers": extra_headers,
            "extra_query": extra_query,
            "extra_body": extra_body,
        }
        kwargs, options = R.prepare_submit(thread_id, run_id, tool_outputs, params, stream=is_stream)
        if is_stream:
            return self._open_stream(kwargs, options)
        return self._client.request(kwargs, R.parse_run, options)


class AsyncRuns(AsyncRunHelpers):
    """Runs of a thread, async (``AsyncClient.runs``)."""

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client
        self.steps = AsyncSteps(client)

    @property
    def with_raw_response(self) -> AsyncRunsWithRawResponse:
        return AsyncRunsWithRawResponse(self)

    def list(
        self,
        thread_id: str,
        *,
        limit: int | NotGiven = NOT_GIVEN,
        order: str | NotGiven = NOT_GIVEN,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> AsyncPaginator[RunObject]:
        """GET /threads/{thread_id}/runs: ``await`` for the first page, ``async for`` for every run."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        start, backwards = start_cursor(after, before)

        def kwargs_for(cursor: Cursor) -> R.Kwargs:
            return R.list_runs_kwargs(
                thread_id,
                limit=limit,
                order=order,
                after=cursor.get("after", NOT_GIVEN),
                before=cursor.get("before", NOT_GIVEN),
            )

        first = kwargs_for(start)  # validates now, before anything is awaited

        async def fetch(cursor: Cursor, seen: frozenset[str]) -> AsyncCursorPage[RunObject]:
            def parse(response: httpx.Response) -> AsyncCursorPage[RunObject]:
                listing = R.parse_runs_list(response)
                return AsyncCursorPage(
                    fetch=fetch, seen=seen, **R.page_fields(listing, backwards=backwards, bound=start)
                )

            kwargs = first if cursor is start else kwargs_for(cursor)
            return await self._client.request(kwargs, parse, options)

        return AsyncPaginator(lambda: fetch(start, frozenset()))

    @overload
    async def create(
        self, thread_id: str, *, stream: Literal[True], **params: Unpack[CreateRunParams]
    ) -> AsyncRunStream: ...

    @overload
    async def create(
        self, thread_id: str, *, stream: Literal[False] | NotGiven = NOT_GIVEN, **params: Unpack[CreateRunParams]
    ) -> RunObject: ...

    @overload
    async def create(
        self, thread_id: str, *, stream: bool, **params: Unpack[CreateRunParams]
    ) -> RunObject | AsyncRunStream: ...

    async def create(
        self,
        thread_id: str,
        *,
        assistant_id: str,
        model: str | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: Sequence[CreateMessageRequest | Mapping[str, Any]] | NotGiven | None = NOT_GIVEN,
        tools: Sequence[AssistantTool | Mapping[str, Any]] | NotGiven | None = NOT_GIVEN,
        metadata: Mapping[str, str] | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        truncation_strategy: TruncationObject | Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        tool_choice: str | AssistantsNamedToolChoice | Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: str | ResponseFormat | Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        reasoning_effort: str | NotGiven | None = NOT_GIVEN,
        include: Sequence[str] | NotGiven = NOT_GIVEN,
        stream: bool | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject | AsyncRunStream:
        """POST /threads/{thread_id}/runs: start a run; arguments left out are not sent.

        With ``stream=True`` the answer is a ``AsyncRunStream`` of typed events instead of a RunObject.
        """
        is_stream = R.check_stream_flag(stream)
        params = {
            "assistant_id": assistant_id,
            "model": model,
            "instructions": instructions,
            "additional_instructions": additional_instructions,
            "additional_messages": additional_messages,
            "tools": tools,
            "metadata": metadata,
            "temperature": temperature,
            "top_p": top_p,
            "max_prompt_tokens": max_prompt_tokens,
            "max_completion_tokens": max_completion_tokens,
            "truncation_strategy": truncation_strategy,
            "tool_choice": tool_choice,
            "parallel_tool_calls": parallel_tool_calls,
            "response_format": response_format,
            "reasoning_effort": reasoning_effort,
            "include": include,
            "timeout": timeout,
            "max_retries": max_retries,
            "extra_headers": extra_headers,
            "extra_query": extra_query,
            "extra_body": extra_body,
        }
        kwargs, options = R.prepare_create(thread_id, params, stream=is_stream)
        if is_stream:
            return await self._open_stream(kwargs, options)
        return await self._client.request(kwargs, R.parse_run, options)

    async def retrieve(
        self,
        thread_id: str,
        run_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject:
        """GET /threads/{thread_id}/runs/{run_id}."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        return await self._client.request(R.get_run_kwargs(thread_id, run_id), R.parse_run, options)

    async def update(
        self,
        thread_id: str,
        run_id: str,
        *,
        metadata: Mapping[str, str] | NotGiven | None = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject:
        """POST /threads/{thread_id}/runs/{run_id}: replace the run's metadata."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        return await self._client.request(R.modify_run_kwargs(thread_id, run_id, metadata), R.parse_run, options)

    async def cancel(
        self,
        thread_id: str,
        run_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject:
        """POST /threads/{thread_id}/runs/{run_id}/cancel."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        return await self._client.request(R.cancel_run_kwargs(thread_id, run_id), R.parse_run, options)

    @overload
    async def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        stream: Literal[True],
        **options: Unpack[RequestOptionParams],
    ) -> AsyncRunStream: ...

    @overload
    async def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        stream: Literal[False] | NotGiven = NOT_GIVEN,
        **options: Unpack[RequestOptionParams],
    ) -> RunObject: ...

    @overload
    async def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        stream: bool,
        **options: Unpack[RequestOptionParams],
    ) -> RunObject | AsyncRunStream: ...

    async def submit_tool_outputs(
        self,
        thread_id: str,
        run_id: str,
        *,
        tool_outputs: Sequence[ToolOutput | Mapping[str, Any]],
        stream: bool | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunObject | AsyncRunStream:
        """POST /threads/{thread_id}/runs/{run_id}/submit_tool_outputs: answer every pending tool call.

        With ``stream=True`` the run's continuation arrives as a ``AsyncRunStream``.
        """
        is_stream = R.check_stream_flag(stream)
        params = {
            "timeout": timeout,
            "max_retries": max_retries,
            "extra_headers": extra_headers,
            "extra_query": extra_query,
            "extra_body": extra_body,
        }
        kwargs, options = R.prepare_submit(thread_id, run_id, tool_outputs, params, stream=is_stream)
        if is_stream:
            return await self._open_stream(kwargs, options)
        return await self._client.request(kwargs, R.parse_run, options)


class RunsWithRawResponse:
    """``client.runs.with_raw_response``: the same methods, returning ``APIResponse``."""

    def __init__(self, runs: Runs) -> None:
        self.list = to_raw_response_wrapper(runs.list)
        self.create = to_raw_response_wrapper(runs.create)
        self.retrieve = to_raw_response_wrapper(runs.retrieve)
        self.update = to_raw_response_wrapper(runs.update)
        self.cancel = to_raw_response_wrapper(runs.cancel)
        self.submit_tool_outputs = to_raw_response_wrapper(runs.submit_tool_outputs)
        self.steps = StepsWithRawResponse(runs.steps)


class AsyncRunsWithRawResponse:
    """Async ``with_raw_response``: each method is awaited and returns ``APIResponse``."""

    def __init__(self, runs: AsyncRuns) -> None:
        self.list = async_to_raw_response_wrapper(runs.list)
        self.create = async_to_raw_response_wrapper(runs.create)
        self.retrieve = async_to_raw_response_wrapper(runs.retrieve)
        self.update = async_to_raw_response_wrapper(runs.update)
        self.cancel = async_to_raw_response_wrapper(runs.cancel)
        self.submit_tool_outputs = async_to_raw_response_wrapper(runs.submit_tool_outputs)
        self.steps = AsyncStepsWithRawResponse(runs.steps)
