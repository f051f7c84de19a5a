"""scripts/update_spec.py: trimming to the Runs subtree, normalisation, prose carry-over, API diff, CLI.

The last two tests run the whole pipeline (update-spec, regenerate, generated-code tests) on the
real upstream documents in ../shared/upstream.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import regenerate
import update_spec
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "threads-runs.yaml"
REF = "#/components/schemas/"

Json = Any


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def json_body(name: str) -> Json:
    return {"content": {"application/json": {"schema": ref(name)}}}


def ok(name: str) -> Json:
    return {"200": {"description": "Upstream OK prose.", **json_body(name)}}


THREAD_ID = {"name": "thread_id", "in": "path", "required": True, "schema": {"type": "string"}}

# A small OpenAPI 3.0 document shaped like the upstream one.
UPSTREAM: Json = {
    "openapi": "3.0.0",
    "info": {"title": "Upstream", "version": "9.9.9", "description": "Upstream info prose."},
    "paths": {
        "/threads/{thread_id}/runs": {
            "get": {
                "operationId": "listRuns",
                "tags": ["Assistants"],
                "summary": "Upstream summary of listRuns.",
                "description": "Upstream description of listRuns.",
                "parameters": [
                    {**THREAD_ID, "description": "Upstream thread_id prose."},
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "default": 20},
                        "description": "Upstream limit prose.",
                    },
                    {
                        "name": "include[]",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "string", "enum": ["step.content"]}},
                    },
                ],
                "responses": ok("A"),
                "x-oaiMeta": {"name": "List runs", "group": "threads"},
            },
            "post": {
                "operationId": "createRun",
                "parameters": [THREAD_ID],
                "requestBody": {"required": True, **json_body("CreateReq")},
                "responses": ok("A"),
            },
        },
        "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs": {
            "post": {
                "operationId": "submitToolOuputsToRun",
                "parameters": [
                    THREAD_ID,
                    {"name": "run_id", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "requestBody": json_body("CreateReq"),
                "responses": {**ok("A"), "default": {"description": "Upstream error.", **json_body("ErrorResponse")}},
            }
        },
        "/files": {"get": {"operationId": "listFiles", "responses": ok("FileList")}},
        "/threads/{thread_id}/messages": {
            "get": {"operationId": "listMessages", "parameters": [THREAD_ID], "responses": ok("MessageList")},
        },
    },
    "components": {
        "schemas": {
            # Kept: A -> B -> C, C -> Shared, Node (self cycle), X <-> Y (cycle).
            "A": {
                "type": "object",
                "title": "A title",
                "description": "Upstream prose of A.",
                "properties": {
                    "b": ref("B"),
                    "object": {"type": "string", "enum": ["a"], "description": "Upstream field prose."},
                    "description": {"type": "string", "description": "A field that is called description."},
                },
                "x-oaiTypeLabel": "map",
            },
            "B": {"type": "object", "properties": {"c": {"allOf": [ref("C"), {"nullable": True}]}}},
            "C": {
                "type": "object",
                "properties": {"shared": ref("Shared"), "node": ref("Node"), "x": ref("X")},
            },
            "Shared": {"type": "string", "enum": ["s1", "s2"]},
            "Node": {"type": "object", "properties": {"children": {"type": "array", "items": ref("Node")}}},
            "X": {"type": "object", "properties": {"y": ref("Y")}},
            "Y": {"type": "object", "properties": {"x": ref("X")}},
            "CreateReq": {
                "type": "object",
                "required": ["assistant_id"],
                "properties": {
                    "assistant_id": {"type": "string"},
                    "temperature": {"type": "number", "nullable": True, "default": 1, "minimum": 0},
                },
            },
            # Kept through the config's extra_schemas.
            "StreamEvent": {"type": "object", "properties": {"payload": ref("EventPayload")}},
            "EventPayload": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Error": {
                "type": "object",
                "properties": {"message": {"type": "string"}, "code": {"type": "string", "nullable": True}},
            },
            "ErrorResponse": {"type": "object", "properties": {"error": ref("Error")}},
            # Dropped: only unrelated paths (or nothing) use them.
            "FileList": {"type": "object", "properties": {"data": {"type": "array", "items": ref("FileObject")}}},
            "FileObject": {"type": "object", "properties": {"id": {"type": "string"}, "kind": ref("Shared")}},
            "MessageList": {"type": "object", "properties": {"data": {"type": "array", "items": ref("Shared")}}},
            "Unrelated": {"type": "object", "properties": {"loop": ref("Unrelated")}},
            "Orphan": {"type": "string"},
        }
    },
}

CONFIG: Json = {
    "path_prefix": "/threads/{thread_id}/runs",
    "extra_schemas": ["StreamEvent", "ErrorResponse", "NotInUpstream"],
    "stream_operations": ["createRun", "submitToolOutputsToRun"],
    "operation_ids": {"submitToolOuputsToRun": "submitToolOutputsToRun"},
}

CLOSURE = {
    "A",
    "B",
    "C",
    "Shared",
    "Node",
    "X",
    "Y",
    "CreateReq",
    "StreamEvent",
    "EventPayload",
    "Error",
    "ErrorResponse",
}
RUNS_PATHS = {"/threads/{thread_id}/runs", "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs"}


@pytest.fixture
def built() -> Json:
    return update_spec.build(copy.deepcopy(UPSTREAM), copy.deepcopy(CONFIG))


def operation(doc: Json, operation_id: str) -> Json:
    [op] = [
        item[method]
        for item in doc["paths"].values()
        for method in update_spec.HTTP_METHODS
        if method in item and item[method]["operationId"] == operation_id
    ]
    return op


def walk(node: Json) -> Iterator[tuple[str, Json]]:
    """Every (key, value) pair of every mapping inside ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


