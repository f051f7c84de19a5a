"""The response fuzz kit: realistic answers, their mutations on every field path, and two judges.

* ``BODIES``: a realistic body of every response model, list page and stream payload.
* ``mutations(body)``: for every field path, a delete, a null and each wrong JSON type, an unknown
  key in every object, an unknown value for every enum and an unknown tag for every tagged union.
* ``judge(value, schema)``: whether the spec (read here, independently of the generated code) allows
  a value, with the response contract's tolerance: unknown keys, enum values and union tags are
  allowed, a missing key with a default or a nullable type reads as that default or null.
* ``typed(value, annotation)``: whether an object the client accepted holds, at every attribute, a
  value of the attribute's annotated type (the typed-or-error promise).
"""

from __future__ import annotations

import copy
import enum
import functools
import types
import typing
from collections.abc import Iterator
from typing import Any

import attrs
from reliability_kit import run_payload, spec_schemas
from threadruns_api.types import Unset

# ----------------------------------------------------------------------------- bodies

_TOOLS = [
    {"type": "code_interpreter"},
    {
        "type": "file_search",
        "file_search": {"max_num_results": 5, "ranking_options": {"ranker": "auto", "score_threshold": 0.5}},
    },
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather.",
            "parameters": {"type": "object"},
            "strict": True,
        },
    },
]


def _run_requires_action() -> dict[str, Any]:
    return run_payload(
        id="run_0002",
        status="requires_action",
        completed_at=None,
        expires_at=1767226200,
        required_action={
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
                ]
            },
        },
        tools=_TOOLS,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": {}, "strict": True}},
        truncation_strategy={"type": "last_messages", "last_messages": 3},
        max_prompt_tokens=1000,
        usage=None,
        metadata={},
    )


def _run_failed() -> dict[str, Any]:
    return run_payload(
        id="run_0003",
        status="incomplete",
        completed_at=None,
        failed_at=1767225605,
        last_error={"code": "server_error", "message": "The model failed."},
        incomplete_details={"reason": "max_prompt_tokens"},
        response_format={"type": "text"},
        tool_choice="required",
        instructions=None,
        metadata=None,
    )


def _step_tools() -> dict[str, Any]:
    step: dict[str, Any] = copy.deepcopy(spec_schemas()["RunStepObject"]["examples"][0])
    step.update(
        id="step_0002",
        type="tool_calls",
        status="failed",
        completed_at=None,
        failed_at=1767225604,
        last_error={"code": "rate_limit_exceeded", "message": "Slow down."},
        step_details={
            "type": "tool_calls",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "code_interpreter",
                    "code_interpreter": {
                        "input": "1+1",
                        "outputs": [{"type": "logs", "logs": "2"}, {"type": "image", "image": {"file_id": "file_1"}}],
                    },
                },
                {"id": "call_2", "type": "file_search", "file_search": {}},
                {"id": "call_3", "type": "function", "function": {"name": "f", "arguments": "{}", "output": None}},
            ],
        },
        metadata={"k": "v"},
        usage=None,
    )
    return step


def _message() -> dict[str, Any]:
    annotations = [
        {
            "type": "file_citation",
            "text": "[1]",
            "file_citation": {"file_id": "file_1"},
            "start_index": 0,
            "end_index": 3,
        },
        {"type": "file_path", "text": "x", "file_path": {"file_id": "file_2"}, "start_index": 1, "end_index": 2},
    ]
    return {
        "id": "msg_0001",
        "object": "thread.message",
        "created_at": 1767225603,
        "thread_id": "thread_0001",
        "status": "completed",
        "incomplete_details": None,
        "completed_at": 1767225603,
        "incomplete_at": None,
        "role": "assistant",
        "content": [
            {"type": "text", "text": {"value": "Sunny.", "annotations": annotations}},
            {"type": "image_file", "image_file": {"file_id": "file_3", "detail": "auto"}},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}},
            {"type": "refusal", "refusal": "No."},
        ],
        "assistant_id": "asst_0001",
        "run_id": "run_0001",
        "attachments": [{"file_id": "file_4", "tools": [{"type": "code_interpreter"}, {"type": "file_search"}]}],
        "metadata": {"k": "v"},
    }


def _page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "data": items, "first_id": items[0]["id"], "last_id": items[-1]["id"], "has_more": False}


