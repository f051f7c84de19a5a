"""Behaviour of the generated package threadruns_api: forward compatibility, tolerance, no implicit values.

Also run by test_update_spec.py against packages generated from the upstream documents, with
PYTHONPATH pointing at them, THREADRUNS_SPEC at their spec and THREADRUNS_EXPECT_GENERATED set.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import threadruns_api
import yaml
from threadruns_api import models
from threadruns_api.api.default import create_run, list_run_steps, list_runs
from threadruns_api.client import Client

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(os.environ.get("THREADRUNS_SPEC", str(ROOT / "openapi" / "threads-runs.yaml")))

Json = Any

# Used only when the spec carries no RunObject example.
MINIMAL_RUN: dict[str, Json] = {
    "id": "run_1",
    "object": "thread.run",
    "created_at": 1767225600,
    "assistant_id": "asst_1",
    "thread_id": "thread_1",
    "status": "completed",
    "required_action": None,
    "last_error": None,
    "expires_at": None,
    "started_at": 1767225601,
    "cancelled_at": None,
    "failed_at": None,
    "completed_at": 1767225603,
    "model": "gpt-4o",
    "instructions": "Be brief.",
    "tools": [],
    "metadata": {},
    "usage": None,
    "incomplete_details": None,
    "temperature": 1.0,
    "top_p": 1.0,
    "max_prompt_tokens": None,
    "max_completion_tokens": None,
    "truncation_strategy": {"type": "auto", "last_messages": None},
    "tool_choice": "auto",
    "parallel_tool_calls": True,
    "response_format": "auto",
}


def base_run() -> dict[str, Json]:
    """A valid run payload: the spec's first RunObject example, else MINIMAL_RUN."""
    schema = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["components"]["schemas"].get("RunObject", {})
    examples = schema.get("examples") or [MINIMAL_RUN]
    return copy.deepcopy(examples[0])