# --------------------------------------------------------------------------- trimming


def test_schema_closure_follows_nested_refs_and_cycles_only() -> None:
    """The closure of the runs paths plus extra schemas is exactly the reachable set, cycles included."""
    schemas = UPSTREAM["components"]["schemas"]
    paths = {p: item for p, item in UPSTREAM["paths"].items() if p in RUNS_PATHS}
    roots = [paths, [ref("StreamEvent"), ref("ErrorResponse")]]
    assert set(update_spec.schema_closure(schemas, roots)) == CLOSURE
    # From the paths alone: no extra schemas.
    assert set(update_spec.schema_closure(schemas, paths)) == CLOSURE - {"StreamEvent", "EventPayload"}
    # From one cycle member: the cycle, once.
    assert update_spec.schema_closure(schemas, [ref("X")]) == ["X", "Y"]


def test_schema_closure_rejects_dangling_and_foreign_refs() -> None:
    with pytest.raises(ValueError, match="does not define"):
        update_spec.schema_closure({"A": {"properties": {"b": ref("Missing")}}}, [ref("A")])
    with pytest.raises(ValueError, match="unsupported"):
        update_spec.schema_closure({}, [{"$ref": "#/components/responses/Thing"}])


def test_build_keeps_exactly_the_runs_paths_and_their_schemas(built: Json) -> None:
    """Unrelated paths and schemas go; kept schemas are the closure (missing extras skipped) plus the include enum."""
    assert set(built["paths"]) == RUNS_PATHS
    assert set(built["components"]["schemas"]) == CLOSURE | {"RunStepInclude"}
    assert built["openapi"] == "3.1.0"
    assert built["components"]["securitySchemes"] == {"ApiKeyAuth": {"type": "http", "scheme": "bearer"}}


def test_build_fails_without_runs_paths() -> None:
    upstream = copy.deepcopy(UPSTREAM)
    upstream["paths"] = {"/files": upstream["paths"]["/files"]}
    with pytest.raises(ValueError, match="no path under"):
        update_spec.build(upstream, copy.deepcopy(CONFIG))


