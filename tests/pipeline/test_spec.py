"""Facts of the trimmed spec openapi/threads-runs.yaml, and its examples against the generated models."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "threads-runs.yaml"
# The examples test can be rerun against another spec (and its generated package on PYTHONPATH).
EXAMPLES_SPEC = Path(os.environ.get("THREADRUNS_SPEC", str(SPEC)))
SCHEMA_PREFIX = "#/components/schemas/"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

RUNS_PATHS = {
    "/threads/{thread_id}/runs",
    "/threads/{thread_id}/runs/{run_id}",
    "/threads/{thread_id}/runs/{run_id}/cancel",
    "/threads/{thread_id}/runs/{run_id}/steps",
    "/threads/{thread_id}/runs/{run_id}/steps/{step_id}",
    "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
}
# What a run wrote, read-only (openapi/trim.yaml selects only their GET).
MESSAGE_PATHS = {"/threads/{thread_id}/messages", "/threads/{thread_id}/messages/{message_id}"}
OPERATION_IDS = {
    "listRuns",
    "createRun",
    "getRun",
    "modifyRun",
    "cancelRun",
    "submitToolOutputsToRun",
    "listRunSteps",
    "getRunStep",
    "listMessages",
    "getMessage",
}
SEED_SCHEMAS = {
    "RunObject",
    "CreateRunRequest",
    "CreateMessageRequest",
    "ListRunsResponse",
    "RunToolCallObject",
    "RunCompletionUsage",
    "AssistantsApiResponseFormatOption",
    "Metadata",
    "ParallelToolCalls",
    "ReasoningEffort",
    "RunStepObject",
    "ListRunStepsResponse",
    "RunStepDeltaObject",
    "MessageObject",
    "MessageDeltaObject",
    "Error",
    "ErrorResponse",
}

Json = Any


def load(path: Path) -> Json:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def spec() -> Json:
    return load(SPEC)


def operations(doc: Json) -> dict[str, Json]:
    return {
        item[method]["operationId"]: item[method]
        for item in doc["paths"].values()
        for method in HTTP_METHODS
        if method in item
    }


def parameters(op: Json) -> dict[str, Json]:
    return {param["name"]: param for param in op.get("parameters", [])}


def sub_schemas(schema: Json) -> Iterator[Json]:
    """Every schema node inside ``schema`` (itself included); property names are never mistaken for keywords."""
    if not isinstance(schema, dict):
        return
    yield schema
    for prop in schema.get("properties", {}).values():
        yield from sub_schemas(prop)
    for key in ("items", "additionalProperties", "not"):
        yield from sub_schemas(schema.get(key))
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for member in schema.get(key, []):
            yield from sub_schemas(member)


def referenced_closure(doc: Json, roots: list[Json]) -> list[Json]:
    """The schemas of ``roots`` plus every component schema they reach through $ref."""
    components = doc["components"]["schemas"]
    todo: list[Json] = list(roots)
    seen: set[str] = set()
    out: list[Json] = []
    while todo:
        for node in sub_schemas(todo.pop()):
            out.append(node)
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                todo.append(components[ref.removeprefix(SCHEMA_PREFIX)])
    return out


def test_spec_is_valid_openapi_3_1(spec: Json) -> None:
    """The trimmed spec passes openapi-spec-validator and declares OpenAPI 3.1.x."""
    validate(spec)
    assert str(spec["openapi"]).startswith("3.1.")


def test_spec_has_exactly_the_runs_and_message_paths_and_their_operations(spec: Json) -> None:
    assert set(spec["paths"]) == RUNS_PATHS | MESSAGE_PATHS
    assert all(set(spec["paths"][path]) == {"get"} for path in MESSAGE_PATHS)
    ops = [item[m]["operationId"] for item in spec["paths"].values() for m in HTTP_METHODS if m in item]
    assert sorted(ops) == sorted(OPERATION_IDS)


@pytest.mark.parametrize("operation_id", ["listRuns", "listRunSteps", "listMessages"])
def test_list_operations_have_paging_parameters(spec: Json, operation_id: str) -> None:
    """limit is an integer from 1 to 100, order is asc/desc, after/before are string cursors."""
    params = parameters(operations(spec)[operation_id])
    limit = params["limit"]["schema"]
    assert limit["type"] == "integer"
    assert (limit["minimum"], limit["maximum"]) == (1, 100)
    assert set(params["order"]["schema"]["enum"]) == {"asc", "desc"}
    for cursor in ("after", "before"):
        assert params[cursor]["in"] == "query"
        assert params[cursor]["schema"]["type"] == "string"


@pytest.mark.parametrize("operation_id", ["createRun", "listRunSteps", "getRunStep"])
def test_include_parameter_is_declared(spec: Json, operation_id: str) -> None:
    """createRun, listRunSteps and getRunStep take `include[]`, a query array."""
    include = parameters(operations(spec)[operation_id])["include[]"]
    assert include["in"] == "query"
    assert include["schema"]["type"] == "array"


def test_seed_schemas_exist(spec: Json) -> None:
    missing = SEED_SCHEMAS - set(spec["components"]["schemas"])
    assert not missing


def test_reasoning_effort_knows_none_and_xhigh(spec: Json) -> None:
    schema = spec["components"]["schemas"]["ReasoningEffort"]
    values = {value for node in sub_schemas(schema) for value in node.get("enum", [])}
    assert {"none", "xhigh"} <= values


@pytest.mark.parametrize("operation_id", ["createRun", "submitToolOutputsToRun"])
def test_stream_operations_declare_event_stream(spec: Json, operation_id: str) -> None:
    """createRun and submitToolOutputsToRun answer JSON or text/event-stream with 200."""
    content = operations(spec)[operation_id]["responses"]["200"]["content"]
    assert "text/event-stream" in content
    assert "application/json" in content


def test_every_operation_declares_the_error_response(spec: Json) -> None:
    for op_id, op in operations(spec).items():
        default = op["responses"].get("default")
        assert default is not None, op_id
        assert default["content"]["application/json"]["schema"] == {"$ref": SCHEMA_PREFIX + "ErrorResponse"}, op_id


def test_security_is_http_bearer(spec: Json) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert [(s["type"], s["scheme"]) for s in schemes.values()] == [("http", "bearer")]
    assert spec["security"] == [{name: []} for name in schemes]


def test_request_schemas_and_parameters_have_no_default(spec: Json) -> None:
    """No `default` keyword in request bodies or parameters (only `x-default`): nothing implicit is sent."""
    roots: list[Json] = []
    for op in operations(spec).values():
        roots += [param["schema"] for param in op.get("parameters", [])]
        for media in op.get("requestBody", {}).get("content", {}).values():
            roots.append(media["schema"])
    nodes = referenced_closure(spec, roots)
    assert [node for node in nodes if "default" in node] == []
    # The walk really reaches the request fields: the documented defaults are there as x-default.
    assert any("x-default" in node for node in nodes)


def _examples() -> list[tuple[str, int, Json]]:
    doc = load(EXAMPLES_SPEC)
    return [
        (name, index, example)
        for name, schema in doc["components"]["schemas"].items()
        for index, example in enumerate(schema.get("examples", []))
    ]


EXAMPLES = _examples()


def test_spec_has_examples() -> None:
    """The examples round-trip test below is not vacuous."""
    assert {name for name, _, _ in EXAMPLES} >= {"RunObject", "ListRunsResponse", "CreateRunRequest"}


@pytest.mark.parametrize(
    ("schema_name", "index", "example"),
    EXAMPLES,
    ids=[f"{name}-{index}" for name, index, _ in EXAMPLES],
)
def test_schema_example_round_trips_through_generated_model(schema_name: str, index: int, example: Json) -> None:
    """Each schema example parses with the generated model of that schema and to_dict() gives it back exactly."""
    from threadruns_api import models

    model = getattr(models, schema_name)
    payload = copy.deepcopy(example)
    parsed = model.from_dict(payload)
    assert parsed.to_dict() == example


def _descriptions(node: Json) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                yield " ".join(value.split())
            else:
                yield from _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _descriptions(item)


def test_descriptions_are_not_copied_from_upstream(spec: Json, upstream_docs: tuple[Path, Path]) -> None:
    """No description or summary longer than 30 characters appears verbatim in either upstream document."""
    ours = {text for text in _descriptions(spec) if len(text) > 30}
    assert len(ours) > 20
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for upstream in upstream_docs:
        doc = yaml.load(upstream.read_text(encoding="utf-8"), Loader=loader)
        prose = "\0".join(_descriptions(doc))
        assert len(prose) > 100_000, upstream.name
        copied = sorted(text for text in ours if text in prose)
        assert copied == [], upstream.name
