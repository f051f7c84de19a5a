"""Run lifecycles for every script kind, driven by the clock the tests control."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from spec_checks import ResponseLog, make_client, read_events

from threadruns.server import ReplyContext, RunsServer, Script, ToolCall

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
WEATHER = Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})], then=Script.reply("It is {outputs}."))


@pytest.fixture
def timed(make_server: Callable[..., RunsServer]) -> RunsServer:
    """A manual-time server whose clock starts at T0."""
    return make_server(start_time=T0)


@pytest.fixture
def http(timed: RunsServer, response_log: ResponseLog) -> Iterator[httpx.Client]:
    with make_client(timed, response_log) as client:
        yield client


def _create(client: httpx.Client, thread_id: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/threads/{thread_id}/runs", json=body)
    assert response.status_code == 200, response.text
    run: dict[str, Any] = response.json()
    return run


def _get(client: httpx.Client, thread_id: str, run_id: str) -> dict[str, Any]:
    run: dict[str, Any] = client.get(f"/threads/{thread_id}/runs/{run_id}").json()
    return run


def _steps(client: httpx.Client, thread_id: str, run_id: str) -> list[dict[str, Any]]:
    page = client.get(f"/threads/{thread_id}/runs/{run_id}/steps", params={"order": "asc"}).json()
    steps: list[dict[str, Any]] = page["data"]
    return steps


def test_echo_run_goes_queued_in_progress_completed_with_step_message_usage_and_timestamps(
    timed: RunsServer, http: httpx.Client
) -> None:
    timed.add_assistant("asst_1", instructions="Repeat.")
    thread_id = timed.add_thread(messages=["Hello there, general"])
    run = _create(http, thread_id, assistant_id="asst_1")
    assert (run["status"], run["created_at"], run["expires_at"]) == ("queued", T0, T0 + 600)

    timed.clock.advance(1)
    timed.step()
    running = _get(http, thread_id, run["id"])
    assert (running["status"], running["started_at"], running["usage"]) == ("in_progress", T0 + 1, None)
    [step] = _steps(http, thread_id, run["id"])
    assert (step["type"], step["status"], step["usage"]) == ("message_creation", "in_progress", None)

    timed.clock.advance(2)
    timed.step()
    done = _get(http, thread_id, run["id"])
    assert done["status"] == "completed"
    assert (done["started_at"], done["completed_at"], done["expires_at"]) == (T0 + 1, T0 + 3, None)
    assert done["failed_at"] is None and done["cancelled_at"] is None and done["last_error"] is None
    [step] = _steps(http, thread_id, run["id"])
    assert (step["status"], step["completed_at"]) == ("completed", T0 + 3)
    assert done["usage"] == step["usage"]
    usage = done["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    message = timed.messages(thread_id)[-1]
    assert message["id"] == step["step_details"]["message_creation"]["message_id"]
    assert (message["role"], message["status"], message["run_id"]) == ("assistant", "completed", run["id"])
    assert message["content"][0]["text"]["value"] == "Hello there, general"

    timed.step(3)
    assert _get(http, thread_id, run["id"]) == done


def test_a_run_does_not_move_without_a_tick_in_manual_mode(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread(messages=["x"])
    run = _create(http, thread_id, assistant_id="asst_1")
    for _ in range(3):
        assert _get(http, thread_id, run["id"])["status"] == "queued"
    assert timed.clock.ticks == 0


def test_advance_on_read_lets_a_polling_client_finish_without_sleeping(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    server = make_server(advance_on_read=True)
    server.add_assistant("asst_1")
    thread_id = server.add_thread(messages=["ping"])
    with make_client(server, response_log) as client:
        run = _create(client, thread_id, assistant_id="asst_1")
        seen = [run["status"]]
        while seen[-1] not in ("completed", "failed", "cancelled", "expired", "incomplete"):
            seen.append(_get(client, thread_id, run["id"])["status"])
            assert len(seen) < 10
        assert seen == ["queued", "in_progress", "completed"]
        assert client.get(f"/threads/{thread_id}/runs").json()["data"][0]["status"] == "completed"


def test_tool_script_requires_action_then_completes_with_the_outputs_in_the_reply(
    timed: RunsServer, http: httpx.Client
) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    timed.add_assistant("asst_w", tools=tools, script=WEATHER)
    thread_id = timed.add_thread(messages=["Weather in Oslo?"])
    run = _create(http, thread_id, assistant_id="asst_w")
    timed.step()
    [tool_step] = _steps(http, thread_id, run["id"])
    assert (tool_step["type"], tool_step["status"], tool_step["step_details"]["tool_calls"]) == (
        "tool_calls",
        "in_progress",
        [],
    )
    timed.step()
    waiting = _get(http, thread_id, run["id"])
    assert waiting["status"] == "requires_action"
    assert waiting["tools"] == tools
    action = waiting["required_action"]
    assert action["type"] == "submit_tool_outputs"
    [call] = action["submit_tool_outputs"]["tool_calls"]
    assert call["id"].startswith("call_")
    assert call["type"] == "function"
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Oslo"}
    [tool_step] = _steps(http, thread_id, run["id"])
    assert tool_step["step_details"]["tool_calls"][0]["id"] == call["id"]
    assert tool_step["step_details"]["tool_calls"][0]["function"]["output"] is None

    timed.step(5)
    assert _get(http, thread_id, run["id"])["status"] == "requires_action"

    submitted = http.post(
        f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs",
        json={"tool_outputs": [{"tool_call_id": call["id"], "output": "3 C and sunny"}]},
    ).json()
    assert (submitted["status"], submitted["required_action"]) == ("queued", None)
    timed.step(2)
    done = _get(http, thread_id, run["id"])
    assert done["status"] == "completed"
    tool_step, message_step = _steps(http, thread_id, run["id"])
    assert tool_step["status"] == "completed"
    assert tool_step["step_details"]["tool_calls"][0]["function"]["output"] == "3 C and sunny"
    assert message_step["type"] == "message_creation"
    assert timed.messages(thread_id)[-1]["content"][0]["text"]["value"] == "It is 3 C and sunny."
    assert done["usage"]["total_tokens"] == tool_step["usage"]["total_tokens"] + message_step["usage"]["total_tokens"]


def test_submit_needs_exactly_one_output_for_every_pending_call(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_2", script=Script.call_tools([ToolCall("a"), ToolCall("b", '{"x": 1}')]))
    thread_id = timed.add_thread()
    run = _create(http, thread_id, assistant_id="asst_2")
    timed.step(2)
    calls = _get(http, thread_id, run["id"])["required_action"]["submit_tool_outputs"]["tool_calls"]
    first, second = (call["id"] for call in calls)
    url = f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs"
    bad_bodies = [
        [{"tool_call_id": first, "output": "1"}],
        [{"tool_call_id": first, "output": "1"}, {"tool_call_id": "call_unknown", "output": "2"}],
        [{"tool_call_id": first, "output": "1"}, {"tool_call_id": first, "output": "2"}],
    ]
    for outputs in bad_bodies:
        response = http.post(url, json={"tool_outputs": outputs})
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "tool_outputs"
    assert _get(http, thread_id, run["id"])["status"] == "requires_action"
    response = http.post(url, json={"tool_outputs": [{"output": "1"}]})
    assert response.status_code == 400 and response.json()["error"]["param"] == "tool_outputs[0]"
    outputs = [{"tool_call_id": second, "output": "B"}, {"tool_call_id": first, "output": "A"}]
    assert http.post(url, json={"tool_outputs": outputs}).status_code == 200
    timed.step(2)
    assert timed.messages(thread_id)[-1]["content"][0]["text"]["value"] == "A\nB"


def test_submit_to_a_run_that_is_not_waiting_is_a_400(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread()
    run = _create(http, thread_id, assistant_id="asst_1")
    outputs = [{"tool_call_id": "call_1", "output": "x"}]
    response = http.post(f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs", json={"tool_outputs": outputs})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == 'Runs in status "queued" do not accept tool outputs.'


@pytest.mark.parametrize("code", ["server_error", "rate_limit_exceeded", "invalid_prompt"])
def test_fail_script_ends_the_run_failed_with_last_error(timed: RunsServer, http: httpx.Client, code: Any) -> None:
    timed.add_assistant("asst_f", script=Script.fail(code=code, message="Boom."))
    thread_id = timed.add_thread(messages=["x"])
    run = _create(http, thread_id, assistant_id="asst_f")
    timed.step()
    assert _get(http, thread_id, run["id"])["status"] == "in_progress"
    timed.clock.advance(5)
    timed.step()
    failed = _get(http, thread_id, run["id"])
    assert failed["status"] == "failed"
    assert failed["last_error"] == {"code": code, "message": "Boom."}
    assert (failed["failed_at"], failed["completed_at"], failed["expires_at"]) == (T0 + 5, None, None)
    assert failed["usage"] == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


def test_incomplete_script_ends_the_run_incomplete_with_the_reason(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_i", script=Script.incomplete(reason="max_prompt_tokens", text="The answer is"))
    thread_id = timed.add_thread(messages=["x"])
    run = _create(http, thread_id, assistant_id="asst_i")
    timed.step(2)
    ended = _get(http, thread_id, run["id"])
    assert ended["status"] == "incomplete"
    assert ended["incomplete_details"] == {"reason": "max_prompt_tokens"}
    assert ended["completed_at"] is None and ended["expires_at"] is None and ended["usage"] is not None
    message = timed.messages(thread_id)[-1]
    assert (message["status"], message["incomplete_details"]) == ("incomplete", {"reason": "max_tokens"})
    assert message["content"][0]["text"]["value"] == "The answer is"


def test_cancel_moves_through_cancelling_to_cancelled_and_closes_the_open_step(
    timed: RunsServer, http: httpx.Client
) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread(messages=["x"])
    run = _create(http, thread_id, assistant_id="asst_1")
    timed.step()
    timed.clock.advance(4)
    cancelling = http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel").json()
    assert cancelling["status"] == "cancelling"
    assert _get(http, thread_id, run["id"])["status"] == "cancelling"
    timed.step()
    cancelled = _get(http, thread_id, run["id"])
    assert (cancelled["status"], cancelled["cancelled_at"], cancelled["completed_at"]) == (
        "cancelled",
        T0 + 4,
        None,
    )
    [step] = _steps(http, thread_id, run["id"])
    assert (step["status"], step["cancelled_at"]) == ("cancelled", T0 + 4)
    message = timed.messages(thread_id)[-1]
    assert message["incomplete_details"] == {"reason": "run_cancelled"}
    again = http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel")
    assert again.status_code == 400
    assert again.json()["error"]["message"] == "Cannot cancel run with status 'cancelled'."


def test_a_run_waiting_for_tools_can_be_cancelled(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_w", script=WEATHER)
    thread_id = timed.add_thread()
    run = _create(http, thread_id, assistant_id="asst_w")
    timed.step(2)
    assert http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel").json()["status"] == "cancelling"
    timed.step()
    cancelled = _get(http, thread_id, run["id"])
    assert (cancelled["status"], cancelled["required_action"]) == ("cancelled", None)


def test_cancelling_a_completed_run_is_a_400(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread()
    run = _create(http, thread_id, assistant_id="asst_1")
    timed.step(2)
    response = http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Cannot cancel run with status 'completed'."


def test_runs_expire_at_expires_at_while_queued_or_waiting_for_tools(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    server = make_server(start_time=T0, expires_after=30)
    server.add_assistant("asst_w", script=WEATHER)
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    with make_client(server, response_log) as client:
        waiting = _create(client, thread_id, assistant_id="asst_w")
        server.step(2)
        queued = _create(client, server.add_thread(), assistant_id="asst_1")  # one active run per thread
        assert queued["expires_at"] == T0 + 30
        server.clock.advance(29)
        assert _get(client, queued["thread_id"], queued["id"])["status"] == "queued"
        server.clock.advance(1)
        for run in (queued, waiting):
            expired = _get(client, run["thread_id"], run["id"])
            assert (expired["status"], expired["expires_at"], expired["required_action"]) == ("expired", T0 + 30, None)
        [tool_step] = _steps(client, thread_id, waiting["id"])
        assert (tool_step["status"], tool_step["expired_at"]) == ("expired", T0 + 30)
        assert client.post(f"/threads/{queued['thread_id']}/runs/{queued['id']}/cancel").status_code == 400
        for thread in (thread_id, queued["thread_id"]):
            page = client.get(f"/threads/{thread}/runs").json()
            assert {run["status"] for run in page["data"]} == {"expired"}


def test_completed_runs_never_expire(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread()
    run = _create(http, thread_id, assistant_id="asst_1")
    timed.step(2)
    timed.clock.advance(3600)
    assert _get(http, thread_id, run["id"])["status"] == "completed"


def test_realtime_mode_moves_runs_on_wall_time(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    server = make_server(time_mode="realtime", tick=0.05)
    server.add_assistant("asst_1")
    thread_id = server.add_thread(messages=["hi"])
    with make_client(server, response_log) as client:
        run = _create(client, thread_id, assistant_id="asst_1")
        deadline = time.monotonic() + 5
        statuses = [run["status"]]
        while statuses[-1] != "completed" and time.monotonic() < deadline:
            time.sleep(0.02)
            statuses.append(_get(client, thread_id, run["id"])["status"])
        assert statuses[-1] == "completed"
        assert set(statuses) <= {"queued", "in_progress", "completed"}


def test_advancing_the_clock_fast_forwards_realtime_runs(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    server = make_server(time_mode="realtime", tick=10.0, start_time=T0)
    server.add_assistant("asst_1")
    thread_id = server.add_thread(messages=["hi"])
    with make_client(server, response_log) as client:
        run = _create(client, thread_id, assistant_id="asst_1")
        assert _get(client, thread_id, run["id"])["status"] == "queued"
        server.clock.advance(25)
        done = _get(client, thread_id, run["id"])
        assert done["status"] == "completed"
        assert done["started_at"] == done["created_at"] + 10
        assert done["completed_at"] == done["created_at"] + 20


def test_create_run_stores_and_echoes_every_override(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1", model="gpt-4o", instructions="Base.", tools=[{"type": "code_interpreter"}])
    thread_id = timed.add_thread()
    overrides: dict[str, Any] = {
        "model": "gpt-4.1-mini",
        "tools": [{"type": "function", "function": {"name": "lookup", "strict": True}}, {"type": "file_search"}],
        "metadata": {"ticket": "T-17"},
        "temperature": 0.2,
        "top_p": 0.9,
        "max_prompt_tokens": 1000,
        "max_completion_tokens": 500,
        "truncation_strategy": {"type": "last_messages", "last_messages": 4},
        "tool_choice": {"type": "function", "function": {"name": "lookup"}},
        "parallel_tool_calls": False,
        "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}},
    }
    run = _create(
        http, thread_id, assistant_id="asst_1", additional_instructions="Be brief.", reasoning_effort="low", **overrides
    )
    for key, value in overrides.items():
        assert run[key] == value, key
    assert "reasoning_effort" not in run  # accepted, but the spec's RunObject has no such key
    assert run["instructions"] == "Base.\nBe brief."
    other = timed.add_thread()  # the first run is still active on thread_id
    replaced = _create(http, other, assistant_id="asst_1", instructions="Other.", additional_instructions="More.")
    assert replaced["instructions"] == "Other.\nMore."


def test_create_run_defaults_follow_the_api(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1", model="gpt-4o-mini", tools=[{"type": "code_interpreter"}])
    thread_id = timed.add_thread()
    run = _create(http, thread_id, assistant_id="asst_1")
    assert run["model"] == "gpt-4o-mini" and run["tools"] == [{"type": "code_interpreter"}]
    assert run["instructions"] == "" and run["metadata"] == {}
    assert (run["temperature"], run["top_p"]) == (1.0, 1.0)
    assert (run["max_prompt_tokens"], run["max_completion_tokens"]) == (None, None)
    assert run["truncation_strategy"] == {"type": "auto", "last_messages": None}
    assert (run["tool_choice"], run["parallel_tool_calls"], run["response_format"]) == ("auto", True, "auto")
    assert "reasoning_effort" not in run


def test_additional_messages_join_the_thread_before_the_run(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread(messages=["first"])
    extra = [
        {"role": "assistant", "content": "noted"},
        {"role": "user", "content": [{"type": "text", "text": "second"}], "metadata": {"k": "v"}},
    ]
    run = _create(http, thread_id, assistant_id="asst_1", additional_messages=extra)
    messages = timed.messages(thread_id)
    assert [(m["role"], m["content"][0]["text"]["value"]) for m in messages] == [
        ("user", "first"),
        ("assistant", "noted"),
        ("user", "second"),
    ]
    assert messages[-1]["metadata"] == {"k": "v"}
    timed.step(2)
    assert _get(http, thread_id, run["id"])["status"] == "completed"
    assert timed.messages(thread_id)[-1]["content"][0]["text"]["value"] == "second"


def test_reply_can_be_computed_from_the_context(timed: RunsServer, http: httpx.Client) -> None:
    seen: list[ReplyContext] = []

    def reply(context: ReplyContext) -> str:
        seen.append(context)
        return f"{context.last_user_message.upper()} / {context.metadata.get('tag')}"

    timed.add_assistant("asst_1", script=Script.reply(reply))
    thread_id = timed.add_thread(messages=["quiet"])
    _create(http, thread_id, assistant_id="asst_1", metadata={"tag": "t1"})
    timed.step(2)
    assert timed.messages(thread_id)[-1]["content"][0]["text"]["value"] == "QUIET / t1"
    assert seen[0].outputs == ()


def test_auto_create_makes_unknown_threads_and_assistants_on_first_use(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    server = make_server(auto_create=True)
    with make_client(server, response_log) as client:
        empty = client.get("/threads/thread_new/runs").json()
        assert (empty["data"], empty["first_id"], empty["last_id"], empty["has_more"]) == ([], None, None, False)
        run = _create(
            client,
            "thread_other",
            assistant_id="asst_new",
            additional_messages=[{"role": "user", "content": "echo me"}],
        )
        assert run["assistant_id"] == "asst_new" and run["model"] == "gpt-4o"
        server.step(2)
        assert server.messages("thread_other")[-1]["content"][0]["text"]["value"] == "echo me"
        assert client.get("/threads/thread_other/runs/run_nope").status_code == 404


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_seed_file_creates_threads_and_scripted_assistants(
    make_server: Callable[..., RunsServer], response_log: ResponseLog, tmp_path: Path, suffix: str
) -> None:
    seed = {
        "threads": [{"id": "thread_seed", "messages": ["Weather?", {"role": "assistant", "content": "Checking"}]}],
        "assistants": [
            {
                "id": "asst_seed",
                "model": "gpt-4.1",
                "instructions": "Short.",
                "script": {
                    "call_tools": [{"name": "get_weather", "arguments": {"city": "Oslo"}}],
                    "then": {"reply": "Got {outputs}"},
                },
            },
            {"id": "asst_fail", "script": {"fail": {"code": "rate_limit_exceeded", "message": "Slow down."}}},
        ],
    }
    path = tmp_path / f"seed{suffix}"
    path.write_text(json.dumps(seed))
    server = make_server(seed=path)
    assert [m["role"] for m in server.messages("thread_seed")] == ["user", "assistant"]
    with make_client(server, response_log) as client:
        run = _create(client, "thread_seed", assistant_id="asst_seed")
        assert (run["model"], run["instructions"]) == ("gpt-4.1", "Short.")
        server.step(2)
        call = _get(client, "thread_seed", run["id"])["required_action"]["submit_tool_outputs"]["tool_calls"][0]
        url = f"/threads/thread_seed/runs/{run['id']}/submit_tool_outputs"
        client.post(url, json={"tool_outputs": [{"tool_call_id": call["id"], "output": "rain"}]})
        server.step(2)
        assert server.messages("thread_seed")[-1]["content"][0]["text"]["value"] == "Got rain"
        failing = _create(client, "thread_seed", assistant_id="asst_fail")
        server.step(2)
        assert _get(client, "thread_seed", failing["id"])["last_error"]["code"] == "rate_limit_exceeded"


def test_python_inspection_helpers_raise_key_error_for_unknown_ids(timed: RunsServer) -> None:
    with pytest.raises(KeyError):
        timed.messages("thread_missing")
    timed.add_thread("thread_1")
    with pytest.raises(KeyError):
        timed.run("thread_1", "run_missing")


def test_scripts_reject_values_the_spec_does_not_allow() -> None:
    with pytest.raises(ValueError, match="code"):
        Script.fail(code="boom")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reason"):
        Script.incomplete(reason="bored")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one"):
        Script.call_tools([])
    with pytest.raises(ValueError, match="unknown script"):
        Script.from_dict({"dance": True})


# ----------------------------------------------------------------------------- one active run per thread


def _refused(client: httpx.Client, thread_id: str, active_id: str, **body: Any) -> None:
    """A create on a busy thread: the API's 400, naming the thread and its active run."""
    response = client.post(f"/threads/{thread_id}/runs", json=body)
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": {
            "message": f"Thread {thread_id} already has an active run {active_id}.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }


