"""``with_streaming_response``: openai-python's context manager over an answer whose body is read only on demand."""

from __future__ import annotations

import json
from typing import Any

import pytest
from stream_testkit import Live

import threadruns
from threadruns.server import RunsServer, Script
from threadruns.types import RunObject


def _run(server: RunsServer) -> tuple[str, str]:
    server.add_assistant("asst_1", script=Script.reply("hello"))
    thread = server.add_thread(messages=["Hi"])
    with threadruns.Client(api_key="sk-test", base_url=server.url) as client:
        run = client.runs.create_and_poll(thread_id=thread, assistant_id="asst_1")
    return thread, run.id


def test_the_body_is_read_only_when_asked_and_parse_gives_the_model() -> None:
    with RunsServer() as server:
        thread, run_id = _run(server)
        with threadruns.Client(api_key="sk-test", base_url=server.url) as client:
            streaming = client.beta.threads.runs.with_streaming_response
            with streaming.retrieve(run_id, thread_id=thread) as response:
                assert isinstance(response, threadruns.APIResponse)
                assert not response.http_response.is_stream_consumed  # nothing read on entering the block
                assert response.status_code == 200 and response.request_id
                body = json.loads("".join(response.iter_lines()))
            assert body["id"] == run_id
            with streaming.retrieve(run_id, thread_id=thread) as response:
                run = response.parse()
            assert isinstance(run, RunObject) and run.id == run_id and run.status == "completed"
            with client.runs.with_streaming_response.steps.list(run_id, thread_id=thread) as response:
                page = response.parse()
            assert [step.run_id for step in page.data] == [run_id]
            assert response.http_response.is_closed  # closed when the block ends


def test_an_error_status_raises_on_entering_the_block() -> None:
    with RunsServer() as server, threadruns.Client(api_key="sk-test", base_url=server.url, max_retries=0) as client:
        manager = client.runs.with_streaming_response.retrieve("run_missing", thread_id="thread_missing")
        with pytest.raises(threadruns.NotFoundError) as info, manager:
            pass
        assert info.value.status_code == 404


def test_the_async_form_awaits_parse_and_iterates_bytes(live: Live) -> None:
    if live.mode != "async":
        pytest.skip("the async form is for AsyncClient")
    thread, run_id = _run(live.server)

    async def go(client: Any) -> tuple[bytes, Any]:
        streaming = client.beta.threads.runs.with_streaming_response
        async with streaming.retrieve(run_id, thread_id=thread) as response:
            raw = b"".join([chunk async for chunk in response.iter_bytes()])
        async with streaming.retrieve(run_id, thread_id=thread) as response:
            return raw, await response.parse()

    raw, run = live.call(go)
    assert json.loads(raw)["id"] == run_id and isinstance(run, RunObject) and run.id == run_id
