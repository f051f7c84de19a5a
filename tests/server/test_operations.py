"""Every operation's happy path over real HTTP, with spec-valid bodies and the documented headers."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from spec_checks import ResponseLog, assert_valid, make_client
from threadruns_api.models import ListRunsResponse, RunObject, RunStepObject

from threadruns.server import RunsServer, Script, ToolCall

WEATHER = Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})], then=Script.reply("It is {outputs}."))


def _completed_run(server: RunsServer, client: httpx.Client) -> tuple[str, dict[str, object]]:
    server.add_assistant("asst_echo")
    thread_id = server.add_thread("thread_1", messages=["Hello, server"])
    run = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_echo"}).json()
    server.step(2)
    return thread_id, run


def test_create_run_returns_a_queued_run_object_with_every_required_key(
    server: RunsServer, client: httpx.Client
) -> None:
    server.add_assistant("asst_1", model="gpt-4.1", instructions="Be brief.")
    thread_id = server.add_thread(messages=["Hi"])
    response = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"})
    assert response.status_code == 200
    run = response.json()
    assert_valid("RunObject", run)
    assert run["object"] == "thread.run"
    assert run["status"] == "queued"
    assert run["id"].startswith("run_") and len(run["id"]) == 28
    assert (run["thread_id"], run["assistant_id"]) == (thread_id, "asst_1")
    assert (run["model"], run["instructions"]) == ("gpt-4.1", "Be brief.")
    assert run["expires_at"] == run["created_at"] + 600
    assert run["started_at"] is None and run["completed_at"] is None and run["usage"] is None
    assert RunObject.from_dict(run).to_dict() == run


def test_get_run_returns_the_current_state(server: RunsServer, client: httpx.Client) -> None:
    thread_id, run = _completed_run(server, client)
    response = client.get(f"/threads/{thread_id}/runs/{run['id']}")
    assert response.status_code == 200
    assert response.json()["id"] == run["id"]
    assert response.json()["status"] == "completed"


def test_list_runs_returns_a_list_object(server: RunsServer, client: httpx.Client) -> None:
    thread_id, run = _completed_run(server, client)
    page = client.get(f"/threads/{thread_id}/runs").json()
    assert page["object"] == "list"
    assert [item["id"] for item in page["data"]] == [run["id"]]
    assert (page["first_id"], page["last_id"], page["has_more"]) == (run["id"], run["id"], False)
    assert ListRunsResponse.from_dict(page).to_dict() == page


def test_modify_run_replaces_metadata_and_nothing_else(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    run = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1", "metadata": {"a": "1", "b": "2"}})
    run_id = run.json()["id"]
    modified = client.post(f"/threads/{thread_id}/runs/{run_id}", json={"metadata": {"c": "3"}}).json()
    assert modified["metadata"] == {"c": "3"}
    assert {k: v for k, v in modified.items() if k != "metadata"} == {
        k: v for k, v in run.json().items() if k != "metadata"
    }
    cleared = client.post(f"/threads/{thread_id}/runs/{run_id}", json={"metadata": None}).json()
    assert cleared["metadata"] == {}
    untouched = client.post(f"/threads/{thread_id}/runs/{run_id}", json={}).json()
    assert untouched["metadata"] == {}


def test_cancel_run_moves_a_queued_run_to_cancelling(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    run_id = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"}).json()["id"]
    response = client.post(f"/threads/{thread_id}/runs/{run_id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelling"


def test_submit_tool_outputs_resumes_a_run_waiting_for_tools(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_w", script=WEATHER)
    thread_id = server.add_thread()
    run_id = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_w"}).json()["id"]
    server.step(2)
    waiting = client.get(f"/threads/{thread_id}/runs/{run_id}").json()
    call_id = waiting["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
    response = client.post(
        f"/threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
        json={"tool_outputs": [{"tool_call_id": call_id, "output": "3 C"}]},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    assert response.json()["required_action"] is None


def test_list_run_steps_and_get_run_step_return_step_objects(server: RunsServer, client: httpx.Client) -> None:
    thread_id, run = _completed_run(server, client)
    page = client.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()
    assert page["object"] == "list" and len(page["data"]) == 1
    step = page["data"][0]
    assert step["object"] == "thread.run.step" and step["type"] == "message_creation"
    single = client.get(f"/threads/{thread_id}/runs/{run['id']}/steps/{step['id']}")
    assert single.status_code == 200
    assert single.json() == step
    assert RunStepObject.from_dict(step).to_dict() == step


def test_include_query_parameter_is_accepted_on_the_operations_that_declare_it(
    server: RunsServer, client: httpx.Client
) -> None:
    include = {"include[]": "step_details.tool_calls[*].file_search.results[*].content"}
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    run = client.post(f"/threads/{thread_id}/runs", params=include, json={"assistant_id": "asst_1"}).json()
    server.step(2)
    steps = client.get(f"/threads/{thread_id}/runs/{run['id']}/steps", params=include)
    assert steps.status_code == 200
    step_id = steps.json()["data"][0]["id"]
    assert client.get(f"/threads/{thread_id}/runs/{run['id']}/steps/{step_id}", params=include).status_code == 200


def test_every_response_carries_a_request_id_and_run_responses_carry_poll_after(
    server: RunsServer, client: httpx.Client, response_log: ResponseLog
) -> None:
    thread_id, run = _completed_run(server, client)
    run_path = f"/threads/{thread_id}/runs/{run['id']}"
    run_responses = [
        client.get(run_path),
        client.post(run_path, json={"metadata": {}}),
        client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_echo"}),
    ]
    for response in run_responses:
        assert response.headers["openai-poll-after-ms"] == "50"
    others = [
        client.get(f"/threads/{thread_id}/runs"),
        client.get(f"{run_path}/steps"),
        client.get("/threads/nope/runs"),
        client.get("/nowhere"),
    ]
    ids = {response.headers["x-request-id"] for response in run_responses + others}
    assert len(ids) == len(run_responses) + len(others)
    assert response_log.validated == len(ids) + 1


def test_poll_after_header_and_prefix_are_configurable(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    server = make_server(prefix="/api/openai", poll_after_ms=250)
    assert server.url.endswith("/api/openai")
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    with make_client(server, response_log) as client:
        response = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"})
        assert response.status_code == 200
        assert response.headers["openai-poll-after-ms"] == "250"
        other_prefix = server.url.replace("/api/openai", "/v1")
        assert client.get(f"{other_prefix}/threads/{thread_id}/runs").status_code == 404


def test_openai_beta_header_is_optional(server: RunsServer) -> None:
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    response = httpx.post(
        f"{server.url}/threads/{thread_id}/runs",
        json={"assistant_id": "asst_1"},
        headers={"Authorization": "Bearer k"},
    )
    assert response.status_code == 200
