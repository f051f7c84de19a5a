"""``client.runs.steps``: list and retrieve the steps of a run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx

from .._base_client import AsyncAPIClient, RequestOptions, SyncAPIClient
from .._pagination import AsyncCursorPage, AsyncPaginator, Cursor, SyncCursorPage, start_cursor
from .._response import async_to_raw_response_wrapper, to_raw_response_wrapper
from .._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from . import _requests as R

if TYPE_CHECKING:  # annotations only
    from threadruns_api.models import RunStepObject


class Steps:
    """Run steps: what a run did, one message creation or tool-call batch at a time."""

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> StepsWithRawResponse:
        return StepsWithRawResponse(self)

    def list(
        self,
        thread_id: str,
        run_id: str,
        *,
        limit: int | NotGiven = NOT_GIVEN,
        order: str | NotGiven = NOT_GIVEN,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        include: Sequence[str] | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> SyncCursorPage[RunStepObject]:
        """GET /threads/{thread_id}/runs/{run_id}/steps: the first page; iterate it for every step."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        start, backwards = start_cursor(after, before)

        def fetch(cursor: Cursor, seen: frozenset[str]) -> SyncCursorPage[RunStepObject]:
            kwargs = R.list_steps_kwargs(
                thread_id,
                run_id,
                limit=limit,
                order=order,
                include=include,
                after=cursor.get("after", NOT_GIVEN),
                before=cursor.get("before", NOT_GIVEN),
            )

            def parse(response: httpx.Response) -> SyncCursorPage[RunStepObject]:
                listing = R.parse_steps_list(response)
                return SyncCursorPage(
                    fetch=fetch, seen=seen, **R.page_fields(listing, backwards=backwards, bound=start)
                )

            return self._client.request(kwargs, parse, options)

        return fetch(start, frozenset())

    def retrieve(
        self,
        thread_id: str,
        run_id: str,
        step_id: str,
        *,
        include: Sequence[str] | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunStepObject:
        """GET /threads/{thread_id}/runs/{run_id}/steps/{step_id}."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        kwargs = R.get_step_kwargs(thread_id, run_id, step_id, include)
        return self._client.request(kwargs, R.parse_step, options)


class AsyncSteps:
    """Run steps, async: ``list`` returns an ``AsyncPaginator`` (``await`` it or ``async for`` it)."""

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> AsyncStepsWithRawResponse:
        return AsyncStepsWithRawResponse(self)

    def list(
        self,
        thread_id: str,
        run_id: str,
        *,
        limit: int | NotGiven = NOT_GIVEN,
        order: str | NotGiven = NOT_GIVEN,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        include: Sequence[str] | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> AsyncPaginator[RunStepObject]:
        """GET /threads/{thread_id}/runs/{run_id}/steps: ``await`` for the first page, ``async for`` for all."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        start, backwards = start_cursor(after, before)

        def kwargs_for(cursor: Cursor) -> R.Kwargs:
            return R.list_steps_kwargs(
                thread_id,
                run_id,
                limit=limit,
                order=order,
                include=include,
                after=cursor.get("after", NOT_GIVEN),
                before=cursor.get("before", NOT_GIVEN),
            )

        first = kwargs_for(start)  # validates now, before anything is awaited

        async def fetch(cursor: Cursor, seen: frozenset[str]) -> AsyncCursorPage[RunStepObject]:
            def parse(response: httpx.Response) -> AsyncCursorPage[RunStepObject]:
                listing = R.parse_steps_list(response)
                return AsyncCursorPage(
                    fetch=fetch, seen=seen, **R.page_fields(listing, backwards=backwards, bound=start)
                )

            kwargs = first if cursor is start else kwargs_for(cursor)
            return await self._client.request(kwargs, parse, options)

        return AsyncPaginator(lambda: fetch(start, frozenset()))

    async def retrieve(
        self,
        thread_id: str,
        run_id: str,
        step_id: str,
        *,
        include: Sequence[str] | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
    ) -> RunStepObject:
        """GET /threads/{thread_id}/runs/{run_id}/steps/{step_id}."""
        options = RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)
        kwargs = R.get_step_kwargs(thread_id, run_id, step_id, include)
        return await self._client.request(kwargs, R.parse_step, options)


class StepsWithRawResponse:
    """``client.runs.steps.with_raw_response``: the same methods, returning ``APIResponse``."""

    def __init__(self, steps: Steps) -> None:
        self.list = to_raw_response_wrapper(steps.list)
        self.retrieve = to_raw_response_wrapper(steps.retrieve)


class AsyncStepsWithRawResponse:
    """Async ``with_raw_response``: each method is awaited and returns ``APIResponse``."""

    def __init__(self, steps: AsyncSteps) -> None:
        self.list = async_to_raw_response_wrapper(steps.list)
        self.retrieve = async_to_raw_response_wrapper(steps.retrieve)