def test_build_fails_without_error_schemas() -> None:
    upstream = copy.deepcopy(UPSTREAM)
    del upstream["components"]["schemas"]["ErrorResponse"]
    del upstream["paths"]["/threads/{thread_id}/runs/{run_id}/submit_tool_outputs"]["post"]["responses"]["default"]
    config = copy.deepcopy(CONFIG)
    config["extra_schemas"].remove("ErrorResponse")
    with pytest.raises(ValueError, match="Error/ErrorResponse"):
        update_spec.build(upstream, config)


def test_include_parameter_shares_one_enum_component(built: Json) -> None:
    include = {p["name"]: p for p in operation(built, "listRuns")["parameters"]}["include[]"]
    assert include["schema"]["items"] == ref("RunStepInclude")
    assert built["components"]["schemas"]["RunStepInclude"] == {"type": "string", "enum": ["step.content"]}


# --------------------------------------------------------------------------- normalisation


def test_allof_ref_with_nullable_flag_becomes_anyof_null() -> None:
    schema = {"allOf": [ref("C"), {"nullable": True}]}
    assert update_spec.normalise_schema(schema) == {"anyOf": [ref("C"), {"type": "null"}]}


def test_ref_with_nullable_sibling_becomes_anyof_null() -> None:
    assert update_spec.normalise_schema({**ref("C"), "nullable": True}) == {"anyOf": [ref("C"), {"type": "null"}]}


def test_ref_siblings_are_dropped() -> None:
    assert update_spec.normalise_schema({**ref("C"), "readOnly": True}) == ref("C")


def test_nullable_string_becomes_type_list() -> None:
    assert update_spec.normalise_schema({"type": "string", "nullable": True}) == {"type": ["string", "null"]}


def test_nullable_false_is_dropped() -> None:
    assert update_spec.normalise_schema({"type": "string", "nullable": False}) == {"type": "string"}


def test_nullable_enum_becomes_anyof_with_null() -> None:
    schema = {"type": "string", "enum": ["a", "b"], "nullable": True}
    assert update_spec.normalise_schema(schema) == {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}]}


def test_nullable_anyof_gains_one_null_member() -> None:
    schema = {"anyOf": [{"type": "string"}, ref("C")], "nullable": True}
    assert update_spec.normalise_schema(schema) == {"anyOf": [{"type": "string"}, ref("C"), {"type": "null"}]}


def test_one_value_enum_property_becomes_const() -> None:
    """A one-value enum as an object property is a union tag: it becomes const (and loses its default)."""
    schema = {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["function"], "default": "function"},
            "mode": {"type": "string", "enum": ["a", "b"]},
        },
    }
    assert update_spec.normalise_schema(schema)["properties"] == {
        "type": {"type": "string", "const": "function"},
        "mode": {"type": "string", "enum": ["a", "b"]},
    }


def test_bare_one_value_enum_union_member_is_not_converted() -> None:
    """A one-value enum that is itself a direct anyOf member stays an enum, at top level and inside a property."""
    union = {"anyOf": [{"type": "string", "enum": ["auto"]}, ref("C")]}
    assert update_spec.normalise_schema(union) == union
    schema = {"type": "object", "properties": {"response_format": copy.deepcopy(union)}}
    assert update_spec.normalise_schema(schema)["properties"]["response_format"] == union


def test_default_moves_to_x_default_everywhere() -> None:
    schema = {
        "type": "object",
        "default": {},
        "properties": {"temperature": {"type": "number", "default": 1}},
        "additionalProperties": {"type": "integer", "default": 0},
    }
    assert update_spec.normalise_schema(schema) == {
        "type": "object",
        "properties": {"temperature": {"type": "number", "x-default": 1}},
        "additionalProperties": {"type": "integer", "x-default": 0},
        "x-default": {},
    }


def test_exclusive_bounds_are_converted_from_3_0() -> None:
    schema = {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 2, "exclusiveMaximum": False}
    assert update_spec.normalise_schema(schema) == {"type": "number", "exclusiveMinimum": 0, "maximum": 2}


