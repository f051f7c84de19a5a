"""Bad requests, unknown objects and authentication: each answered in OpenAI's error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from spec_checks import ResponseLog, make_client

from threadruns.server import RunsServer
from threadruns.server._spec import load_spec


@pytest.fixture
def seeded(server: RunsServer, client: httpx.Client) -> tuple[str, str]:
    """A thread with one completed run: (thread_id, run_id)."""
    server.add_assistant("asst_1")
    thread_id = server.add_thread("thread_1", messages=["hi"])
    run_id = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"}).json()["id"]
    server.step(2)
    return thread_id, run_id


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"order": "sideways"}, "order"),
    ],
)
def test_list_runs_rejects_bad_query_parameters_naming_the_parameter(
    client: httpx.Client, seeded: tuple[str, str], query: dict[str, str], param: str
) -> None:
    error = _error(client.get(f"/threads/{seeded[0]}/runs", params=query), 400)
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert param in error["message"]


def test_list_run_steps_rejects_limit_over_100(client: httpx.Client, seeded: tuple[str, str]) -> None:
    thread_id, run_id = seeded
    error = _error(client.get(f"/threads/{thread_id}/runs/{run_id}/steps", params={"limit": 101}), 400)
    assert error["param"] == "limit"


def test_include_with_an_unknown_value_is_rejected(client: httpx.Client, seeded: tuple[str, str]) -> None:
    thread_id, run_id = seeded
    response = client.get(f"/threads/{thread_id}/runs/{run_id}/steps", params={"include[]": "everything"})
    assert _error(response, 400)["param"] == "include[]"


@pytest.mark.parametrize(
    ("body", "param", "wording"),
    [
        ({}, "assistant_id", "Missing required parameter: 'assistant_id'."),
        ({"assistant_id": "asst_1", "colour": "blue"}, "colour", "Unrecognized request argument supplied: colour"),
        ({"assistant_id": "asst_1", "temperature": "hot"}, "temperature", "Invalid type for 'temperature'"),
        ({"assistant_id": "asst_1", "temperature": 2.5}, "temperature", "Invalid value for 'temperature'"),
        ({"assistant_id": "asst_1", "top_p": -1}, "top_p", "Invalid value for 'top_p'"),
        ({"assistant_id": "asst_1", "max_completion_tokens": 10}, "max_completion_tokens", "minimum"),
        ({"assistant_id": "asst_1", "stream": "yes"}, "stream", "Invalid type for 'stream'"),
        ({"assistant_id": 7}, "assistant_id", "Invalid type for 'assistant_id'"),
        ({"assistant_id": ""}, "assistant_id", "empty"),
        (
            {"assistant_id": "asst_1", "additional_messages": [{"role": "robot", "content": "x"}]},
            "additional_messages[0].role",
            "'robot' is not one of",
        ),
        (
            {"assistant_id": "asst_1", "additional_messages": [{"role": "user", "content": "x", "name": "n"}]},
            "additional_messages[0].name",
            "Unrecognized request argument",
        ),
        ({"assistant_id": "asst_1", "tools": [{"type": "function"}]}, "tools[0].function", "Missing required"),
        (
            {"assistant_id": "asst_1", "truncation_strategy": {"type": "newest"}},
            "truncation_strategy.type",
            "'newest' is not one of",
        ),
        ({"assistant_id": "asst_1", "metadata": {"k": 1}}, "metadata.k", "Invalid type"),
        ({"assistant_id": "asst_1", "metadata": {f"k{i}": "v" for i in range(17)}}, "metadata", "16"),
        ({"assistant_id": "asst_1", "metadata": {"k": "v" * 513}}, "metadata.k", "too long"),
        ({"assistant_id": "asst_1", "reasoning_effort": "extreme"}, "reasoning_effort", "Invalid value"),
    ],
)
def test_create_run_rejects_invalid_bodies_naming_the_field(
    client: httpx.Client, seeded: tuple[str, str], body: dict[str, Any], param: str, wording: str
) -> None:
    error = _error(client.post(f"/threads/{seeded[0]}/runs", json=body), 400)
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert wording in error["message"]


def test_a_rejected_create_run_changes_nothing(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_1")
    thread_id = server.add_thread(messages=["hi"])
    body = {"assistant_id": "asst_1", "additional_messages": [{"role": "user", "content": "x"}], "top_p": 3}
    _error(client.post(f"/threads/{thread_id}/runs", json=body), 400)
    assert client.get(f"/threads/{thread_id}/runs").json()["data"] == []
    assert len(server.messages(thread_id)) == 1


def test_a_body_that_is_not_json_is_a_400(client: httpx.Client, seeded: tuple[str, str]) -> None:
    response = client.post(
        f"/threads/{seeded[0]}/runs", content=b"{not json", headers={"content-type": "application/json"}
    )
    error = _error(response, 400)
    assert "parse the JSON body" in error["message"] and error["param"] is None


@pytest.mark.parametrize(
    "body",
    [
        b'{"assistant_id": "asst_1", "temperature": NaN}',
        b'{"assistant_id": "asst_1", "top_p": Infinity}',
        b'{"assistant_id": "asst_1", "metadata": {"k": -Infinity}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"assistant_id": "asst_1", "tools": [{"type": "function", "function": {"name": "f", "parameters": '
        + b'{"a": ' * 300
        + b"1"
        + b"}" * 300
        + b"}}]}",
    ],
    ids=["NaN", "Infinity", "-Infinity", "deep-array", "deep-parameters"],
)
def test_json_that_is_not_strict_or_nests_too_deep_is_a_400(
    server: RunsServer, client: httpx.Client, body: bytes
) -> None:
    """Python's parser takes NaN/Infinity and the schema walk recurses: neither may become a 500 or a stored run."""
    server.add_assistant("asst_1")
    thread_id = server.add_thread(messages=["hi"])
    response = client.post(f"/threads/{thread_id}/runs", content=body, headers={"content-type": "application/json"})
    assert "parse the JSON body" in _error(response, 400)["message"]
    assert client.get(f"/threads/{thread_id}/runs").json()["data"] == []
    assert client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"}).status_code == 200


