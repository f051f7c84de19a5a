"""Streaming runs against the embedded server: event order, typed payloads, errors, early ends."""

from __future__ import annotations

import json
import time

import pytest
from stream_testkit import Live, mock_sse_live

import threadruns
from threadruns import MessageDeltaEvent, MessageEvent, RunEvent, RunStepEvent, UnknownEvent
from threadruns.server import RunsServer, Script, ToolCall
from threadruns.types import MessageDeltaObject, MessageObject, RunObject, RunStepObject

COMPLETED_SEQUENCE_HEAD = [
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
]
COMPLETED_SEQUENCE_TAIL = ["thread.message.completed", "thread.run.step.completed", "thread.run.completed"]


def _names(events: list[object]) -> list[str]:
    return [event.event for event in events]  # type: ignore[attr-defined]


def test_completed_run_streams_the_full_event_sequence_with_typed_payloads(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.reply("Hello from the embedded server"))
    thread = live.server.add_thread(messages=["Hi"])
    events, run = live.consume(lambda c: c.runs.stream(thread_id=thread, assistant_id="asst_1"), then="final_run")
    names = _names(events)
    deltas = [n for n in names if n == "thread.message.delta"]
    assert names == COMPLETED_SEQUENCE_HEAD + deltas + COMPLETED_SEQUENCE_TAIL
    assert len(deltas) >= 2
    for event in events:
        if event.event.startswith("thread.run.step."):
            assert isinstance(event, RunStepEvent) and isinstance(event.data, RunStepObject)
        elif event.event == "thread.message.delta":
            assert isinstance(event, MessageDeltaEvent) and isinstance(event.data, MessageDeltaObject)
        elif event.event.startswith("thread.message."):
            assert isinstance(event, MessageEvent) and isinstance(event.data, MessageObject)
        else:
            assert isinstance(event, RunEvent) and isinstance(event.data, RunObject)
    assert isinstance(run, RunObject) and run.status == "completed" and run.usage is not None


def test_text_deltas_spell_the_reply_and_final_messages_hold_it(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.reply("one two three four five"))
    thread = live.server.add_thread(messages=["Hi"])
    assert live.text(lambda c: c.runs.stream(thread_id=thread, assistant_id="asst_1")) == "one two three four five"
    _, messages = live.consume(lambda c: c.runs.stream(thread_id=thread, assistant_id="asst_1"), then="final_messages")
    assert len(messages) == 1
    assert messages[0].content[0].text.value == "one two three four five"


def test_create_with_stream_true_returns_the_same_stream(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.reply("ok"))
    thread = live.server.add_thread(messages=["Hi"])
    events, run = live.consume(lambda c: c.runs.create(thread, assistant_id="asst_1", stream=True), then="final_run")
    assert _names(events)[0] == "thread.run.created" and run.status == "completed"
    assert [(r.method, r.headers.get("accept")) for r in live.server.requests] == [("POST", "text/event-stream")]


def test_requires_action_then_submit_tool_outputs_stream_completes(live: Live) -> None:
    script = Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})], then=Script.reply("Weather: {outputs}"))
    live.server.add_assistant("asst_1", script=script)
    thread = live.server.add_thread(messages=["Weather?"])
    events, run = live.consume(lambda c: c.runs.stream(thread_id=thread, assistant_id="asst_1"), then="final_run")
    assert _names(events)[-1] == "thread.run.requires_action"
    assert run.status == "requires_action"
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Oslo"}
    outputs = [{"tool_call_id": call.id, "output": "3 C and snow"}]
    text = live.text(lambda c: c.runs.submit_tool_outputs_stream(tool_outputs=outputs, run_id=run.id, thread_id=thread))
    assert "3 C and snow" in text
    assert live.call(lambda c: c.runs.retrieve(run.id, thread_id=thread)).status == "completed"


def test_submit_tool_outputs_with_stream_true_ends_in_completed(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.call_tools([ToolCall("f", {})], then=Script.reply("done")))
    thread = live.server.add_thread(messages=["go"])
    _, run = live.consume(lambda c: c.runs.stream(thread_id=thread, assistant_id="asst_1"), then="final_run")
    outputs = [{"tool_call_id": run.required_action.submit_tool_outputs.tool_calls[0].id, "output": "x"}]
    events, final = live.consume(
        lambda c: c.runs.submit_tool_outputs(run.id, thread_id=thread, tool_outputs=outputs, stream=True),
        then="final_run",
    )
    assert _names(events)[-1] == "thread.run.completed" and final.status == "completed"