def test_strip_prose_drops_titles_descriptions_examples_and_extensions_but_keeps_field_names() -> None:
    schema = {
        "type": "object",
        "title": "T",
        "description": "D",
        "example": {"a": 1},
        "x-oaiMeta": {"k": "v"},
        "properties": {
            "description": {"type": "string", "description": "D2", "title": "T2"},
            "title": {"type": "string", "x-stainless": True},
        },
    }
    assert update_spec.strip_prose(schema) == {
        "type": "object",
        "properties": {"description": {"type": "string"}, "title": {"type": "string"}},
    }


def test_build_drops_upstream_prose_everywhere(built: Json) -> None:
    """No upstream title, description, summary, tag or x-* extension survives build() without a previous doc."""
    keys = {key for key, _ in walk(built["paths"])} | {key for key, _ in walk(built["components"]["schemas"])}
    assert not keys & {"title", "summary", "example", "examples", "tags"}
    assert not [key for key in keys if key.startswith("x-") and key != "x-default"]
    texts = [value for key, value in walk(built) if key in ("description", "summary") and isinstance(value, str)]
    assert not [text for text in texts if "Upstream" in text]
    # Field names survive.
    assert "description" in built["components"]["schemas"]["A"]["properties"]


def test_build_normalises_parameters_bodies_and_component_schemas(built: Json) -> None:
    list_runs = operation(built, "listRuns")
    limit = {p["name"]: p for p in list_runs["parameters"]}["limit"]
    assert limit["schema"] == {"type": "integer", "x-default": 20, "minimum": 1, "maximum": 100}
    schemas = built["components"]["schemas"]
    assert schemas["CreateReq"]["properties"]["temperature"] == {
        "type": ["number", "null"],
        "minimum": 0,
        "x-default": 1,
    }
    assert schemas["B"]["properties"]["c"] == {"anyOf": [ref("C"), {"type": "null"}]}
    assert schemas["A"]["properties"]["object"] == {"type": "string", "const": "a"}
    assert schemas["Error"]["properties"]["code"] == {"type": ["string", "null"]}


def test_build_renames_misspelled_operation_id(built: Json) -> None:
    ids = {item[m]["operationId"] for item in built["paths"].values() for m in update_spec.HTTP_METHODS if m in item}
    assert ids == {"listRuns", "createRun", "submitToolOutputsToRun"}


def test_build_declares_event_stream_for_stream_operations_only(built: Json) -> None:
    for op_id in ("createRun", "submitToolOutputsToRun"):
        content = operation(built, op_id)["responses"]["200"]["content"]
        assert content["text/event-stream"] == {"schema": update_spec.STREAM_EVENT}
        assert content["text/event-stream"]["schema"]["required"] == ["event", "data"]
        assert content["application/json"] == {"schema": ref("A")}
    assert "text/event-stream" not in operation(built, "listRuns")["responses"]["200"]["content"]


def test_build_maps_discriminators_from_const_tags() -> None:
    """A discriminator gets a tag -> $ref mapping from its members' const tags; unmappable ones are dropped."""
    doc = {
        "paths": {},
        "components": {
            "schemas": {
                "Tool": {"anyOf": [ref("Code"), ref("Fn")], "discriminator": {"propertyName": "type"}},
                "Loose": {"anyOf": [ref("Code"), {"type": "object"}], "discriminator": {"propertyName": "type"}},
                "Code": {"type": "object", "properties": {"type": {"const": "code"}}},
                "Fn": {"type": "object", "properties": {"type": {"const": "function"}}},
            }
        },
    }
    update_spec.map_discriminators(doc)
    schemas = doc["components"]["schemas"]
    assert schemas["Tool"]["discriminator"]["mapping"] == {
        "code": "#/components/schemas/Code",
        "function": "#/components/schemas/Fn",
    }
    assert "discriminator" not in schemas["Loose"]


def test_build_declares_the_error_response_on_every_operation(built: Json) -> None:
    """Every operation gets a `default` response with an ErrorResponse body, whether upstream declared one or not."""
    for op_id in ("listRuns", "createRun", "submitToolOutputsToRun"):
        default = operation(built, op_id)["responses"]["default"]
        assert default["content"] == {"application/json": {"schema": ref("ErrorResponse")}}


