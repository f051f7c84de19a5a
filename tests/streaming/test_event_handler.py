"""``event_handler=``: openai-python's AssistantEventHandler callbacks, against the embedded server."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import pytest
from stream_testkit import Live

import threadruns
from threadruns import AssistantEventHandler, AsyncAssistantEventHandler
from threadruns._event_handler import merge_delta
from threadruns.server import RunsServer, Script, ToolCall
from threadruns.types import MessageObject, RunObject, RunStepObject


class Recorder(AssistantEventHandler):
    """Writes down every callback with what it got."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, Any]] = []

    def on_event(self, event: Any) -> None:
        self.seen.append(("event", event.event))

    def on_text_created(self, text: Any) -> None:
        self.seen.append(("text_created", text.value))

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.seen.append(("text_delta", (delta.value, snapshot.value)))

    def on_text_done(self, text: Any) -> None:
        self.seen.append(("text_done", text.value))

    def on_message_created(self, message: MessageObject) -> None:
        self.seen.append(("message_created", message.id))

    def on_message_done(self, message: MessageObject) -> None:
        self.seen.append(("message_done", message.content[0].text.value))  # type: ignore[union-attr]

    def on_run_step_created(self, run_step: RunStepObject) -> None:
        self.seen.append(("step_created", run_step.type_))

    def on_run_step_done(self, run_step: RunStepObject) -> None:
        self.seen.append(("step_done", run_step.type_))

    def on_tool_call_created(self, tool_call: Any) -> None:
        self.seen.append(("tool_created", tool_call.function.name))

    def on_tool_call_delta(self, delta: Any, snapshot: Any) -> None:
        self.seen.append(("tool_delta", snapshot.function.arguments))

    def on_tool_call_done(self, tool_call: Any) -> None:
        self.seen.append(("tool_done", tool_call.function.arguments))

    def on_end(self) -> None:
        self.seen.append(("end", None))

    def names(self, *kinds: str) -> list[Any]:
        return [value for kind, value in self.seen if kind in kinds]


def _client(server: RunsServer) -> threadruns.Client:
    return threadruns.Client(api_key="sk-test", base_url=server.url, max_retries=0)


def test_text_callbacks_fire_in_order_with_growing_snapshots() -> None:
    with RunsServer() as server, _client(server) as client:
        server.add_assistant("asst_1", script=Script.reply("one two three"))
        thread = server.add_thread(messages=["Hi"])
        handler = Recorder()
        with client.beta.threads.runs.stream(thread_id=thread, assistant_id="asst_1", event_handler=handler) as stream:
            assert stream is handler
            stream.until_done()
        deltas = handler.names("text_delta")
        assert len(deltas) >= 2
        assert "".join(piece for piece, _ in deltas) == "one two three"
        assert [snapshot for _, snapshot in deltas][-1] == "one two three"  # each snapshot holds all text so far
        assert all(b.startswith(a) for (_, a), (_, b) in itertools.pairwise(deltas))
        kinds = [kind for kind, _ in handler.seen if kind != "event"]
        assert kinds[:3] == ["step_created", "message_created", "text_created"]
        assert kinds[-4:] == ["text_done", "message_done", "step_done", "end"]
        assert handler.names("text_done") == ["one two three"] == handler.names("message_done")
        assert isinstance(handler.get_final_run(), RunObject) and handler.get_final_run().status == "completed"
        assert handler.current_run is not None and handler.current_run.status == "completed"
        assert [m.content[0].text.value for m in handler.get_final_messages()] == ["one two three"]  # type: ignore[union-attr]
        assert [s.type_ for s in handler.get_final_run_steps()] == ["message_creation"]


def test_tool_call_callbacks_and_the_rebuilt_arguments() -> None:
    arguments = {"city": "Oslo", "days": 3}
    with RunsServer() as server, _client(server) as client:
        server.add_assistant("asst_1", script=Script.call_tools([ToolCall("get_weather", arguments)]))
        thread = server.add_thread(messages=["Weather?"])
        handler = Recorder()
        with client.beta.threads.runs.stream(thread_id=thread, assistant_id="asst_1", event_handler=handler) as stream:
            run = stream.get_final_run()
        assert run.status == "requires_action"
        assert handler.names("tool_created") == ["get_weather"]
        done = handler.names("tool_done")
        assert len(done) == 1 and json.loads(done[0]) == arguments  # the deltas' pieces, appended
        snapshots = handler.names("tool_delta")
        assert all(b.startswith(a) for a, b in itertools.pairwise(snapshots))
        steps = handler.get_final_run_steps()
        assert steps[0].type_ == "tool_calls"
        call = steps[0].step_details.tool_calls[0]  # type: ignore[union-attr]
        assert call.function.name == "get_weather" and json.loads(call.function.arguments) == arguments


