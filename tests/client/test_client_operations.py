"""The eight operations: method, path, body, query and result types; NOT_GIVEN vs None; per-call options."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from client_testkit import Driver, body_of, json_response, list_payload, run_payload, step_payload

import threadruns
from threadruns.types import (
    AssistantsNamedToolChoice,
    AssistantsNamedToolChoiceFunction,
    AssistantsNamedToolChoiceType,
    AssistantToolsCode,
    AssistantToolsFunction,
    CreateMessageRequest,
    CreateMessageRequestRole,
    FunctionObject,
    FunctionParameters,
    ResponseFormatJsonSchema,
    ResponseFormatJsonSchemaJsonSchema,
    ResponseFormatJsonSchemaSchema,
    RunObject,
    RunStatus,
    RunStepObject,
    SubmitToolOutputsRunRequestToolOutputsItem,
    TruncationObject,
    TruncationObjectType,
)

INCLUDE = "step_details.tool_calls[*].file_search.results[*].content"


def api_handler(request: httpx.Request) -> httpx.Response:
    """Answers like the Runs API: a step, a page of steps, a page of runs or a run, by path and method."""
    path = request.url.path
    if re.fullmatch(r".*/steps/[^/]+", path):
        return json_response(step_payload(id=path.rsplit("/", 1)[1]))
    if path.endswith("/steps"):
        return json_response(list_payload([step_payload(id="step_a"), step_payload(id="step_b")], has_more=False))
    if path.endswith("/runs") and request.method == "GET":
        return json_response(list_payload([run_payload(id="run_a"), run_payload(id="run_b")], has_more=False))
    return json_response(run_payload())


Op = Callable[[Any], Any]

OPERATIONS: list[tuple[str, Op, str, str, type, Any]] = [
    ("runs.list", lambda c: c.runs.list("thread_1"), "GET", "/v1/threads/thread_1/runs", RunObject, None),
    (
        "runs.create",
        lambda c: c.runs.create("thread_1", assistant_id="asst_1"),
        "POST",
        "/v1/threads/thread_1/runs",
        RunObject,
        {"assistant_id": "asst_1"},
    ),
    (
        "runs.retrieve",
        lambda c: c.runs.retrieve("run_1", thread_id="thread_1"),
        "GET",
        "/v1/threads/thread_1/runs/run_1",
        RunObject,
        None,
    ),
    (
        "runs.update",
        lambda c: c.runs.update("run_1", thread_id="thread_1", metadata={"ticket": "T-18"}),
        "POST",
        "/v1/threads/thread_1/runs/run_1",
        RunObject,
        {"metadata": {"ticket": "T-18"}},
    ),
    (
        "runs.cancel",
        lambda c: c.runs.cancel("run_1", thread_id="thread_1"),
        "POST",
        "/v1/threads/thread_1/runs/run_1/cancel",
        RunObject,
        None,
    ),
    (
        "runs.submit_tool_outputs",
        lambda c: c.runs.submit_tool_outputs(
            "run_1", thread_id="thread_1", tool_outputs=[{"tool_call_id": "call_0001", "output": '{"celsius": 3}'}]
        ),
        "POST",
        "/v1/threads/thread_1/runs/run_1/submit_tool_outputs",
        RunObject,
        {"tool_outputs": [{"tool_call_id": "call_0001", "output": '{"celsius": 3}'}]},
    ),
    (
        "steps.list",
        lambda c: c.runs.steps.list("run_1", thread_id="thread_1"),
        "GET",
        "/v1/threads/thread_1/runs/run_1/steps",
        RunStepObject,
        None,
    ),
    (
        "steps.retrieve",
        lambda c: c.runs.steps.retrieve("step_1", thread_id="thread_1", run_id="run_1"),
        "GET",
        "/v1/threads/thread_1/runs/run_1/steps/step_1",
        RunStepObject,
        None,
    ),
]


@pytest.mark.parametrize(
    ("op", "method", "path", "model", "body"),
    [pytest.param(*case[1:], id=case[0]) for case in OPERATIONS],
)
def test_operation_sends_method_path_body_and_returns_model(
    driver: Driver, op: Op, method: str, path: str, model: type, body: Any
) -> None:
    """Each operation sends one request with the right method, path and JSON body, and parses the right type."""
    driver.client(api_handler)
    result = driver.first_page(op)
    assert len(driver.requests) == 1
    request = driver.requests[0]
    assert request.method == method
    assert request.url.path == path
    assert request.url.query == b""
    if body is None:
        assert request.content == b""
        assert "Content-Type" not in request.headers
    else:
        assert body_of(request) == body
        assert request.headers["Content-Type"] == "application/json"
    if method == "GET" and path.endswith(("/runs", "/steps")):
        page_type = threadruns.AsyncCursorPage if driver.is_async else threadruns.SyncCursorPage
        assert isinstance(result, page_type)
        assert [item.id for item in result.data] == (["run_a", "run_b"] if model is RunObject else ["step_a", "step_b"])
        assert all(type(item) is model for item in result.data)
    else:
        assert type(result) is model


def test_retrieved_run_is_parsed_from_the_body(driver: Driver) -> None:
    """The RunObject's fields come from the response body (status enum, tools, metadata, usage)."""
    driver.client(lambda request: json_response(run_payload(id="run_xyz", status="requires_action")))
    run = driver.call(lambda c: c.runs.retrieve("run_xyz", thread_id="thread_0001"))
    assert run.id == "run_xyz"
    assert run.status == RunStatus.REQUIRES_ACTION
    assert run.thread_id == "thread_0001"
    assert run.metadata.to_dict() == {"ticket": "T-17"}
    assert run.usage.total_tokens == 51
    assert isinstance(run.tools[0], AssistantToolsFunction)
    assert run.tools[0].function.name == "get_weather"