STEP_DELTA = {
    "id": "step_0002",
    "object": "thread.run.step.delta",
    "delta": {
        "step_details": {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "f", "arguments": "{", "output": None},
                },
                {
                    "index": 1,
                    "type": "code_interpreter",
                    "code_interpreter": {"outputs": [{"index": 0, "type": "logs"}]},
                },
            ],
        }
    },
}
MESSAGE_DELTA = {
    "id": "msg_0001",
    "object": "thread.message.delta",
    "delta": {
        "role": "assistant",
        "content": [{"index": 0, "type": "text", "text": {"value": "Sun", "annotations": []}}],
    },
}


def bodies() -> dict[str, tuple[str, dict[str, Any]]]:
    """Body name -> (its model, a valid body)."""
    step = copy.deepcopy(spec_schemas()["RunStepObject"]["examples"][0])
    return {
        "run.completed": ("RunObject", run_payload()),
        "run.requires_action": ("RunObject", _run_requires_action()),
        "run.incomplete": ("RunObject", _run_failed()),
        "step.message_creation": ("RunStepObject", step),
        "step.tool_calls": ("RunStepObject", _step_tools()),
        "message": ("MessageObject", _message()),
        "page.runs": ("ListRunsResponse", _page([run_payload(), _run_requires_action()])),
        "page.steps": ("ListRunStepsResponse", _page([step, _step_tools()])),
        "page.messages": ("ListMessagesResponse", _page([_message()])),
        "event.step_delta": ("RunStepDeltaObject", copy.deepcopy(STEP_DELTA)),
        "event.message_delta": ("MessageDeltaObject", copy.deepcopy(MESSAGE_DELTA)),
    }


# ----------------------------------------------------------------------------- the spec judge