def test_a_thread_runs_one_run_at_a_time(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread(messages=["Hi"])
    first = _create(http, thread_id, assistant_id="asst_1")

    extra = {"additional_messages": [{"role": "user", "content": "More"}]}
    messages_before = timed.messages(thread_id)
    _refused(http, thread_id, first["id"], assistant_id="asst_1", **extra)  # queued
    assert timed.messages(thread_id) == messages_before  # nothing of a refused request is kept
    timed.step()
    assert _get(http, thread_id, first["id"])["status"] == "in_progress"
    _refused(http, thread_id, first["id"], assistant_id="asst_1", stream=True)  # a 400, before any stream starts
    assert [run["id"] for run in http.get(f"/threads/{thread_id}/runs").json()["data"]] == [first["id"]]

    timed.step(5)
    assert _get(http, thread_id, first["id"])["status"] == "completed"
    second = _create(http, thread_id, assistant_id="asst_1", **extra)
    assert timed.messages(thread_id)[-1]["content"][0]["text"]["value"] == "More"
    # Another thread was never blocked.
    _create(http, timed.add_thread(), assistant_id="asst_1")
    _refused(http, thread_id, second["id"], assistant_id="asst_1")


def test_waiting_for_tools_and_cancelling_still_block_the_thread(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_w", script=WEATHER)
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread(messages=["Weather?"])
    run = _create(http, thread_id, assistant_id="asst_w")
    timed.step(2)
    assert _get(http, thread_id, run["id"])["status"] == "requires_action"
    _refused(http, thread_id, run["id"], assistant_id="asst_1")

    assert http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel").json()["status"] == "cancelling"
    _refused(http, thread_id, run["id"], assistant_id="asst_1")
    timed.step()
    assert _get(http, thread_id, run["id"])["status"] == "cancelled"
    assert _create(http, thread_id, assistant_id="asst_1")["status"] == "queued"


def test_an_expired_run_frees_its_thread(make_server: Callable[..., RunsServer], response_log: ResponseLog) -> None:
    server = make_server(start_time=T0, expires_after=30)
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    with make_client(server, response_log) as client:
        run = _create(client, thread_id, assistant_id="asst_1")
        server.clock.advance(29)
        _refused(client, thread_id, run["id"], assistant_id="asst_1")
        server.clock.advance(1)  # expiry is applied when the thread is next looked at
        assert _create(client, thread_id, assistant_id="asst_1")["status"] == "queued"
        assert _get(client, thread_id, run["id"])["status"] == "expired"


def test_concurrent_runs_lifts_the_rule(make_server: Callable[..., RunsServer], response_log: ResponseLog) -> None:
    server = make_server(concurrent_runs=True)
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    with make_client(server, response_log) as client:
        ids = [_create(client, thread_id, assistant_id="asst_1")["id"] for _ in range(3)]
        statuses = [_get(client, thread_id, run_id)["status"] for run_id in ids]
    assert len(set(ids)) == 3 and statuses == ["queued"] * 3


# ----------------------------------------------------------------------------- token limits

LONG_REPLY = " ".join(f"word{n}" for n in range(300))  # 2,289 characters: 573 tokens at four characters each


@pytest.mark.parametrize(
    ("script", "cut"),
    [
        (Script.reply(LONG_REPLY), LONG_REPLY[: 256 * 4]),
        # A scripted incomplete ending keeps its reason, and its text is cut at the limit too.
        (Script.incomplete("max_completion_tokens", text="y" * 4000), "y" * 1024),
    ],
    ids=["reply", "scripted-incomplete"],
)
def test_max_completion_tokens_cuts_the_reply_and_ends_the_run_incomplete(
    timed: RunsServer, http: httpx.Client, script: Script, cut: str
) -> None:
    timed.add_assistant("asst_long", script=script)
    thread_id = timed.add_thread(messages=["Talk."])
    run = _create(http, thread_id, assistant_id="asst_long", max_completion_tokens=256)
    timed.step(3)
    done = _get(http, thread_id, run["id"])
    assert (done["status"], done["incomplete_details"]) == ("incomplete", {"reason": "max_completion_tokens"})
    assert done["usage"]["completion_tokens"] == 256
    message = timed.messages(thread_id)[-1]
    assert message["content"][0]["text"]["value"] == cut
    assert (message["status"], message["incomplete_details"]) == ("incomplete", {"reason": "max_tokens"})


def test_max_prompt_tokens_ends_the_run_incomplete_without_a_reply(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread(messages=["x" * 2000])  # 500 prompt tokens
    run = _create(http, thread_id, assistant_id="asst_1", max_prompt_tokens=256)
    timed.step(3)
    done = _get(http, thread_id, run["id"])
    assert (done["status"], done["incomplete_details"]) == ("incomplete", {"reason": "max_prompt_tokens"})
    assert done["usage"] == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}  # never reached the model
    assert timed.messages(thread_id)[-1]["content"][0]["text"]["value"] == ""


def test_runs_within_their_token_limits_complete(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread(messages=["Short."])
    run = _create(http, thread_id, assistant_id="asst_1", max_prompt_tokens=256, max_completion_tokens=256)
    timed.step(3)
    done = _get(http, thread_id, run["id"])
    assert (done["status"], done["incomplete_details"]) == ("completed", None)
    assert done["usage"]["prompt_tokens"] <= 256 and done["usage"]["completion_tokens"] <= 256


def test_a_streamed_run_over_its_completion_limit_streams_only_what_it_may_write(
    timed: RunsServer, http: httpx.Client
) -> None:
    timed.add_assistant("asst_long", script=Script.reply(LONG_REPLY))
    thread_id = timed.add_thread(messages=["Talk."])
    body = {"assistant_id": "asst_long", "max_completion_tokens": 300, "stream": True}
    with http.stream("POST", f"/threads/{thread_id}/runs", json=body) as response:
        events = read_events(response)
    streamed = "".join(
        part["text"]["value"]
        for name, data in events
        if name == "thread.message.delta"
        for part in data["delta"]["content"]
    )
    assert streamed == LONG_REPLY[: 300 * 4]
    assert [name for name, _ in events][-2:] == ["thread.run.incomplete", "done"]
    assert events[-2][1]["incomplete_details"] == {"reason": "max_completion_tokens"}


def test_token_limits_are_totals_over_the_run(timed: RunsServer, http: httpx.Client) -> None:
    """The tool step's arguments count against max_completion_tokens: the reply after it gets the rest."""
    arguments = {"q": "x" * 393}  # {"q": "xxx..."}: 402 characters, 101 completion tokens
    timed.add_assistant(
        "asst_t", script=Script.call_tools([ToolCall("lookup", arguments)], then=Script.reply(LONG_REPLY))
    )
    thread_id = timed.add_thread(messages=["Look it up."])
    run = _create(http, thread_id, assistant_id="asst_t", max_completion_tokens=256)
    timed.step(2)
    waiting = _get(http, thread_id, run["id"])
    assert waiting["status"] == "requires_action"
    [call] = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert len(call["function"]["arguments"]) == 402
    outputs = {"tool_outputs": [{"tool_call_id": call["id"], "output": "found"}]}
    assert http.post(f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs", json=outputs).status_code == 200
    timed.step(3)
    done = _get(http, thread_id, run["id"])
    assert (done["status"], done["incomplete_details"]) == ("incomplete", {"reason": "max_completion_tokens"})
    assert done["usage"]["completion_tokens"] == 256
    assert timed.messages(thread_id)[-1]["content"][0]["text"]["value"] == LONG_REPLY[: (256 - 101) * 4]


def test_a_prompt_over_its_limit_ends_the_run_before_it_asks_for_tools(timed: RunsServer, http: httpx.Client) -> None:
    timed.add_assistant("asst_w", script=WEATHER)
    thread_id = timed.add_thread(messages=["x" * 2000])
    run = _create(http, thread_id, assistant_id="asst_w", max_prompt_tokens=256)
    timed.step(3)
    done = _get(http, thread_id, run["id"])
    assert (done["status"], done["incomplete_details"], done["required_action"]) == (
        "incomplete",
        {"reason": "max_prompt_tokens"},
        None,
    )
    [step] = _steps(http, thread_id, run["id"])
    assert (step["type"], step["status"], step["step_details"]["tool_calls"]) == ("tool_calls", "completed", [])


def test_last_messages_truncation_keeps_a_long_history_under_the_prompt_limit(
    timed: RunsServer, http: httpx.Client
) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread(messages=["x" * 2000, "Short question?"])
    strategy = {"type": "last_messages", "last_messages": 1}
    run = _create(http, thread_id, assistant_id="asst_1", max_prompt_tokens=256, truncation_strategy=strategy)
    timed.step(3)
    done = _get(http, thread_id, run["id"])
    assert done["status"] == "completed" and done["usage"]["prompt_tokens"] < 20


def test_cancelling_a_run_that_waits_for_tools_clears_its_required_action(
    timed: RunsServer, http: httpx.Client
) -> None:
    timed.add_assistant("asst_w", script=WEATHER)
    thread_id = timed.add_thread(messages=["Weather?"])
    run = _create(http, thread_id, assistant_id="asst_w")
    timed.step(2)
    assert _get(http, thread_id, run["id"])["required_action"] is not None
    cancelling = http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel").json()
    assert (cancelling["status"], cancelling["required_action"]) == ("cancelling", None)


def test_auto_truncation_drops_the_oldest_messages_to_fit_the_prompt_limit(
    timed: RunsServer, http: httpx.Client
) -> None:
    timed.add_assistant("asst_1")
    thread_id = timed.add_thread(messages=[f"{n:02d}" + "x" * 198 for n in range(10)])  # 10 x 50 tokens
    run = _create(http, thread_id, assistant_id="asst_1", max_prompt_tokens=256)  # truncation: auto
    timed.step(3)
    done = _get(http, thread_id, run["id"])
    assert (done["status"], done["incomplete_details"]) == ("completed", None)
    assert 200 <= done["usage"]["prompt_tokens"] <= 256  # the newest messages that fit, not all 500 tokens
    # The reply echoes the last user message: the newest one was kept.
    assert timed.messages(thread_id)[-1]["content"][0]["text"]["value"].startswith("09")