def test_retrieved_step_is_parsed_from_the_body(driver: Driver) -> None:
    """The RunStepObject's fields come from the response body."""
    driver.client(api_handler)
    step = driver.call(lambda c: c.runs.steps.retrieve("step_42", thread_id="thread_0001", run_id="run_0001"))
    assert step.id == "step_42"
    assert step.run_id == "run_0001"
    assert step.step_details.message_creation.message_id == "msg_0002"


# ----------------------------------------------------------------------------- NOT_GIVEN vs None


def test_create_with_only_assistant_id_sends_exactly_that(driver: Driver) -> None:
    """Arguments left out are not sent: the body is exactly {"assistant_id": ...}."""
    driver.client(api_handler)
    driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1"))
    assert driver.requests[0].content == b'{"assistant_id":"asst_1"}'


@pytest.mark.parametrize(
    "field",
    [
        "model",
        "instructions",
        "additional_instructions",
        "additional_messages",
        "tools",
        "metadata",
        "temperature",
        "top_p",
        "max_prompt_tokens",
        "max_completion_tokens",
        "truncation_strategy",
        "tool_choice",
        "response_format",
        "reasoning_effort",
    ],
)
def test_create_with_none_sends_json_null(driver: Driver, field: str) -> None:
    """field=None is sent as JSON null (distinct from leaving the argument out)."""
    driver.client(api_handler)
    driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1", **{field: None}))
    assert body_of(driver.requests[0]) == {"assistant_id": "asst_1", field: None}
    assert f'"{field}":null'.encode() in driver.requests[0].content


def test_update_without_metadata_sends_empty_object_and_none_sends_null(driver: Driver) -> None:
    """update() with no metadata sends {}; metadata=None sends {"metadata": null}."""
    driver.client(api_handler)
    driver.call(lambda c: c.runs.update("run_1", thread_id="thread_1"))
    driver.call(lambda c: c.runs.update("run_1", thread_id="thread_1", metadata=None))
    assert [body_of(r) for r in driver.requests] == [{}, {"metadata": None}]


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda c: c.runs.list("thread_1"), id="runs.list"),
        pytest.param(lambda c: c.runs.steps.list("run_1", thread_id="thread_1"), id="steps.list"),
    ],
)
def test_list_without_arguments_sends_no_query_string(driver: Driver, op: Op) -> None:
    """A list call with no limit/order/after/before/include sends no query string at all."""
    driver.client(api_handler)
    driver.first_page(op)
    assert driver.requests[0].url.query == b""
    assert "?" not in str(driver.requests[0].url)


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda c, inc: c.runs.create("thread_1", assistant_id="asst_1", include=inc), id="runs.create"),
        pytest.param(lambda c, inc: c.runs.steps.list("run_1", thread_id="thread_1", include=inc), id="steps.list"),
        pytest.param(
            lambda c, inc: c.runs.steps.retrieve("step_1", thread_id="thread_1", run_id="run_1", include=inc),
            id="steps.get",
        ),
    ],
)
def test_include_is_sent_as_repeated_include_brackets_params(driver: Driver, op: Callable[[Any, Any], Any]) -> None:
    """include=[a, a] becomes include[]=a&include[]=a in the query string (never in the body); the
    values are the spec's closed enum, so an unknown one is refused before anything is sent."""
    driver.client(api_handler)
    driver.first_page(lambda c: op(c, [INCLUDE, INCLUDE]))
    request = driver.requests[0]
    assert request.url.params.get_list("include[]") == [INCLUDE, INCLUDE]
    assert request.url.query.count(b"include%5B%5D=") == 2
    if request.method == "POST":
        assert "include" not in body_of(request)
    with pytest.raises(ValueError, match=r"include\[1\] must be one of"):
        driver.first_page(lambda c: op(c, [INCLUDE, "step_details.extra"]))
    assert len(driver.requests) == 1