# --------------------------------------------------------------------------- prose carry-over


def test_previous_descriptions_are_carried_over_by_location() -> None:
    """Our descriptions and examples in the previous document are copied; upstream ones are not kept."""
    previous = update_spec.build(copy.deepcopy(UPSTREAM), copy.deepcopy(CONFIG))
    previous["paths"]["/threads/{thread_id}/runs"]["get"]["description"] = "Our words on listing runs."
    previous["paths"]["/threads/{thread_id}/runs"]["get"]["parameters"][0]["description"] = "Our thread id."
    schemas = previous["components"]["schemas"]
    schemas["A"]["description"] = "Our words on A."
    schemas["A"]["properties"]["b"]["description"] = "Our words on A.b."
    schemas["A"]["properties"]["description"]["description"] = "Our words on the field called description."
    schemas["A"]["examples"] = [{"object": "a"}]
    schemas["Gone"] = {"type": "string", "description": "A schema upstream removed."}

    doc = update_spec.build(copy.deepcopy(UPSTREAM), copy.deepcopy(CONFIG), previous)

    get = doc["paths"]["/threads/{thread_id}/runs"]["get"]
    assert get["description"] == "Our words on listing runs."
    assert "summary" not in get
    assert get["parameters"][0]["description"] == "Our thread id."
    assert "description" not in get["parameters"][1]
    a = doc["components"]["schemas"]["A"]
    assert a["description"] == "Our words on A."
    assert a["properties"]["b"]["description"] == "Our words on A.b."
    assert a["properties"]["description"] == {
        "type": "string",
        "description": "Our words on the field called description.",
    }
    assert a["examples"] == [{"object": "a"}]
    assert "Gone" not in doc["components"]["schemas"]
    assert "description" not in doc["components"]["schemas"]["B"]


def test_previous_response_descriptions_are_carried_over() -> None:
    previous = update_spec.build(copy.deepcopy(UPSTREAM), copy.deepcopy(CONFIG))
    responses = previous["paths"]["/threads/{thread_id}/runs"]["get"]["responses"]
    responses["200"]["description"] = "Our success words."
    responses["default"]["description"] = "Our error words."
    doc = update_spec.build(copy.deepcopy(UPSTREAM), copy.deepcopy(CONFIG), previous)
    responses = doc["paths"]["/threads/{thread_id}/runs"]["get"]["responses"]
    assert (responses["200"]["description"], responses["default"]["description"]) == (
        "Our success words.",
        "Our error words.",
    )


def test_previous_server_descriptions_stay_with_their_url() -> None:
    previous = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    described = {server["url"]: server["description"] for server in previous["servers"]}
    doc = update_spec.build(copy.deepcopy(UPSTREAM), copy.deepcopy(CONFIG), previous)
    for server in doc["servers"]:
        assert server.get("description") == described[server["url"]], server["url"]


# --------------------------------------------------------------------------- API diff


def test_api_diff_is_empty_for_equal_documents(built: Json) -> None:
    assert update_spec.api_diff(built, copy.deepcopy(built)) == []


def test_api_diff_ignores_prose_only_schema_changes(built: Json) -> None:
    new = copy.deepcopy(built)
    new["components"]["schemas"]["A"]["description"] = "Reworded."
    new["components"]["schemas"]["A"]["properties"]["b"]["description"] = "Reworded."
    assert update_spec.api_diff(built, new) == []


def test_api_diff_ignores_prose_only_operation_changes(built: Json) -> None:
    new = copy.deepcopy(built)
    operation(new, "listRuns")["summary"] = "Reworded."
    assert update_spec.api_diff(built, new) == []