def test_error_event_raises_api_error_with_the_server_message_and_code(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.reply("never finished"))
    thread = live.server.add_thread(messages=["Hi"])
    live.server.faults.error_event(after_events=2, message="model overloaded", code="overloaded")
    with pytest.raises(threadruns.APIError) as info:
        live.consume(lambda c: c.runs.stream(thread_id=thread, assistant_id="asst_1"))
    assert "model overloaded" in str(info.value) and info.value.code == "overloaded"
    assert info.value.type == "server_error"


def test_stream_cut_before_done_raises_connection_error(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.reply("a reply long enough for several deltas"))
    thread = live.server.add_thread(messages=["Hi"])
    live.server.faults.cut_stream(after_events=4)
    with pytest.raises(threadruns.APIConnectionError, match="ended early"):
        live.consume(lambda c: c.runs.stream(thread_id=thread, assistant_id="asst_1"))


def test_error_status_on_a_stream_request_raises_before_any_event(live: Live) -> None:
    with pytest.raises(threadruns.NotFoundError) as info:
        live.consume(lambda c: c.runs.stream(thread_id="thread_missing", assistant_id="asst_1"))
    assert info.value.status_code == 404 and info.value.request_id


def test_breaking_out_of_a_stream_closes_the_connection() -> None:
    """The server sees the disconnect when the client stops reading early (sync and async)."""
    with RunsServer(stream_delay=0.05) as slow:
        slow.add_assistant("asst_1", script=Script.reply(" ".join(["word"] * 40)))
        for mode in ("sync", "async"):
            thread = slow.add_thread(messages=["Hi"])  # a run left mid-stream stays active: one thread each
            live = Live(mode, slow, max_retries=0)
            try:
                before = slow.stream_disconnects
                events, _ = live.consume(
                    lambda c, thread=thread: c.runs.stream(thread_id=thread, assistant_id="asst_1"), limit=3
                )
                assert len(events) == 3
                deadline = time.monotonic() + 5
                while slow.stream_disconnects == before and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert slow.stream_disconnects == before + 1, mode
            finally:
                live.close()


# Faults a real server cannot easily produce: an event name nobody defined, and a payload that is not its model.


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_unknown_events_pass_through_raw(mode: str) -> None:
    body = b'event: thread.vision.started\ndata: {"id": "v_1"}\n\nevent: done\ndata: [DONE]\n\n'
    live = mock_sse_live(mode, body)
    try:
        events, _ = live.consume(lambda c: c.runs.stream(thread_id="thread_1", assistant_id="asst_1"))
    finally:
        live.close()
    assert events == [UnknownEvent("thread.vision.started", {"id": "v_1"})]


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (b'{"unexpected": true}', r"RunObject\.id: missing required key"),
        (b"[1, 2]", r"expected a RunObject object, got list"),
    ],
)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_known_event_whose_payload_is_not_its_model_raises_naming_it(mode: str, payload: bytes, detail: str) -> None:
    live = mock_sse_live(mode, b"event: thread.run.created\ndata: " + payload + b"\n\n")
    try:
        with pytest.raises(threadruns.APIResponseValidationError, match=r"Event 'thread\.run\.created': " + detail):
            live.consume(lambda c: c.runs.stream(thread_id="thread_1", assistant_id="asst_1"))
    finally:
        live.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_invalid_json_in_data_raises_a_typed_error_naming_the_event(mode: str) -> None:
    live = mock_sse_live(mode, b"event: thread.run.created\ndata: {not json\n\n")
    try:
        with pytest.raises(threadruns.APIResponseValidationError, match=r"thread\.run\.created"):
            live.consume(lambda c: c.runs.stream(thread_id="thread_1", assistant_id="asst_1"))
    finally:
        live.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_wrapped_error_payload_also_raises(mode: str) -> None:
    payload = b'{"error": {"message": "quota gone", "type": "server_error", "param": null, "code": "quota"}}'
    live = mock_sse_live(mode, b"event: error\ndata: " + payload + b"\n\n")
    try:
        with pytest.raises(threadruns.APIError, match="quota gone") as info:
            live.consume(lambda c: c.runs.stream(thread_id="thread_1", assistant_id="asst_1"))
    finally:
        live.close()
    assert info.value.code == "quota"
