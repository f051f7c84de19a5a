"""Checked by ``mypy --strict tests/typing`` (never run): the client's public surface is precisely typed."""

from __future__ import annotations

from typing import assert_type

from threadruns import (
    APIResponse,
    APIStatusError,
    AsyncClient,
    AsyncCursorPage,
    AsyncPaginator,
    Client,
    NotFoundError,
    SyncCursorPage,
)
from threadruns.types import RunObject, RunStepObject


def sync_surface(client: Client) -> None:
    assert_type(client.with_options(timeout=5.0, max_retries=0), Client)
    assert_type(client.copy(api_key="sk-other", default_headers={"X-A": "1"}), Client)
    run = client.runs.create("thread_1", assistant_id="asst_1")
    assert_type(run, RunObject)
    assert_type(client.runs.retrieve("run_1", thread_id="thread_1"), RunObject)
    assert_type(client.runs.update("run_1", thread_id="thread_1", metadata={"k": "v"}), RunObject)
    assert_type(client.runs.cancel("run_1", thread_id="thread_1"), RunObject)
    assert_type(
        client.runs.submit_tool_outputs(
            "run_1", thread_id="thread_1", tool_outputs=[{"tool_call_id": "c", "output": "o"}]
        ),
        RunObject,
    )

    page = client.runs.list("thread_1", limit=10)
    assert_type(page, SyncCursorPage[RunObject])
    assert_type(page.data, list[RunObject])
    assert_type(page.has_more, bool)
    assert_type(page.next_page(), SyncCursorPage[RunObject])
    for item in page:
        assert_type(item, RunObject)
    for each_page in page.iter_pages():
        assert_type(each_page, SyncCursorPage[RunObject])

    assert_type(client.runs.steps.retrieve("step_1", thread_id="thread_1", run_id="run_1"), RunStepObject)
    steps = client.runs.steps.list("run_1", thread_id="thread_1")
    assert_type(steps, SyncCursorPage[RunStepObject])
    for step in steps:
        assert_type(step, RunStepObject)

    raw = client.runs.with_raw_response.create("thread_1", assistant_id="asst_1")
    assert_type(raw, APIResponse[RunObject])
    assert_type(raw.parse(), RunObject)
    assert_type(raw.status_code, int)
    assert_type(raw.request_id, str | None)
    assert_type(client.runs.with_raw_response.retrieve("run_1", thread_id="thread_1"), APIResponse[RunObject])
    assert_type(client.runs.with_raw_response.list("thread_1"), APIResponse[SyncCursorPage[RunObject]])
    assert_type(
        client.runs.steps.with_raw_response.list("run_1", thread_id="thread_1"),
        APIResponse[SyncCursorPage[RunStepObject]],
    )


async def async_surface(client: AsyncClient) -> None:
    assert_type(client.with_options(timeout=5.0, max_retries=0), AsyncClient)
    run = await client.runs.create("thread_1", assistant_id="asst_1")
    assert_type(run, RunObject)
    assert_type(await client.runs.retrieve("run_1", thread_id="thread_1"), RunObject)

    paginator = client.runs.list("thread_1")
    assert_type(paginator, AsyncPaginator[RunObject])
    page = await paginator
    assert_type(page, AsyncCursorPage[RunObject])
    assert_type(page.data, list[RunObject])
    assert_type(await page.next_page(), AsyncCursorPage[RunObject])
    async for item in client.runs.list("thread_1"):
        assert_type(item, RunObject)
    async for item in page:
        assert_type(item, RunObject)

    assert_type(await client.runs.steps.retrieve("step_1", thread_id="thread_1", run_id="run_1"), RunStepObject)
    steps = client.runs.steps.list("run_1", thread_id="thread_1")
    assert_type(steps, AsyncPaginator[RunStepObject])
    assert_type(await steps, AsyncCursorPage[RunStepObject])

    raw = await client.runs.with_raw_response.create("thread_1", assistant_id="asst_1")
    assert_type(raw, APIResponse[RunObject])
    assert_type(raw.parse(), RunObject)
    raw_page = await client.runs.with_raw_response.list("thread_1")
    assert_type(raw_page, APIResponse[AsyncCursorPage[RunObject]])


def errors(exc: APIStatusError, not_found: NotFoundError) -> None:
    assert_type(exc.status_code, int)
    assert_type(exc.request_id, str | None)
    assert_type(exc.message, str)
    assert_type(exc.code, str | None)
    assert_type(not_found.status_code, int)
    assert_type(not_found.request_id, str | None)