def test_api_diff_reports_operations_and_fields_with_breaking_changes_marked(built: Json) -> None:
    old = copy.deepcopy(built)
    new = copy.deepcopy(built)
    del new["paths"]["/threads/{thread_id}/runs"]["post"]  # createRun removed
    new["paths"]["/threads/{thread_id}/runs/{run_id}"] = {
        "get": {"operationId": "getRun", "responses": ok("A")}
    }  # getRun added
    operation(new, "listRuns")["parameters"].pop()  # include[] removed
    a = new["components"]["schemas"]["A"]["properties"]
    a["added"] = {"type": "integer"}  # a new answer field: compatible
    a["description"] = {"type": ["string", "null"]}  # an answer field that may now be null: breaks readers
    create = new["components"]["schemas"]["CreateReq"]["properties"]
    create["temperature"]["maximum"] = 2  # a new upper bound on an argument: breaks callers

    lines = update_spec.api_diff(old, new)
    assert lines == [
        "         getRun: new operation (GET /threads/{thread_id}/runs/{run_id})",
        "BREAKING createRun: operation removed (POST /threads/{thread_id}/runs)",
        "BREAKING listRuns query.include[]: removed",
        "BREAKING submitToolOutputsToRun body.temperature: maximum None -> 2",
        "         answer A.added: added",
        "BREAKING answer A.description: now nullable",
    ]


def test_api_diff_does_not_report_a_reshaped_schema(built: Json) -> None:
    """The same facts spelled another way (inline instead of $ref, anyOf-null instead of a type list) are no change."""
    new = copy.deepcopy(built)
    schemas = new["components"]["schemas"]
    schemas["A"]["properties"]["b"] = copy.deepcopy(schemas["B"])  # inlined
    temperature = schemas["CreateReq"]["properties"]["temperature"]
    assert temperature["type"] == ["number", "null"]
    schemas["CreateReq"]["properties"]["temperature"] = {"anyOf": [{**temperature, "type": "number"}, {"type": "null"}]}
    assert update_spec.api_diff(built, new) == []


def test_api_diff_shows_a_new_enum_value_by_name(built: Json) -> None:
    new = copy.deepcopy(built)
    new["components"]["schemas"]["Shared"]["enum"].append("s3")
    assert update_spec.api_diff(built, new) == ["         answer A.b.c.shared: enum + s3"]


def test_api_diff_against_no_previous_document_lists_every_operation_as_new(built: Json) -> None:
    lines = update_spec.api_diff(None, built)
    assert "         listRuns: new operation (GET /threads/{thread_id}/runs)" in lines
    assert all(not line.startswith("BREAKING") for line in lines)


# --------------------------------------------------------------------------- selection, names, facts


def test_paths_select_prefixes_and_methods() -> None:
    config = {
        **CONFIG,
        "paths": [
            {"prefix": "/threads/{thread_id}/runs"},
            {"prefix": "/threads/{thread_id}/messages", "methods": ["get"]},
        ],
    }
    del config["path_prefix"]
    upstream = copy.deepcopy(UPSTREAM)
    upstream["paths"]["/threads/{thread_id}/messages"]["post"] = {"operationId": "createMessage", "responses": ok("A")}
    doc = update_spec.build(upstream, config)
    assert set(doc["paths"]) == RUNS_PATHS | {"/threads/{thread_id}/messages"}
    assert list(doc["paths"]["/threads/{thread_id}/messages"]) == ["get"]
    assert "MessageList" in doc["components"]["schemas"]


def test_schema_names_hoist_an_inline_schema_under_its_stable_name() -> None:
    upstream = copy.deepcopy(UPSTREAM)
    upstream["components"]["schemas"]["A"]["properties"]["status"] = {"type": "string", "enum": ["queued", "done"]}
    doc = update_spec.build(upstream, {**CONFIG, "schema_names": {"RunStatus": "A.status"}})
    assert doc["components"]["schemas"]["A"]["properties"]["status"] == ref("RunStatus")
    assert doc["components"]["schemas"]["RunStatus"]["enum"] == ["queued", "done"]
    with pytest.raises(ValueError, match=r"A\.missing"):
        update_spec.build(copy.deepcopy(UPSTREAM), {**CONFIG, "schema_names": {"RunStatus": "A.missing"}})


