"""openai-python's model conveniences on the generated models: code written for it ports by the import alone."""

from __future__ import annotations

import json

from client_testkit import run_payload

from threadruns.types import AssistantToolsFunction, Metadata, RunObject, RunStatus


def _run(**overrides: object) -> RunObject:
    return RunObject.from_dict(run_payload(**overrides))


def test_object_and_type_read_by_their_api_names() -> None:
    run = _run()
    assert run.object == "thread.run" == run.object_
    tool = run.tools[0]
    assert isinstance(tool, AssistantToolsFunction) and tool.type == "function" == tool.type_


def test_metadata_reads_like_the_dict_openai_python_gives() -> None:
    metadata = _run(metadata={"ticket": "T-17", "team": "a"}).metadata
    assert isinstance(metadata, Metadata)
    assert metadata == {"ticket": "T-17", "team": "a"} and metadata != {"ticket": "T-18"}
    assert metadata.get("ticket") == "T-17" and metadata.get("missing") is None and metadata.get("x", 1) == 1
    assert metadata["team"] == "a" and "team" in metadata and len(metadata) == 2
    assert dict(metadata) == {"ticket": "T-17", "team": "a"} and next(iter(metadata.items())) == ("ticket", "T-17")


def test_model_dump_gives_api_names_enum_values_and_none_for_unset_fields() -> None:
    payload = run_payload()
    del payload["temperature"]
    run = RunObject.from_dict(payload)
    dumped = run.model_dump()
    assert dumped["object"] == "thread.run" and "object_" not in dumped
    assert dumped["status"] == "completed" and type(dumped["status"]) is str
    assert dumped["temperature"] is None  # left out by the server: None, as pydantic shows an unset field
    assert "temperature" not in run.model_dump(exclude_unset=True)
    assert run.model_dump(exclude_unset=True) == run.to_dict() == payload
    assert all(value is not None for value in run.model_dump(exclude_none=True).values())
    assert dumped["tools"][0]["type"] == "function" and dumped["metadata"] == payload["metadata"]


def test_an_unknown_enum_value_and_unknown_key_survive_model_dump_and_to_json() -> None:
    run = _run(status="paused", brand_new={"x": 1})
    assert run.status == RunStatus("paused")
    assert run.model_dump()["status"] == "paused" and run.model_dump()["brand_new"] == {"x": 1}
    assert json.loads(run.to_json()) == run.to_dict()
    assert json.loads(run.model_dump_json()) == run.model_dump()
    assert run.to_json().startswith('{\n  "') and "\n" not in run.model_dump_json()  # indent 2, as openai's


def test_types_exports_unset_and_openai_python_short_names() -> None:
    import threadruns.types as types

    assert types.Run is RunObject and types.RunStep is types.RunStepObject and types.Message is types.MessageObject
    assert types.ToolOutput is types.SubmitToolOutputsRunRequestToolOutputsItem
    assert types.RequiredActionFunctionToolCall is types.RunToolCallObject
    assert isinstance(types.UNSET, types.Unset) and not types.UNSET
    assert {"Run", "ToolOutput", "Unset", "UNSET"} <= set(types.__all__) and types.__all__ == sorted(types.__all__)


def test_messages_and_message_deltas_have_a_text_helper() -> None:
    from threadruns.types import MessageDeltaObject, MessageObject

    message = MessageObject.from_dict(
        {
            "id": "msg_1",
            "object": "thread.message",
            "created_at": 1,
            "thread_id": "thread_1",
            "status": "completed",
            "incomplete_details": None,
            "completed_at": 2,
            "incomplete_at": None,
            "role": "assistant",
            "content": [
                {"type": "text", "text": {"value": "Sunny ", "annotations": []}},
                {"type": "image_file", "image_file": {"file_id": "file_1"}},
                {"type": "text", "text": {"value": "today.", "annotations": []}},
            ],
            "assistant_id": "asst_1",
            "run_id": "run_1",
            "attachments": None,
            "metadata": None,
        }
    )
    assert message.text == "Sunny today."
    delta = MessageDeltaObject.from_dict(
        {
            "id": "msg_1",
            "object": "thread.message.delta",
            "delta": {"content": [{"index": 0, "type": "text", "text": {"value": "Sun"}}]},
        }
    )
    assert delta.text == "Sun" and delta.delta.text == "Sun"
    assert MessageDeltaObject.from_dict({"id": "m", "object": "thread.message.delta", "delta": {}}).text == ""
