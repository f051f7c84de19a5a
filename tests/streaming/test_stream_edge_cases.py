"""Edge cases of streams and the tool loop: cut events, streams closed early, options of follow-up calls."""

from __future__ import annotations

import gc
from typing import Any

import httpx
import pytest
from stream_testkit import Live, mock_sse_live

import threadruns
from threadruns.server import Script, ToolCall

LOOKUP = Script.call_tools([ToolCall("lookup", {"q": "x"})], then=Script.reply("Found: {outputs}"))


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_body_cut_in_the_middle_of_an_event_is_a_connection_error(mode: str) -> None:
    body = (
        b'event: thread.vision.started\ndata: {"id": "v_1"}\n\n'  # an event this client does not know
        b'event: thread.run.in_progress\ndata: {"id": "run_1", "obj'  # the connection went away here
    )
    live = mock_sse_live(mode, body)
    try:
        with pytest.raises(threadruns.APIConnectionError, match=r"middle of event 'thread\.run\.in_progress'"):
            live.consume(lambda c: c.runs.stream(thread_id="thread_1", assistant_id="asst_1"))
    finally:
        live.close()


def test_final_run_after_the_stream_was_closed_early_refuses_to_guess(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.reply("one two three four"))
    thread = live.server.add_thread(messages=["Hi"])
    closed_early = "closed before the run reached a final state"
    if live.mode == "sync":
        with live.client.runs.stream(thread_id=thread, assistant_id="asst_1") as stream:
            next(iter(stream))  # one event, then leave
        with pytest.raises(threadruns.ThreadRunsError, match=closed_early):
            stream.final_run()
        with pytest.raises(threadruns.ThreadRunsError, match=closed_early):
            stream.final_messages()
        return

    async def read_one_then_ask() -> None:
        async with live.client.runs.stream(thread_id=thread, assistant_id="asst_1") as stream:
            async for _event in stream:
                break
        with pytest.raises(threadruns.ThreadRunsError, match=closed_early):
            await stream.final_run()
        with pytest.raises(threadruns.ThreadRunsError, match=closed_early):
            await stream.final_messages()

    live.call(lambda c: read_one_then_ask())


@pytest.mark.parametrize("stream", [False, True], ids=["polling", "streaming"])
def test_extra_body_of_the_create_is_not_sent_with_the_tool_outputs(live: Live, stream: bool) -> None:
    live.server.add_assistant("asst_1", script=LOOKUP)
    thread = live.server.add_thread(messages=["Look it up"])
    run = live.call(
        lambda c: c.runs.create_and_run_tools(
            thread_id=thread,
            assistant_id="asst_1",
            functions={"lookup": lambda q: f"result for {q}"},
            stream=stream,
            poll_interval_ms=10,
            extra_body={"temperature": 0.2},
            extra_query={"note": "create-only"},
        )
    )
    assert run.status == "completed" and run.temperature == 0.2  # the create got it; the submit was accepted
    [submit] = [r for r in live.server.requests if r.path.endswith("/submit_tool_outputs")]
    [create] = [r for r in live.server.requests if r.method == "POST" and r.path.endswith("/runs")]
    assert "note=create-only" in create.query and "note" not in submit.query


@pytest.mark.parametrize("stream", [False, True], ids=["polling", "streaming"])
@pytest.mark.parametrize(
    ("options", "error", "names"),
    [
        ({"poll_interval_ms": -1}, ValueError, "poll_interval_ms"),
        ({"poll_interval_ms": "1"}, TypeError, "poll_interval_ms"),
        ({"poll_timeout": 0}, ValueError, "timeout"),
        ({"poll_timeout": "x"}, TypeError, "timeout"),
    ],
)
def test_bad_poll_options_are_refused_even_when_streaming(
    live: Live, stream: bool, options: dict[str, Any], error: type[Exception], names: str
) -> None:
    before = len(live.server.requests)
    with pytest.raises(error, match=names):
        live.call(
            lambda c: c.runs.create_and_run_tools(
                thread_id="thread_1", assistant_id="asst_1", functions={"lookup": str}, stream=stream, **options
            )
        )
    assert len(live.server.requests) == before


async def _lookup_async(q: str) -> str:
    return f"result for {q}"


def test_the_sync_client_refuses_async_functions_before_any_request(server: Any) -> None:
    live = Live("sync", server, max_retries=0)
    try:
        with pytest.raises(TypeError, match=r"functions\['lookup'\] is an async function"):
            live.client.runs.create_and_run_tools(
                thread_id="thread_1", assistant_id="asst_1", functions={"lookup": _lookup_async}
            )
        assert server.requests == []
    finally:
        live.close()


def test_an_awaitable_returned_to_the_sync_client_becomes_an_error_output(server: Any) -> None:
    """A lambda hides that it is async: its coroutine is closed, never left un-awaited, and the run is told."""
    server.add_assistant("asst_1", script=LOOKUP)
    thread = server.add_thread(messages=["Look it up"])
    live = Live("sync", server, max_retries=0)
    try:
        run = live.client.runs.create_and_run_tools(
            thread_id=thread,
            assistant_id="asst_1",
            functions={"lookup": lambda q: _lookup_async(q)},
            poll_interval_ms=10,
        )
    finally:
        live.close()
    assert run.status == "completed"
    reply = server.messages(thread)[-1]["content"][0]["text"]["value"]
    assert "Error: lookup raised TypeError" in reply and "awaitable" in reply


def test_a_stream_dropped_without_closing_gives_its_connection_back_at_once(server: Any) -> None:
    """No reference cycle keeps an abandoned stream alive: with the collector off and one connection in the
    pool, the next request still gets it (it would wait out the pool timeout otherwise)."""
    server.add_assistant("asst_1", script=Script.reply(" ".join(["word"] * 50)))
    thread = server.add_thread(messages=["Hi"])
    http = httpx.Client(limits=httpx.Limits(max_connections=1), timeout=httpx.Timeout(10.0, pool=1.0))
    client = threadruns.Client(api_key="sk-test", base_url=server.url, http_client=http, max_retries=0)
    gc.disable()
    try:
        for _event in client.runs.create(thread, assistant_id="asst_1", stream=True):
            break  # neither `with` nor close(): the stream is simply dropped
        other = server.add_thread(messages=["Hi"])
        assert client.runs.create(other, assistant_id="asst_1").status == "queued"
    finally:
        gc.enable()
        http.close()