def test_list_parameters_are_sent_as_query(driver: Driver) -> None:
    """limit, order, after and before go into the query string as given."""
    driver.client(api_handler)
    driver.first_page(lambda c: c.runs.list("thread_1", limit=5, order="asc", after="run_a", before="run_z"))
    params = driver.requests[0].url.params
    assert dict(params) == {"limit": "5", "order": "asc", "after": "run_a", "before": "run_z"}


# ----------------------------------------------------------------------------- models and dicts alike

WEATHER_PARAMETERS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


def _function_tool_model() -> AssistantToolsFunction:
    return AssistantToolsFunction(
        type_="function",
        function=FunctionObject(
            name="get_weather",
            description="Weather for a city.",
            parameters=FunctionParameters.from_dict(WEATHER_PARAMETERS),
        ),
    )


FIELD_FORMS: list[tuple[str, Any, Any]] = [
    (
        "tools",
        [_function_tool_model(), AssistantToolsCode(type_="code_interpreter")],
        [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather for a city.",
                    "parameters": WEATHER_PARAMETERS,
                },
            },
            {"type": "code_interpreter"},
        ],
    ),
    (
        "truncation_strategy",
        TruncationObject(type_=TruncationObjectType.LAST_MESSAGES, last_messages=3),
        {"type": "last_messages", "last_messages": 3},
    ),
    (
        "response_format",
        ResponseFormatJsonSchema(
            type_="json_schema",
            json_schema=ResponseFormatJsonSchemaJsonSchema(
                name="answer", schema=ResponseFormatJsonSchemaSchema.from_dict({"type": "object"})
            ),
        ),
        {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}},
    ),
    (
        "additional_messages",
        [CreateMessageRequest(role=CreateMessageRequestRole.USER, content="What is the weather in Oslo?")],
        [{"role": "user", "content": "What is the weather in Oslo?"}],
    ),
    (
        "tool_choice",
        AssistantsNamedToolChoice(
            type_=AssistantsNamedToolChoiceType.FUNCTION,
            function=AssistantsNamedToolChoiceFunction(name="get_weather"),
        ),
        {"type": "function", "function": {"name": "get_weather"}},
    ),
]


@pytest.mark.parametrize(("field", "model_form", "dict_form"), FIELD_FORMS, ids=[f[0] for f in FIELD_FORMS])
def test_models_and_plain_dicts_produce_the_same_json(
    driver: Driver, field: str, model_form: Any, dict_form: Any
) -> None:
    """A generated model instance and the equivalent plain dict send byte-identical bodies."""
    driver.client(api_handler)
    driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1", **{field: model_form}))
    driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1", **{field: dict_form}))
    from_model, from_dict = driver.requests
    assert body_of(from_model) == {"assistant_id": "asst_1", field: dict_form}
    assert from_model.content == from_dict.content


def test_tool_outputs_accept_models_and_dicts(driver: Driver) -> None:
    """submit_tool_outputs sends the same JSON for SubmitToolOutputsRunRequestToolOutputsItem and dicts."""
    driver.client(api_handler)
    model = SubmitToolOutputsRunRequestToolOutputsItem(tool_call_id="call_1", output="3")
    driver.call(lambda c: c.runs.submit_tool_outputs("run_1", thread_id="thread_1", tool_outputs=[model]))
    driver.call(
        lambda c: c.runs.submit_tool_outputs(
            "run_1", thread_id="thread_1", tool_outputs=[{"tool_call_id": "call_1", "output": "3"}]
        )
    )
    assert body_of(driver.requests[0]) == {"tool_outputs": [{"tool_call_id": "call_1", "output": "3"}]}
    assert driver.requests[0].content == driver.requests[1].content