def test_answer_only_schemas_keep_their_defaults_and_request_schemas_do_not() -> None:
    upstream = copy.deepcopy(UPSTREAM)
    schemas = upstream["components"]["schemas"]
    schemas["Flag"] = {"type": "boolean", "default": True}
    schemas["A"]["properties"]["flag"] = ref("Flag")  # A is only an answer
    schemas["A"]["properties"]["size"] = {"type": "integer", "default": 20}
    schemas["CreateReq"]["properties"]["flag"] = ref("Flag")  # ...and Flag is also in a request
    doc = update_spec.build(upstream, copy.deepcopy(CONFIG))
    answer = doc["components"]["schemas"]["A"]["properties"]
    assert answer["flag"] == {"type": "boolean", "default": True}  # inlined: the default is the answer's alone
    assert answer["size"] == {"type": "integer", "default": 20}
    assert doc["components"]["schemas"]["Flag"] == {"type": "boolean", "x-default": True}
    assert doc["components"]["schemas"]["CreateReq"]["properties"]["temperature"]["x-default"] == 1


def test_schema_facts_are_merged_and_a_stale_one_is_an_error() -> None:
    facts = {"CreateReq": {"properties": {"temperature": {"maximum": 2}}}, "Shared": {"minLength": 1}}
    doc = update_spec.build(copy.deepcopy(UPSTREAM), {**CONFIG, "schema_facts": facts})
    assert doc["components"]["schemas"]["CreateReq"]["properties"]["temperature"]["maximum"] == 2
    assert doc["components"]["schemas"]["Shared"]["minLength"] == 1
    with pytest.raises(ValueError, match="Gone"):
        update_spec.build(copy.deepcopy(UPSTREAM), {**CONFIG, "schema_facts": {"Gone": {"maxLength": 1}}})


# --------------------------------------------------------------------------- command line


def test_main_rejects_a_missing_upstream_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "spec.yaml"
    with pytest.raises(SystemExit) as exc:
        update_spec.main([str(tmp_path / "missing.yaml"), "--out", str(out)])
    assert exc.value.code not in (0, None)
    assert "is not a file" in capsys.readouterr().err
    assert not out.exists()


def test_main_writes_the_spec_and_prints_the_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    upstream = tmp_path / "upstream.json"
    upstream.write_text(yaml.safe_dump(UPSTREAM), encoding="utf-8")
    config = tmp_path / "trim.yaml"
    config.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    out = tmp_path / "spec.yaml"

    assert update_spec.main([str(upstream), "--out", str(out), "--config", str(config)]) == 0
    first = capsys.readouterr().out
    assert "API diff against the previous document:" in first
    assert "listRuns: new operation (GET /threads/{thread_id}/runs)" in first
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == update_spec.build(
        copy.deepcopy(UPSTREAM), copy.deepcopy(CONFIG)
    )

    assert update_spec.main([str(upstream), "--out", str(out), "--config", str(config)]) == 0
    assert "API diff: no changes" in capsys.readouterr().out


def test_a_hand_edit_that_an_update_would_overwrite_is_reported_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream = tmp_path / "upstream.json"
    upstream.write_text(yaml.safe_dump(UPSTREAM), encoding="utf-8")
    config = tmp_path / "trim.yaml"
    config.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    out = tmp_path / "spec.yaml"
    args = [str(upstream), "--out", str(out), "--config", str(config)]
    assert update_spec.main(args) == 0
    assert (tmp_path / update_spec.LOCK_NAME).is_file()
    # Rewording prose is this project's own business: no refusal.
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    doc["components"]["schemas"]["A"]["description"] = "Our words."
    out.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert update_spec.main(args) == 0
    # A changed fact is: the update refuses, names what it would change, and writes nothing.
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    doc["components"]["schemas"]["CreateReq"]["properties"]["temperature"]["maximum"] = 2
    edited = yaml.safe_dump(doc)
    out.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    assert update_spec.main(args) == 3
    err = capsys.readouterr().err
    assert "edited by hand" in err
    assert "createRun body.temperature: maximum 2 -> None" in err
    assert out.read_text(encoding="utf-8") == edited
    assert update_spec.main([*args, "--discard-edits"]) == 0
    assert (
        "maximum"
        not in yaml.safe_load(out.read_text())["components"]["schemas"]["CreateReq"]["properties"]["temperature"]
    )