def test_a_missing_body_is_a_400(client: httpx.Client, seeded: tuple[str, str]) -> None:
    assert "Missing request body" in _error(client.post(f"/threads/{seeded[0]}/runs"), 400)["message"]


def test_modify_run_rejects_fields_other_than_metadata(client: httpx.Client, seeded: tuple[str, str]) -> None:
    thread_id, run_id = seeded
    error = _error(client.post(f"/threads/{thread_id}/runs/{run_id}", json={"status": "completed"}), 400)
    assert error["param"] == "status"


def test_submit_tool_outputs_requires_the_tool_outputs_field(client: httpx.Client, seeded: tuple[str, str]) -> None:
    thread_id, run_id = seeded
    response = client.post(f"/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", json={"outputs": []})
    assert _error(response, 400)["param"] in ("tool_outputs", "outputs")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/threads/thread_missing/runs", "No thread found with id 'thread_missing'."),
        ("/threads/thread_1/runs/run_x", "No run found with id 'run_x'."),
        ("/threads/thread_1/runs/run_x/steps", "No run found with id 'run_x'."),
        ("/threads/thread_missing/runs/run_x", "No thread found with id 'thread_missing'."),
    ],
)
def test_unknown_thread_or_run_is_a_404(client: httpx.Client, seeded: tuple[str, str], path: str, message: str) -> None:
    """OpenAI's words first; an unknown thread then says how to give the embedded server one."""
    error = _error(client.get(path), 404)
    assert error["message"].startswith(message)
    assert ("--seed" in error["message"] and "auto_create" in error["message"]) == ("thread " in message)
    rest = {k: v for k, v in error.items() if k != "message"}
    assert rest == {"type": "invalid_request_error", "param": None, "code": None}


def test_a_path_outside_the_prefix_says_where_the_api_is(client: httpx.Client, server: RunsServer) -> None:
    outside = httpx.get(server.url.removesuffix("/v1") + "/threads/thread_1/runs", headers=dict(client.headers))
    message = _error(outside, 404)["message"]
    assert message.startswith("Invalid URL (GET /threads/thread_1/runs)") and "under /v1" in message
    inside = _error(client.get("/threads/thread_1/nothing"), 404)["message"]
    assert inside == "Invalid URL (GET /v1/threads/thread_1/nothing)"  # under the prefix: OpenAI's words only


def test_unknown_step_is_a_404(client: httpx.Client, seeded: tuple[str, str]) -> None:
    thread_id, run_id = seeded
    error = _error(client.get(f"/threads/{thread_id}/runs/{run_id}/steps/step_x"), 404)
    assert error["message"] == "No run step found with id 'step_x'."


def test_run_of_another_thread_is_not_found(server: RunsServer, client: httpx.Client, seeded: tuple[str, str]) -> None:
    other = server.add_thread("thread_2")
    assert _error(client.get(f"/threads/{other}/runs/{seeded[1]}"), 404)["message"].startswith("No run found")


def test_unknown_assistant_is_a_404_without_auto_create(client: httpx.Client, seeded: tuple[str, str]) -> None:
    error = _error(client.post(f"/threads/{seeded[0]}/runs", json={"assistant_id": "asst_ghost"}), 404)
    assert error["message"].startswith("No assistant found with id 'asst_ghost'.") and "--seed" in error["message"]


