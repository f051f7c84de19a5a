"""create_and_run_tools against the embedded server, by polling and by streaming."""

from __future__ import annotations

import json
from typing import Any

import pytest
from stream_testkit import Live

import threadruns
from threadruns.server import Script, ToolCall


def _weather(city: str, unit: str = "C") -> dict[str, Any]:
    return {"city": city, "temperature": 3, "unit": unit}


def _explode(**kwargs: Any) -> str:
    raise RuntimeError("sensor offline")


@pytest.mark.parametrize("stream", [False, True], ids=["polling", "streaming"])
def test_two_functions_one_raising_complete_the_run(live: Live, stream: bool) -> None:
    script = Script.call_tools(
        [ToolCall("get_weather", {"city": "Oslo"}), ToolCall("read_sensor", {"id": 7})],
        then=Script.reply("Results:\n{outputs}"),
    )
    live.server.add_assistant("asst_1", script=script)
    thread = live.server.add_thread(messages=["Weather?"])
    calls: list[dict[str, Any]] = []

    def weather(**kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs)
        return _weather(**kwargs)

    run = live.call(
        lambda c: c.runs.create_and_run_tools(
            thread_id=thread,
            assistant_id="asst_1",
            functions={"get_weather": weather, "read_sensor": _explode},
            stream=stream,
            poll_interval_ms=10,
        )
    )
    assert run.status == "completed"
    assert calls == [{"city": "Oslo"}]
    reply = live.server.messages(thread)[-1]["content"][0]["text"]["value"]
    assert json.dumps(_weather("Oslo")) in reply
    assert "Error: read_sensor raised RuntimeError: sensor offline" in reply
    submits = [r for r in live.server.requests if r.path.endswith("/submit_tool_outputs")]
    assert len(submits) == 1  # both outputs in one call


def test_unknown_function_is_reported_to_the_run(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.call_tools([ToolCall("nope", {})]))
    thread = live.server.add_thread(messages=["go"])
    run = live.call(
        lambda c: c.runs.create_and_run_tools(
            thread_id=thread, assistant_id="asst_1", functions={}, poll_interval_ms=10
        )
    )
    assert run.status == "completed"
    assert "no function named 'nope'" in live.server.messages(thread)[-1]["content"][0]["text"]["value"]


def test_exceeding_max_rounds_raises_tool_loop_error(live: Live) -> None:
    again = Script.call_tools([ToolCall("f", {})], then=Script.call_tools([ToolCall("f", {})]))
    live.server.add_assistant("asst_1", script=again)
    thread = live.server.add_thread(messages=["go"])
    with pytest.raises(threadruns.ToolLoopError) as info:
        live.call(
            lambda c: c.runs.create_and_run_tools(
                thread_id=thread,
                assistant_id="asst_1",
                functions={"f": lambda: "ok"},
                max_rounds=1,
                poll_interval_ms=10,
            )
        )
    assert info.value.rounds == 1 and info.value.run.status == "requires_action"


def test_async_client_awaits_coroutine_functions() -> None:
    from threadruns.server import RunsServer

    async def lookup(city: str) -> str:
        return f"{city}: sunny"

    with RunsServer() as server:
        server.add_assistant("asst_1", script=Script.call_tools([ToolCall("lookup", {"city": "Rome"})]))
        thread = server.add_thread(messages=["go"])
        live = Live("async", server)
        try:
            run = live.call(
                lambda c: c.runs.create_and_run_tools(
                    thread_id=thread, assistant_id="asst_1", functions={"lookup": lookup}, poll_interval_ms=10
                )
            )
        finally:
            live.close()
        assert run.status == "completed"
        assert "Rome: sunny" in server.messages(thread)[-1]["content"][0]["text"]["value"]


@pytest.mark.parametrize("functions", [None, {"f": "not callable"}, {1: print}])
def test_bad_functions_raise_before_any_request(live: Live, functions: Any) -> None:
    with pytest.raises(TypeError, match="functions"):
        live.call(
            lambda c: c.runs.create_and_run_tools(thread_id="thread_1", assistant_id="asst_1", functions=functions)
        )
    assert live.server.requests == []


def test_a_raising_function_is_logged_with_its_traceback(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    live.server.add_assistant("asst_1", script=Script.call_tools([ToolCall("read_sensor", {"id": 7})]))
    thread = live.server.add_thread(messages=["Sensor?"])
    with caplog.at_level("WARNING", logger="threadruns"):
        run = live.call(
            lambda c: c.runs.create_and_run_tools(
                thread_id=thread, assistant_id="asst_1", functions={"read_sensor": _explode}
            )
        )
    assert run.status == "completed"  # the error went back to the run as the tool's output
    warned = [r for r in caplog.records if "read_sensor" in r.getMessage()]
    assert len(warned) == 1 and warned[0].exc_info is not None
    assert "sensor offline" in str(warned[0].exc_info[1]) and "on_tool_error='raise'" in warned[0].getMessage()


def test_on_tool_error_raise_raises_the_function_error_and_leaves_the_run_waiting(live: Live) -> None:
    live.server.add_assistant("asst_1", script=Script.call_tools([ToolCall("read_sensor", {"id": 7})]))
    thread = live.server.add_thread(messages=["Sensor?"])
    with pytest.raises(RuntimeError, match="sensor offline"):
        live.call(
            lambda c: c.runs.create_and_run_tools(
                thread_id=thread, assistant_id="asst_1", functions={"read_sensor": _explode}, on_tool_error="raise"
            )
        )
    runs = live.call(lambda c: c.runs.list(thread))
    assert [r.status for r in runs.data] == ["requires_action"]  # nothing was submitted


@pytest.mark.parametrize("value", ["ignore", 1])
def test_a_bad_on_tool_error_is_refused_before_anything_is_sent(live: Live, value: object) -> None:
    before = len(live.server.requests)
    with pytest.raises((ValueError, TypeError), match="on_tool_error"):
        live.call(
            lambda c: c.runs.create_and_run_tools(
                thread_id="thread_1", assistant_id="asst_1", functions={}, on_tool_error=value
            )
        )
    assert len(live.server.requests) == before


def test_tool_loop_error_says_the_run_is_still_active_and_what_to_do(live: Live) -> None:
    script = Script.call_tools([ToolCall("f", {})], then=Script.call_tools([ToolCall("f", {})]))
    live.server.add_assistant("asst_1", script=script)
    thread = live.server.add_thread(messages=["Go"])
    with pytest.raises(threadruns.ToolLoopError) as info:
        live.call(
            lambda c: c.runs.create_and_run_tools(
                thread_id=thread, assistant_id="asst_1", functions={"f": lambda: "ok"}, max_rounds=1
            )
        )
    message = str(info.value)
    assert "still active" in message and "runs.cancel(" in message and "submit_tool_outputs(" in message
    assert info.value.run.id in message and thread in message