def base_step(step_details: Json) -> dict[str, Json]:
    return {
        "id": "step_1",
        "object": "thread.run.step",
        "created_at": 1767225602,
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "run_id": "run_1",
        "type": step_details["type"],
        "status": "completed",
        "step_details": step_details,
        "last_error": None,
        "expired_at": None,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": 1767225603,
        "metadata": {},
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def test_generated_package_is_the_one_under_test() -> None:
    """threadruns_api comes from THREADRUNS_EXPECT_GENERATED when set, else from the committed generated/."""
    expected = Path(os.environ.get("THREADRUNS_EXPECT_GENERATED", str(ROOT / "generated" / "threadruns_api")))
    assert Path(threadruns_api.__file__).resolve().is_relative_to(expected.resolve())


def test_forward_compatible_run_keeps_unknown_values() -> None:
    """Unknown status, tool type, error code and extra field parse, are kept, and are written back unchanged."""
    payload = base_run()
    payload["status"] = "paused"
    browser = {"type": "browser", "browser": {"start_url": "https://example.com", "pages": [1, 2]}}
    payload["tools"] = [*payload["tools"], browser]
    payload["last_error"] = {"code": "quota_gone", "message": "The project quota is used up."}
    payload["x_future_field"] = {"nested": [1, {"a": None}]}
    expected = copy.deepcopy(payload)

    run = models.RunObject.from_dict(payload)

    assert run.status == "paused"
    assert str(run.status) == "paused"
    assert str(run.status.value) == "paused"
    assert [tool for tool in run.tools if isinstance(tool, dict)] == [browser]
    assert run.last_error is not None
    assert run.last_error.code.value == "quota_gone"
    assert run.additional_properties == {"x_future_field": {"nested": [1, {"a": None}]}}
    assert run.to_dict() == expected


def test_known_tool_types_still_parse_into_their_classes() -> None:
    """Lenient enums do not break union dispatch: each known tool `type` picks its own class."""
    payload = base_run()
    payload["tools"] = [
        {"type": "code_interpreter"},
        {"type": "file_search", "file_search": {"max_num_results": 5}},
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
        {"type": "browser"},
    ]
    expected = copy.deepcopy(payload)
    run = models.RunObject.from_dict(payload)
    assert [type(tool) for tool in run.tools] == [
        models.AssistantToolsCode,
        models.AssistantToolsFileSearch,
        models.AssistantToolsFunction,
        dict,
    ]
    assert run.to_dict() == expected


def test_known_step_details_types_parse_into_their_classes() -> None:
    """step_details dispatches message_creation vs tool_calls, and each tool call kind to its class."""
    message_step = models.RunStepObject.from_dict(
        base_step({"type": "message_creation", "message_creation": {"message_id": "msg_1"}})
    )
    assert isinstance(message_step.step_details, models.RunStepDetailsMessageCreationObject)
    assert message_step.step_details.message_creation.message_id == "msg_1"

    tool_calls = {
        "type": "tool_calls",
        "tool_calls": [
            {"id": "call_1", "type": "code_interpreter", "code_interpreter": {"input": "1+1", "outputs": []}},
            {"id": "call_2", "type": "file_search", "file_search": {}},
            {"id": "call_3", "type": "function", "function": {"name": "f", "arguments": "{}", "output": None}},
        ],
    }
    payload = base_step(tool_calls)
    expected = copy.deepcopy(payload)
    tool_step = models.RunStepObject.from_dict(payload)
    assert isinstance(tool_step.step_details, models.RunStepDetailsToolCallsObject)
    assert [type(call) for call in tool_step.step_details.tool_calls] == [
        models.RunStepDetailsToolCallsCodeObject,
        models.RunStepDetailsToolCallsFileSearchObject,
        models.RunStepDetailsToolCallsFunctionObject,
    ]
    assert tool_step.to_dict() == expected


def test_forward_compatible_step_keeps_unknown_step_details() -> None:
    """A step_details `type` this client does not know stays the raw dict and is written back unchanged."""
    details = {"type": "web_browsing", "web_browsing": {"url": "https://example.com"}}
    payload = base_step(details)
    expected = copy.deepcopy(payload)
    step = models.RunStepObject.from_dict(payload)
    assert step.step_details == details
    assert step.type_ == "web_browsing"
    assert step.to_dict() == expected


def test_known_message_content_parts_parse_into_their_classes() -> None:
    """MessageObject content parts dispatch on `type` to the text, image file, image URL and refusal classes."""
    parts: list[tuple[dict[str, Json], str]] = [
        ({"type": "text", "text": {"value": "Hi", "annotations": []}}, "MessageContentTextObject"),
        ({"type": "image_file", "image_file": {"file_id": "file_1"}}, "MessageContentImageFileObject"),
        ({"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}, "MessageContentImageUrlObject"),
        ({"type": "refusal", "refusal": "No."}, "MessageContentRefusalObject"),
    ]
    present = [(part, getattr(models, name)) for part, name in parts if hasattr(models, name)]
    assert len(present) >= 3
    payload = {
        "id": "msg_1",
        "object": "thread.message",
        "created_at": 1767225602,
        "thread_id": "thread_1",
        "status": "completed",
        "incomplete_details": None,
        "completed_at": 1767225603,
        "incomplete_at": None,
        "role": "assistant",
        "content": [part for part, _ in present],
        "assistant_id": "asst_1",
        "run_id": "run_1",
        "attachments": [],
        "metadata": {},
    }
    expected = copy.deepcopy(payload)
    message = models.MessageObject.from_dict(payload)
    assert [type(part) for part in message.content] == [cls for _, cls in present]
    assert message.to_dict() == expected


def test_tolerance_missing_required_nullable_key_reads_as_none() -> None:
    """A run without the `required_action` key (as upstream examples send) parses with required_action None."""
    payload = base_run()
    payload.pop("required_action")
    run = models.RunObject.from_dict(payload)
    assert run.required_action is None


def test_no_implicit_values_in_list_runs_query() -> None:
    """listRuns with no optional argument sends no query parameter (no limit/order defaults)."""
    assert list_runs._get_kwargs("thread_1")["params"] == {}


def test_no_implicit_values_in_create_run_body() -> None:
    """createRun with only assistant_id sends only assistant_id (no temperature, top_p, ...)."""
    body = models.CreateRunRequest(assistant_id="asst_1")
    assert create_run._get_kwargs("thread_1", body=body)["json"] == {"assistant_id": "asst_1"}


def _recording_client(seen: list[httpx.Request], answer: Json) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answer)

    return Client(base_url="http://server.test/v1", httpx_args={"transport": httpx.MockTransport(handler)})


EMPTY_PAGE = {"object": "list", "data": [], "first_id": "", "last_id": "", "has_more": False}


def test_no_implicit_values_on_the_wire_for_list_runs() -> None:
    """A real request from list_runs.sync_detailed has no query string at all."""
    seen: list[httpx.Request] = []
    with _recording_client(seen, EMPTY_PAGE) as client:
        response = list_runs.sync_detailed("thread_1", client=client)
    assert response.status_code == 200
    assert isinstance(response.parsed, models.ListRunsResponse)
    [request] = seen
    assert request.method == "GET"
    assert request.url.path == "/v1/threads/thread_1/runs"
    assert request.url.query == b""


def test_no_implicit_values_include_is_sent_as_repeated_include_brackets() -> None:
    """include=[a, b] goes out as two `include[]` query parameters, and nothing else is added."""
    known = next(iter(models.RunStepInclude))
    future = models.RunStepInclude("step_details.tool_calls[*].future")
    seen: list[httpx.Request] = []
    with _recording_client(seen, EMPTY_PAGE) as client:
        list_run_steps.sync_detailed("thread_1", "run_1", client=client, include=[known, future])
    [request] = seen
    assert request.url.params.multi_items() == [("include[]", known.value), ("include[]", future.value)]


def test_explicit_none_is_sent_but_unset_is_not() -> None:
    """instructions=None is sent as null; fields left unset are absent."""
    assert models.CreateRunRequest(assistant_id="a", instructions=None).to_dict() == {
        "assistant_id": "a",
        "instructions": None,
    }


def test_run_step_delta_parses() -> None:
    payload = {
        "id": "step_1",
        "object": "thread.run.step.delta",
        "delta": {
            "step_details": {
                "type": "tool_calls",
                "tool_calls": [
                    {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a'}}
                ],
            }
        },
    }
    expected = copy.deepcopy(payload)
    delta = models.RunStepDeltaObject.from_dict(payload)
    assert isinstance(delta.delta.step_details, models.RunStepDeltaStepDetailsToolCallsObject)
    [call] = delta.delta.step_details.tool_calls
    assert isinstance(call, models.RunStepDeltaStepDetailsToolCallsFunctionObject)
    assert call.function.arguments == '{"a'
    assert delta.to_dict() == expected


def test_run_step_delta_rejects_another_object_type() -> None:
    """The `object` const is checked: a run step is not a run step delta."""
    with pytest.raises(TypeError, match=r"^\.object: expected 'thread\.run\.step\.delta', got 'thread\.run\.step'$"):
        models.RunStepDeltaObject.from_dict({"id": "step_1", "object": "thread.run.step", "delta": {}})


def test_message_delta_parses() -> None:
    payload = {
        "id": "msg_1",
        "object": "thread.message.delta",
        "delta": {"role": "assistant", "content": [{"index": 0, "type": "text", "text": {"value": "Hel"}}]},
    }
    expected = copy.deepcopy(payload)
    delta = models.MessageDeltaObject.from_dict(payload)
    assert delta.delta.role == "assistant"
    [part] = delta.delta.content
    assert isinstance(part, models.MessageDeltaContentTextObject)
    assert part.text.value == "Hel"
    assert delta.to_dict() == expected


def test_error_response_parses() -> None:
    payload = {"error": {"message": "No run found.", "type": "invalid_request_error", "param": None, "code": None}}
    response = models.ErrorResponse.from_dict(copy.deepcopy(payload))
    assert isinstance(response.error, models.Error)
    assert (response.error.message, response.error.type_, response.error.param, response.error.code) == (
        "No run found.",
        "invalid_request_error",
        None,
        None,
    )
    assert response.to_dict() == payload