# --------------------------------------------------------------------------- the real upstream documents

GENERATED_TESTS = ["tests/pipeline/test_generated_models.py", "tests/pipeline/test_spec.py"]
OPERATION_MODULES = [
    "list_runs",
    "create_run",
    "get_run",
    "modify_run",
    "cancel_run",
    "submit_tool_outputs_to_run",
    "list_run_steps",
    "get_run_step",
    "list_messages",
    "get_message",
]
# The client-facing suites, run again over each regenerated package (with the embedded server, which
# validates against the regenerated spec): the public API must behave the same, not only the models.
CLIENT_SUITES = ["tests/client", "tests/streaming", "tests/server", "tests/cli", "tests/examples", "tests/reliability"]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("index", [0, 1], ids=["oas3.0", "oas3.1"])
def test_real_upstream_updates_regenerates_and_passes_generated_code_tests(
    index: int, upstream_docs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """update-spec + regenerate on a real upstream document: zero generator warnings, every operation, the
    same public names and signatures, the generated-code tests (examples, forward compatibility, tolerance,
    no implicit values), and every client, streaming, server, CLI, example and reliability test pass on the
    result (a result identical to the committed package is the one the rest of make test already runs)."""
    upstream = upstream_docs[index]
    spec = tmp_path / "threads-runs.yaml"
    shutil.copyfile(SPEC, spec)

    assert update_spec.main([str(upstream), "--out", str(spec)]) == 0
    stdout = capsys.readouterr().out
    assert "API diff against the previous document:" in stdout or "API diff: no changes" in stdout

    gen = tmp_path / "gen"
    provenance = regenerate.generate(gen, spec)  # raises GenerationError on any generator warning
    package = gen / "threadruns_api"
    assert provenance["operations"] == 10
    committed = json.loads((ROOT / "generated" / "public-api.json").read_text(encoding="utf-8"))
    regenerated = json.loads((gen / "public-api.json").read_text(encoding="utf-8"))

    # No public name appears or vanishes: every class and method; models by name (an older document may
    # lack newer enum values, such as model names, and that is the API's own difference).
    def names(surface: dict[str, Any]) -> set[str]:
        return {key for key in surface if not key.startswith("threadruns.types.") or key.count(".") == 2}

    assert sorted(names(regenerated) ^ names(committed)) == []
    for module in OPERATION_MODULES:
        assert (package / "api" / "default" / f"{module}.py").is_file(), module
    exported = (package / "models" / "__init__.py").read_text(encoding="utf-8")
    for model in ("RunObject", "ListRunsResponse", "CreateRunRequest"):
        assert f'"{model}"' in exported, model
        snake = {"RunObject": "run_object", "ListRunsResponse": "list_runs_response"}.get(model, "create_run_request")
        assert f"class {model}:" in (package / "models" / f"{snake}.py").read_text(encoding="utf-8")

    env = {
        **os.environ,
        "PYTHONPATH": str(gen),
        "THREADRUNS_SPEC": str(spec),
        "THREADRUNS_EXPECT_GENERATED": str(package),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rA",
            "-p",
            "no:cacheprovider",
            *GENERATED_TESTS,
            "-k",
            "example or forward or toleran or implicit or known or under_test",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "PASSED tests/pipeline/test_generated_models.py::test_generated_package_is_the_one_under_test" in output
    assert "PASSED tests/pipeline/test_spec.py::test_schema_example_round_trips_through_generated_model" in output

    if regenerate.differences(gen / "threadruns_api", ROOT / "generated" / "threadruns_api") == []:
        return  # byte for byte the committed package, which the rest of make test runs every suite on
    suites = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *CLIENT_SUITES],
        cwd=ROOT,
        env={**env, "PYTHONPATH": os.pathsep.join([str(gen), str(ROOT / "src")])},
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    tail = (suites.stdout + suites.stderr)[-3000:]
    assert suites.returncode == 0, tail
    assert " passed" in tail and " failed" not in tail