def test_text_deltas_and_the_final_helpers_without_a_handler_use_openai_names() -> None:
    with RunsServer() as server, _client(server) as client:
        server.add_assistant("asst_1", script=Script.reply("alpha beta"))
        thread = server.add_thread(messages=["Hi"])
        with client.beta.threads.runs.stream(thread_id=thread, assistant_id="asst_1") as stream:
            assert "".join(stream.text_deltas) == "alpha beta"  # openai's attribute form
            assert stream.get_final_run().status == "completed"
        with client.beta.threads.runs.stream(thread_id=thread, assistant_id="asst_1") as stream:
            assert "".join(stream.text_deltas()) == "alpha beta"  # and the call form, as before
            assert [m.content[0].text.value for m in stream.get_final_messages()] == ["alpha beta"]  # type: ignore[union-attr]


def test_a_handler_reads_one_stream_and_a_wrong_handler_is_refused_before_sending() -> None:
    with RunsServer() as server, _client(server) as client:
        server.add_assistant("asst_1", script=Script.reply("x"))
        thread = server.add_thread(messages=["Hi"])
        handler = AssistantEventHandler()
        with client.runs.stream(thread_id=thread, assistant_id="asst_1", event_handler=handler) as stream:
            stream.until_done()
        again = client.runs.stream(thread_id=thread, assistant_id="asst_1", event_handler=handler)
        with pytest.raises(RuntimeError, match="one stream"), again:
            pass
        before = len(server.requests)
        with pytest.raises(TypeError, match="event_handler must be an AssistantEventHandler"):
            client.runs.stream(thread_id=thread, assistant_id="asst_1", event_handler=object())  # type: ignore[call-overload]
        with pytest.raises(TypeError, match="event_handler must be an AssistantEventHandler"):
            client.runs.stream(thread_id=thread, assistant_id="asst_1", event_handler=AsyncAssistantEventHandler())  # type: ignore[call-overload]
        assert len(server.requests) == before


def test_an_error_in_the_stream_reaches_on_exception_then_on_end() -> None:
    class Failing(Recorder):
        def on_exception(self, exception: Exception) -> None:
            self.seen.append(("exception", type(exception).__name__))

    with RunsServer() as server, _client(server) as client:
        server.add_assistant("asst_1", script=Script.reply("x"))
        handler = Failing()
        missing = client.runs.stream(thread_id="thread_missing", assistant_id="asst_1", event_handler=handler)
        with pytest.raises(threadruns.NotFoundError), missing as stream:
            stream.until_done()
        assert handler.seen == []  # the request failed before any stream: no callbacks


def test_the_async_handler_awaits_its_callbacks(live: Live) -> None:
    if live.mode != "async":
        pytest.skip("the async handler is for AsyncClient")
    seen: list[str] = []

    class Async(AsyncAssistantEventHandler):
        async def on_text_delta(self, delta: Any, snapshot: Any) -> None:
            await asyncio.sleep(0)
            seen.append(snapshot.value)

        async def on_message_done(self, message: MessageObject) -> None:
            seen.append("done")

    live.server.add_assistant("asst_1", script=Script.reply("red green"))
    thread = live.server.add_thread(messages=["Hi"])

    async def go(client: Any) -> Any:
        async with client.beta.threads.runs.stream(thread_id=thread, assistant_id="asst_1", event_handler=Async()) as h:
            text = "".join([piece async for piece in h.text_deltas])
            return text, await h.get_final_run()

    text, run = live.call(go)
    assert text == "red green" and run.status == "completed"
    assert seen[-2:] == ["red green", "done"]


def test_merge_delta_appends_text_merges_by_index_and_replaces_the_rest() -> None:
    snapshot: dict[str, Any] = {"content": [{"type": "text", "text": {"value": "He", "annotations": []}}], "n": 1}
    delta = {"content": [{"index": 0, "type": "text", "text": {"value": "llo"}}, {"index": 1, "type": "image_file"}]}
    merge_delta(snapshot, {**delta, "n": 2})
    assert snapshot == {
        "content": [{"type": "text", "text": {"value": "Hello", "annotations": []}}, {"type": "image_file"}],
        "n": 2,
    }