@functools.cache
def _schemas() -> dict[str, Any]:
    """The spec's schemas, read once (spec_schemas() gives a fresh copy on every call)."""
    return spec_schemas()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = {**_schemas()[schema["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    found = set(kind) if isinstance(kind, list) else {kind} if kind else set()
    if schema.get("nullable"):
        found.add("null")
    return found


def _members(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [_resolve(m) for m in schema.get("anyOf") or schema.get("oneOf") or []]


def tag_key(schema: dict[str, Any]) -> str:
    """The key the object members of a union tag themselves with (a required const or one-value enum), or ""."""
    objects = [m for m in _members(schema) if "object" in _types(m) or "properties" in m]
    if len(objects) < 2:
        return ""
    for key in objects[0].get("properties", {}):
        values = [_const(m, key) for m in objects]
        if all(v is not None for v in values) and len(set(values)) == len(values):
            return str(key)
    return ""


def _const(schema: dict[str, Any], key: str) -> Any:
    if key not in schema.get("required", []):
        return None
    prop = _resolve(schema.get("properties", {}).get(key, {}))
    if "const" in prop:
        return prop["const"]
    enum_values = prop.get("enum")
    return enum_values[0] if isinstance(enum_values, list) and len(enum_values) == 1 else None


def nullable(schema: dict[str, Any]) -> bool:
    schema = _resolve(schema)
    return "null" in _types(schema) or any(nullable(m) for m in _members(schema))


def judge(value: Any, schema: dict[str, Any]) -> bool:
    """Whether the spec allows ``value`` under the response contract's tolerance (see the module doc)."""
    schema = _resolve(schema)
    members = _members(schema)
    if members:
        key = tag_key(schema)
        if key and isinstance(value, dict):
            tag = value.get(key)
            if not isinstance(tag, str):
                return False
            for member in members:
                if _const(member, key) == tag:
                    return judge(value, member)
            return True  # a member this client does not know yet
        return any(judge(value, m) for m in members) or (value is None and "null" in _types(schema))
    kinds = _types(schema)
    if value is None:
        return "null" in kinds or (not kinds and "const" not in schema and "enum" not in schema)
    if "const" in schema:
        return bool(value == schema["const"])
    if "enum" in schema:
        return isinstance(value, str)  # an enum value this client does not know yet is kept
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    wanted = kinds - {"null"}
    if kinds and not wanted:
        return False  # only null is allowed, and this is not null
    if not wanted and "properties" in schema:
        wanted = {"object"}
    if wanted and not any(checks[k](value) for k in wanted if k in checks):
        return False
    if isinstance(value, list):
        return all(judge(item, schema.get("items", {})) for item in value)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                prop = _resolve(props.get(key, {}))
                if "default" not in prop and not nullable(prop):
                    return False
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                if not judge(item, props[key]):
                    return False
            elif (isinstance(extra, dict) and not judge(item, extra)) or extra is False:
                return False
    return True


def model_schema(model: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{model}"}


# ----------------------------------------------------------------------------- mutations

WRONG_VALUES: dict[str, Any] = {
    "null": None,
    "bool": True,
    "int": 7,
    "float": 1.5,
    "str": "x",
    "list": [],
    "object": {},
}
UNKNOWN = "zz_not_in_the_spec"


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _schema_at(schema: dict[str, Any], root: Any, path: tuple[Any, ...]) -> dict[str, Any]:
    """The schema that describes the value at ``path`` of the valid ``root``, before a union member is picked."""
    value = root
    for step in path:
        schema = _pick(_resolve(schema), value)
        schema = schema.get("items", {}) if isinstance(step, int) else schema.get("properties", {}).get(step, {})
        value = value[step]
    return _resolve(schema)


def _pick(schema: dict[str, Any], value: Any) -> dict[str, Any]:
    """The union member that describes ``value`` (which is valid)."""
    members = _members(schema)
    if not members:
        return schema
    key = tag_key(schema)
    if key and isinstance(value, dict):
        for member in members:
            if _const(member, key) == value.get(key):
                return _pick(member, value)
    for member in members:
        if judge(value, member):
            return _pick(member, value)
    return schema


def _set(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


def _delete(body: Any, path: tuple[Any, ...]) -> Any:
    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return body


def mutations(model: str, body: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(label, mutated body) for every field path of ``body``."""
    root = model_schema(model)
    for path, value in _paths(body):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path) or "<root>"
        union = _schema_at(root, body, path)
        schema = _resolve(_pick(union, value))
        if isinstance(value, dict):
            yield f"{where}+unknown-key", _set(body, (*path, UNKNOWN), {"any": [1]}) if path else {**body, UNKNOWN: 1}
            key = tag_key(union) if _members(union) else ""
            if path and key and key in value:
                yield f"{where}+unknown-tag", _set(body, path, {key: UNKNOWN, "payload": {"n": 1}})
        if not path:
            continue
        yield f"{where}-deleted", _delete(body, path)
        for name, wrong in WRONG_VALUES.items():
            if type(value) is type(wrong) and not isinstance(value, dict | list):
                continue
            yield f"{where}={name}", _set(body, path, copy.deepcopy(wrong))
        if isinstance(value, str) and len(schema.get("enum") or ()) > 1:
            yield f"{where}=unknown-enum", _set(body, path, UNKNOWN)


# ----------------------------------------------------------------------------- the typed judge


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def typed(value: Any, annotation: Any, path: str = "") -> str | None:
    """None when ``value`` holds its annotation's type all the way down, else the first path where it does not."""
    if annotation is Any:
        return None
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        failures = [typed(value, arg, path) for arg in typing.get_args(annotation)]
        return None if any(f is None for f in failures) else next(f for f in failures if f)
    if origin is typing.Literal:
        return None if value in typing.get_args(annotation) else f"{path}: {value!r} not in {annotation}"
    if origin is list:
        if not isinstance(value, list):
            return f"{path}: not a list"
        (item,) = typing.get_args(annotation)
        return next((f for i, v in enumerate(value) if (f := typed(v, item, f"{path}[{i}]"))), None)
    if origin is dict:
        if not isinstance(value, dict):
            return f"{path}: not a dict"
        _, item = typing.get_args(annotation)
        return next((f for k, v in value.items() if (f := typed(v, item, f"{path}[{k!r}]"))), None)
    if annotation is type(None):
        return None if value is None else f"{path}: not None"
    if annotation is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"{path}: not a number"
    if annotation is int:
        return None if isinstance(value, int) and not isinstance(value, bool) else f"{path}: not an int"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum | str | bool | Unset):
        return None if isinstance(value, annotation) else f"{path}: not a {annotation.__name__}"
    if isinstance(annotation, type) and attrs.has(annotation):
        if type(value) is not annotation:
            return f"{path}: a {type(value).__name__}, not a {annotation.__name__}"
        hints = _hints(annotation)
        for field in attrs.fields(annotation):
            found = typed(getattr(value, field.name), hints[field.name], f"{path}.{field.name}")
            if found:
                return found
        return None
    raise AssertionError(f"{path}: no rule for the annotation {annotation!r}")