def test_unknown_path_is_a_404_and_wrong_method_a_405_in_the_error_shape(
    client: httpx.Client, seeded: tuple[str, str]
) -> None:
    assert _error(client.get("/assistants"), 404)["message"] == "Invalid URL (GET /v1/assistants)"
    assert _error(client.get(f"/threads/{seeded[0]}/runs/"), 404)["type"] == "invalid_request_error"
    response = client.delete(f"/threads/{seeded[0]}/runs/{seeded[1]}")
    assert "Method not allowed" in _error(response, 405)["message"]
    assert "GET" in response.headers["allow"] and "POST" in response.headers["allow"]
    assert client.put(f"/threads/{seeded[0]}/runs").status_code == 405


def test_missing_bearer_key_is_a_401(server: RunsServer, response_log: ResponseLog) -> None:
    server.add_thread("thread_1")
    with make_client(server, response_log, api_key=None) as anonymous:
        error = _error(anonymous.get("/threads/thread_1/runs"), 401)
        assert "didn't provide an API key" in error["message"]
        assert _error(anonymous.get("/threads/thread_1/runs", headers={"Authorization": "Basic abc"}), 401)
        assert _error(anonymous.get("/threads/thread_1/runs", headers={"Authorization": "Bearer"}), 401)


def test_any_bearer_key_is_accepted_when_the_server_has_no_key(server: RunsServer, response_log: ResponseLog) -> None:
    server.add_thread("thread_1")
    with make_client(server, response_log, api_key="anything-at-all") as other:
        assert other.get("/threads/thread_1/runs").status_code == 200


def test_a_server_with_an_api_key_rejects_other_keys_without_echoing_them(
    make_server: Callable[..., RunsServer], response_log: ResponseLog
) -> None:
    server = make_server(api_key="sk-right")
    server.add_thread("thread_1")
    secret = "sk-wrong-but-secret-123"
    with make_client(server, response_log, api_key=secret) as wrong:
        response = wrong.get("/threads/thread_1/runs")
        error = _error(response, 401)
        assert error["code"] == "invalid_api_key"
        assert secret not in response.text and "sk-wrong" not in response.text
    with make_client(server, response_log, api_key="sk-right") as right:
        assert right.get("/threads/thread_1/runs").status_code == 200
    assert all("authorization" not in request.headers for request in server.requests)
    assert all(secret not in repr(request) for request in server.requests)


def test_validation_errors_never_mention_the_authorization_value(client: httpx.Client, seeded: tuple[str, str]) -> None:
    response = client.get(f"/threads/{seeded[0]}/runs", params={"limit": "x"})
    assert _error(response, 400) and "sk-test-key" not in response.text


def test_an_operation_the_spec_has_but_the_server_lacks_is_a_501_naming_it(
    monkeypatch: pytest.MonkeyPatch, make_server: Any
) -> None:
    """Routes come from the spec: a new operation is routed at once, and answers 501 until it is implemented."""
    from threadruns.server import _app, _validation

    def with_pause() -> dict[str, Any]:
        spec = load_spec()
        cancel = spec["paths"]["/threads/{thread_id}/runs/{run_id}/cancel"]["post"]
        spec["paths"]["/threads/{thread_id}/runs/{run_id}/pause"] = {"post": {**cancel, "operationId": "pauseRun"}}
        return spec

    monkeypatch.setattr(_app, "load_spec", with_pause)
    monkeypatch.setattr(_validation, "load_spec", with_pause)
    _validation._openapi.cache_clear()
    try:
        server = make_server()
        answer = httpx.post(f"{server.url}/threads/t/runs/r/pause", headers={"Authorization": "Bearer k"})
    finally:
        _validation._openapi.cache_clear()  # the next server validates against the spec as shipped
    assert answer.status_code == 501
    error = answer.json()["error"]
    assert error["code"] == "not_implemented"
    assert "pauseRun (POST /threads/{thread_id}/runs/{run_id}/pause)" in error["message"]
    assert httpx.post(f"{server.url}/threads/t/runs/r/resume", headers={"Authorization": "Bearer k"}).status_code == 404


def test_the_server_without_its_extra_names_the_extra_to_install() -> None:
    """`from threadruns.server import RunsServer` on an install without `[server]` says what to install."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['starlette'] = None\n"
        "try:\n    from threadruns.server import RunsServer\n"
        "except ModuleNotFoundError as exc:\n    print(exc.name, '|', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.startswith("starlette |") and "pip install 'threadruns[server]'" in out


def test_tls_to_the_plain_http_server_says_to_use_http(server: RunsServer) -> None:
    import threadruns

    url = server.url.replace("http://", "https://")
    client = threadruns.Client(api_key="sk-test", base_url=url, max_retries=0)
    with client, pytest.raises(threadruns.APIConnectionError) as info:
        client.runs.list("thread_1")
    message = str(info.value)
    assert f"GET {url}/threads/thread_1/runs" in message and "use an http:// base_url" in message
    assert "Operation not permitted" not in message  # an SSL error code is not a system errno
