"""``response_validation``: strict by default (typed or error), ``"warn"`` for imperfect servers.

Under ``warn`` a value that breaks the response contract is kept as sent and logged once per
model and path; the rest of the object is still typed, and ``to_dict()`` writes back what came.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from client_testkit import Driver, json_response, list_payload, run_payload

import threadruns
from threadruns.types import AssistantToolsFunction, Metadata, RunObject, RunStatus

# A server that departs from the spec in several places of one run.
_BROKEN: dict[str, Any] = {
    "model": None,
    "created_at": "yesterday",
    "tools": [{"type": "function", "function": {"name": 7}}, "code_interpreter"],
    "metadata": {"team": 7},
}


def test_the_default_is_strict_and_its_error_names_the_path_and_the_option(driver: Driver) -> None:
    driver.client(lambda request: json_response(run_payload(**_BROKEN)))
    with pytest.raises(threadruns.APIResponseValidationError) as info:
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    message = str(info.value)
    assert message.startswith("RunObject.created_at: expected int, got str")
    assert "response_validation='warn'" in message
    assert info.value.status_code == 200


def test_warn_keeps_each_bad_value_as_sent_and_types_the_rest(driver: Driver, caplog: pytest.LogCaptureFixture) -> None:
    driver.client(lambda request: json_response(run_payload(**_BROKEN)), response_validation="warn")
    with caplog.at_level(logging.WARNING, logger="threadruns"):
        run = driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert isinstance(run, RunObject)
    assert run.model is None and run.created_at == "yesterday"
    assert isinstance(run.status, RunStatus)  # what was valid is still typed
    tool = run.tools[0]
    assert isinstance(tool, AssistantToolsFunction) and tool.function.name == 7  # kept at the innermost field
    assert run.tools[1] == "code_interpreter"
    assert isinstance(run.metadata, Metadata) and run.metadata["team"] == 7
    warned = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("RunObject.model: expected str, got null; kept as sent") for m in warned)
    assert any(m.startswith("FunctionObject.name: expected str, got int") for m in warned)
    assert any(m.startswith("RunObject.tools[1]: expected an object, got str") for m in warned)
    assert any(m.startswith("Metadata['team']: expected str, got int") for m in warned)
    assert len(warned) == 5, warned
    # to_dict() never raises on what the parse accepted, and writes the values back as they came.
    back = run.to_dict()
    for key, value in _BROKEN.items():
        assert back[key] == value


def test_warn_logs_once_per_model_and_path_across_items_and_calls(
    driver: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    items = [run_payload(id=f"run_{i}", model=None) for i in range(5)]
    driver.client(lambda request: json_response(list_payload(items, has_more=False)), response_validation="warn")
    with caplog.at_level(logging.WARNING, logger="threadruns"):
        for _ in range(2):
            runs = driver.collect(lambda c: c.runs.list("thread_1"))
            assert [run.model for run in runs] == [None] * 5
    assert [r.getMessage().split(";")[0] for r in caplog.records] == ["RunObject.model: expected str, got null"]


def test_warn_still_raises_for_a_body_that_is_not_an_object(driver: Driver) -> None:
    """No model can be built from `7`: that is not a shape to keep, but no answer at all."""
    driver.client(lambda request: json_response(7), response_validation="warn")
    with pytest.raises(threadruns.APIResponseValidationError, match="Expected a JSON object for RunObject"):
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))


def test_warn_carries_over_to_copies_and_can_be_switched_off(driver: Driver) -> None:
    client = driver.client(lambda request: json_response(run_payload(model=None)), response_validation="warn")
    assert client.with_options(timeout=5).response_validation == "warn"
    strict = client.copy(response_validation="strict")
    with pytest.raises(threadruns.APIResponseValidationError, match=r"RunObject\.model"):
        driver.call(lambda c: strict.runs.retrieve("run_1", thread_id="thread_1"))


@pytest.mark.parametrize(("value", "error"), [("loose", ValueError), (True, TypeError)])
def test_a_bad_response_validation_is_refused_naming_it(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="response_validation"):
        threadruns.Client(api_key="k", base_url="http://127.0.0.1:9/v1", response_validation=value)  # type: ignore[arg-type]


def _requires_action(call: dict[str, Any]) -> dict[str, Any]:
    action = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": [call]}}
    return run_payload(status="requires_action", completed_at=None, required_action=action)


_CALL = {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": "{}"}}
_PATH = r"RunObject\.required_action\.submit_tool_outputs\.tool_calls\[0\]"


@pytest.mark.parametrize(
    ("call", "strict", "warn"),
    [
        (
            {**_CALL, "function": {"name": "add", "arguments": 7}},
            r"\.function\.arguments: expected str, got int",
            r"\.function\.arguments: expected str \(JSON text\), got int",
        ),
        ({**_CALL, "id": 7}, r"\.id: expected str, got int", r"\.id: expected str, got int"),
        (
            {key: value for key, value in _CALL.items() if key != "function"},
            r"\.function: missing required key",
            r"\.function: expected an object, got null",
        ),
    ],
    ids=["arguments-int", "id-int", "no-function"],
)
@pytest.mark.parametrize("validation", ["strict", "warn"])
def test_the_tool_loop_calls_nothing_with_a_bad_tool_call(
    driver: Driver, call: dict[str, Any], strict: str, warn: str, validation: str
) -> None:
    """Strict: the create's answer is refused. Warn: the run is read, and the tool loop refuses the call
    itself, before any function runs or any output is submitted; the error carries the poll's response."""
    called: list[Any] = []
    driver.client(lambda request: json_response(_requires_action(call)), response_validation=validation)
    where = strict if validation == "strict" else warn
    with pytest.raises(threadruns.APIResponseValidationError, match="^" + _PATH + where) as info:
        driver.call(
            lambda c: c.runs.create_and_run_tools(
                thread_id="thread_1", assistant_id="asst_1", functions={"add": lambda **kw: called.append(kw)}
            )
        )
    assert called == []
    assert not any(request.url.path.endswith("/submit_tool_outputs") for request in driver.requests)
    assert info.value.status_code == 200
    assert info.value.response.request.method == ("POST" if validation == "strict" else "GET")
    if validation == "warn":
        assert "still requires action" in str(info.value)
        assert info.value.body == _requires_action(call)