def test_create_sends_every_given_scalar(driver: Driver) -> None:
    """Scalars given to create (model, temperature, top_p, token limits, flags) are all sent verbatim."""
    driver.client(api_handler)
    driver.call(
        lambda c: c.runs.create(
            "thread_1",
            assistant_id="asst_1",
            model="gpt-4o",
            instructions="Be brief.",
            additional_instructions="Use metric units.",
            metadata={"ticket": "T-1"},
            temperature=0.2,
            top_p=0.9,
            max_prompt_tokens=1000,
            max_completion_tokens=500,
            tool_choice="required",
            parallel_tool_calls=False,
            response_format="auto",
            reasoning_effort="low",
        )
    )
    assert body_of(driver.requests[0]) == {
        "assistant_id": "asst_1",
        "model": "gpt-4o",
        "instructions": "Be brief.",
        "additional_instructions": "Use metric units.",
        "metadata": {"ticket": "T-1"},
        "temperature": 0.2,
        "top_p": 0.9,
        "max_prompt_tokens": 1000,
        "max_completion_tokens": 500,
        "tool_choice": "required",
        "parallel_tool_calls": False,
        "response_format": "auto",
        "reasoning_effort": "low",
    }


# ----------------------------------------------------------------------------- per-call options


def test_per_call_timeout_seconds_overrides_the_client_default(driver: Driver) -> None:
    """timeout=3.0 on a call sets every phase of that request's timeout to 3 s; the next call is back to default."""
    driver.client(api_handler)
    driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1", timeout=3.0))
    driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert driver.requests[0].extensions["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), 3.0)
    assert driver.requests[1].extensions["timeout"]["read"] == 600.0


def test_per_call_httpx_timeout_is_used_as_is(driver: Driver) -> None:
    """timeout=httpx.Timeout(...) on a call is passed through phase by phase."""
    driver.client(api_handler)
    driver.first_page(lambda c: c.runs.list("thread_1", timeout=httpx.Timeout(7.0, connect=1.0)))
    assert driver.requests[0].extensions["timeout"] == {"connect": 1.0, "read": 7.0, "write": 7.0, "pool": 7.0}


def test_per_call_timeout_none_is_rejected(driver: Driver) -> None:
    """timeout=None on a call raises ValueError and sends nothing."""
    driver.client(api_handler)
    with pytest.raises(ValueError, match="timeout"):
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1", timeout=None))
    assert driver.requests == []


def test_extra_headers_are_added_and_override_defaults(driver: Driver) -> None:
    """extra_headers are sent on that call only, and win over the client's headers."""
    driver.client(api_handler, default_headers={"X-Team": "runs"})
    driver.call(
        lambda c: c.runs.retrieve("run_1", thread_id="thread_1", extra_headers={"X-Debug": "1", "X-Team": "other"})
    )
    driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    first, second = driver.requests
    assert (first.headers["X-Debug"], first.headers["X-Team"]) == ("1", "other")
    assert "X-Debug" not in second.headers
    assert second.headers["X-Team"] == "runs"


def test_extra_query_is_merged_into_the_query(driver: Driver) -> None:
    """extra_query adds parameters next to the operation's own."""
    driver.client(api_handler)
    driver.first_page(lambda c: c.runs.list("thread_1", limit=2, extra_query={"debug": "yes"}))
    assert dict(driver.requests[0].url.params) == {"limit": "2", "debug": "yes"}


def test_extra_body_is_merged_into_the_json_body(driver: Driver) -> None:
    """extra_body keys are added to the JSON body (and win on a clash)."""
    driver.client(api_handler)
    driver.call(
        lambda c: c.runs.create(
            "thread_1", assistant_id="asst_1", temperature=0.5, extra_body={"vendor_flag": True, "temperature": 0.7}
        )
    )
    assert body_of(driver.requests[0]) == {"assistant_id": "asst_1", "temperature": 0.7, "vendor_flag": True}


def test_extra_body_on_submit_tool_outputs(driver: Driver) -> None:
    """extra_body also merges into submit_tool_outputs' body."""
    driver.client(api_handler)
    driver.call(
        lambda c: c.runs.submit_tool_outputs(
            "run_1",
            thread_id="thread_1",
            tool_outputs=[{"tool_call_id": "c", "output": "o"}],
            extra_body={"stream": False},
        )
    )
    assert body_of(driver.requests[0]) == {"tool_outputs": [{"tool_call_id": "c", "output": "o"}], "stream": False}


@pytest.mark.parametrize(
    ("thread_id", "encoded"),
    [("thread_ü", "/v1/threads/thread_%C3%BC/runs"), ("thread%2Fx", "/v1/threads/thread%252Fx/runs")],
)
def test_ids_are_percent_encoded_in_the_path(driver: Driver, thread_id: str, encoded: str) -> None:
    """IDs are encoded as one path segment: non-ASCII is UTF-8 percent-encoded, a literal % is escaped."""
    driver.client(api_handler)
    driver.first_page(lambda c: c.runs.list(thread_id))
    assert driver.requests[0].url.raw_path.decode() == encoded
