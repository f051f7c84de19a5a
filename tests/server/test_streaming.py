"""``stream: true``: OpenAI's event sequence, spec-valid payloads, ``[DONE]``, and client disconnects."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from spec_checks import ResponseLog, make_client, names, read_events

from threadruns.server import RunsServer, Script, ToolCall

MESSAGE_EVENTS = [
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
]


def _stream(client: httpx.Client, path: str, body: dict[str, Any]) -> list[tuple[str, Any]]:
    with client.stream("POST", path, json={**body, "stream": True}) as response:
        return read_events(response)


def _without_deltas(events: list[tuple[str, Any]]) -> list[str]:
    return [name for name in names(events) if not name.endswith(".delta")]


def test_a_completed_run_streams_the_full_event_sequence_and_done(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_1", script=Script.reply("The quick brown fox jumps over the lazy dog"))
    thread_id = server.add_thread(messages=["hi"])
    events = _stream(client, f"/threads/{thread_id}/runs", {"assistant_id": "asst_1"})
    sequence = names(events)
    deltas = sequence.count("thread.message.delta")
    assert deltas >= 3
    assert sequence == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        *MESSAGE_EVENTS,
        *["thread.message.delta"] * deltas,
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
        "done",
    ]
    assert events[-1] == ("done", "[DONE]")
    payloads = dict(events)
    assert payloads["thread.run.created"]["status"] == "queued"
    assert payloads["thread.run.in_progress"]["status"] == "in_progress"
    text = "".join(data["delta"]["content"][0]["text"]["value"] for name, data in events if name.endswith("delta"))
    assert text == "The quick brown fox jumps over the lazy dog"
    message = payloads["thread.message.completed"]
    assert message["content"][0]["text"]["value"] == text
    assert all(data["id"] == message["id"] for name, data in events if name.startswith("thread.message"))
    completed = payloads["thread.run.completed"]
    assert completed["status"] == "completed" and completed["usage"]["total_tokens"] > 0
    assert client.get(f"/threads/{thread_id}/runs/{completed['id']}").json() == completed


def test_a_streamed_run_finishes_even_in_manual_mode_without_ticks(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_1")
    thread_id = server.add_thread(messages=["hi"])
    events = _stream(client, f"/threads/{thread_id}/runs", {"assistant_id": "asst_1"})
    assert server.clock.ticks == 0
    assert dict(events)["thread.run.completed"]["status"] == "completed"


def test_a_tool_run_streams_up_to_requires_action_then_submit_streams_the_rest(
    server: RunsServer, client: httpx.Client
) -> None:
    script = Script.call_tools(
        [ToolCall("get_weather", {"city": "Oslo", "unit": "celsius"})], then=Script.reply("{outputs}")
    )
    server.add_assistant("asst_w", script=script)
    thread_id = server.add_thread(messages=["Weather?"])
    events = _stream(client, f"/threads/{thread_id}/runs", {"assistant_id": "asst_w"})
    assert _without_deltas(events) == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.run.requires_action",
        "done",
    ]
    assert names(events)[5] == "thread.run.step.delta"
    run = dict(events)["thread.run.requires_action"]
    [pending] = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    # Accumulating the deltas the way SDK stream helpers do yields the final tool call.
    accumulated: dict[str, Any] = {}
    for name, data in events:
        if name == "thread.run.step.delta":
            [piece] = data["delta"]["step_details"]["tool_calls"]
            accumulated.setdefault("id", piece.get("id"))
            accumulated.setdefault("name", piece["function"].get("name"))
            accumulated["arguments"] = accumulated.get("arguments", "") + piece["function"].get("arguments", "")
    assert accumulated == {"id": pending["id"], "name": "get_weather", "arguments": pending["function"]["arguments"]}
    assert json.loads(accumulated["arguments"]) == {"city": "Oslo", "unit": "celsius"}

    rest = _stream(
        client,
        f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs",
        {"tool_outputs": [{"tool_call_id": pending["id"], "output": "4 degrees"}]},
    )
    assert _without_deltas(rest) == [
        "thread.run.step.completed",
        "thread.run.queued",
        "thread.run.in_progress",
        *MESSAGE_EVENTS,
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
        "done",
    ]
    tool_step = next(data for name, data in rest if name == "thread.run.step.completed")
    assert tool_step["step_details"]["tool_calls"][0]["function"]["output"] == "4 degrees"
    assert dict(rest)["thread.message.completed"]["content"][0]["text"]["value"] == "4 degrees"


def test_a_failing_script_streams_thread_run_failed(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_f", script=Script.fail("rate_limit_exceeded", "Too many."))
    thread_id = server.add_thread()
    events = _stream(client, f"/threads/{thread_id}/runs", {"assistant_id": "asst_f"})
    assert names(events) == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.failed",
        "done",
    ]
    assert dict(events)["thread.run.failed"]["last_error"] == {"code": "rate_limit_exceeded", "message": "Too many."}


def test_an_incomplete_script_streams_message_and_run_incomplete(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_i", script=Script.incomplete(text="Half an"))
    thread_id = server.add_thread()
    events = _stream(client, f"/threads/{thread_id}/runs", {"assistant_id": "asst_i"})
    assert _without_deltas(events)[-4:] == [
        "thread.message.incomplete",
        "thread.run.step.completed",
        "thread.run.incomplete",
        "done",
    ]


def test_a_client_that_leaves_mid_stream_is_counted_and_the_run_stops_being_driven(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    server = make_server(stream_delay=0.05)
    server.add_assistant("asst_1", script=Script.reply(" ".join(f"word{i}" for i in range(40))))
    thread_id = server.add_thread()
    with make_client(server, response_log) as client:
        with client.stream("POST", f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1", "stream": True}) as r:
            lines = r.iter_lines()
            first = next(lines)
            assert first == "event: thread.run.created"
        deadline = time.monotonic() + 5
        while server.stream_disconnects == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.stream_disconnects == 1
        run_id = client.get(f"/threads/{thread_id}/runs").json()["data"][0]["id"]
        time.sleep(0.2)
        assert server.run(thread_id, run_id)["status"] in ("queued", "in_progress")
        server.step(2)
        assert server.run(thread_id, run_id)["status"] == "completed"


def test_polls_and_ticks_during_a_stream_do_not_take_its_events(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    """The run belongs to its stream from the create on: a poll (advance-on-read) or a tick made while the
    first frames are still going out cannot move it, so no step, message or final event goes missing."""
    server = make_server(stream_delay=0.1, advance_on_read=True)
    server.add_assistant("asst_1", script=Script.reply("one two three"))
    thread_id = server.add_thread(messages=["hi"])
    body = {"assistant_id": "asst_1", "stream": True}
    with (
        make_client(server, response_log) as client,
        make_client(server, ResponseLog()) as other,
        client.stream("POST", f"/threads/{thread_id}/runs", json=body) as response,
    ):
        lines = response.iter_lines()
        assert next(lines) == "event: thread.run.created"
        run_id = json.loads(next(lines).removeprefix("data: "))["id"]
        polled = [other.get(f"/threads/{thread_id}/runs/{run_id}").json()["status"] for _ in range(3)]
        server.step(5)
        rest = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    assert polled == ["queued"] * 3
    assert rest[:3] == ["thread.run.queued", "thread.run.in_progress", "thread.run.step.created"]
    assert "thread.message.delta" in rest and rest[-2:] == ["thread.run.completed", "done"]


def test_a_stream_closed_before_its_first_event_gives_the_run_back(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    server = make_server(stream_delay=0.2)
    server.add_assistant("asst_1")
    thread_id = server.add_thread(messages=["hi"])
    with make_client(server, response_log) as client:
        with client.stream("POST", f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1", "stream": True}):
            pass  # closed before anything was read
        run_id = client.get(f"/threads/{thread_id}/runs").json()["data"][0]["id"]
        deadline = time.monotonic() + 5
        while server.run(thread_id, run_id)["status"] != "completed" and time.monotonic() < deadline:
            server.step()  # moves the run only once its stream has let go of it
            time.sleep(0.02)
    assert server.run(thread_id, run_id)["status"] == "completed"


def test_a_finished_stream_is_not_counted_as_a_disconnect(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_1")
    thread_id = server.add_thread(messages=["x"])
    _stream(client, f"/threads/{thread_id}/runs", {"assistant_id": "asst_1"})
    assert server.stream_disconnects == 0


def test_stream_false_or_null_answers_with_json(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_1")
    for value in (False, None):
        thread_id = server.add_thread()  # each run stays queued: one thread each
        response = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1", "stream": value})
        assert response.headers["content-type"] == "application/json"
        assert response.json()["status"] == "queued"
