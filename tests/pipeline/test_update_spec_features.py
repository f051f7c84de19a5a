"""update-spec on the shapes real OpenAPI 3.1 documents use, then regenerate and call the result.

The document below is small but uses what the two shared upstream documents do not all use:
``$ref``s into ``components/pathItems``, ``parameters``, ``requestBodies``, ``responses``,
``headers`` and ``examples``; facts written beside a ``$ref``; 3.1 type lists; ``const``;
``format`` annotations; and an error answer (429 with ``Retry-After``) that must be kept.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import regenerate
import update_spec
import yaml

ROOT = Path(__file__).resolve().parents[2]
Json = Any


def schema(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


DOC: Json = {
    "openapi": "3.1.0",
    "info": {"title": "Elsewhere", "version": "7.0.0"},
    "paths": {
        "/threads/{thread_id}/runs": {"$ref": "#/components/pathItems/Runs"},
        "/files": {"$ref": "#/components/pathItems/Unselected"},
    },
    "components": {
        "pathItems": {
            "Runs": {
                "parameters": [{"$ref": "#/components/parameters/ThreadId"}],
                "get": {
                    "operationId": "listRuns",
                    "parameters": [
                        {"$ref": "#/components/parameters/Limit", "description": "Beside the $ref."},
                        {"name": "after", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"$ref": "#/components/responses/RunList"},
                        "429": {"$ref": "#/components/responses/RateLimited"},
                    },
                },
                "post": {
                    "operationId": "createRun",
                    "requestBody": {"$ref": "#/components/requestBodies/CreateRun"},
                    "responses": {
                        "200": {"description": "A run.", "content": {"application/json": {"schema": schema("Run")}}}
                    },
                },
            },
            # Never selected: what it refers to is not read at all.
            "Unselected": {"get": {"operationId": "listFiles", "responses": {"$ref": "#/components/callbacks/X"}}},
        },
        "parameters": {
            "ThreadId": {"name": "thread_id", "in": "path", "required": True, "schema": {"type": "string"}},
            "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
        },
        "responses": {
            "RunList": {
                "description": "A page.",
                "content": {
                    "application/json": {
                        "schema": schema("RunList"),
                        "examples": {"one": {"$ref": "#/components/examples/EmptyPage"}},
                    }
                },
            },
            "RateLimited": {
                "description": "Slow down.",
                "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
                "content": {"application/json": {"schema": schema("ErrorResponse")}},
            },
        },
        "requestBodies": {
            "CreateRun": {"required": True, "content": {"application/json": {"schema": schema("CreateRunRequest")}}}
        },
        "headers": {"RetryAfter": {"description": "Seconds.", "schema": {"type": "integer"}}},
        "examples": {"EmptyPage": {"value": {"object": "list", "data": [], "has_more": False}}},
        "schemas": {
            "Run": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "object": {"const": "thread.run"},
                    "created_at": {"type": "integer", "format": "int64"},
                    "started_at": {"type": ["string", "null"], "format": "date-time"},
                    "status": {"type": ["string", "null"]},
                    "metadata": {**schema("Metadata"), "description": "Beside the $ref."},
                },
                "required": ["id", "object", "created_at"],
            },
            "RunList": {
                "type": "object",
                "properties": {
                    "object": {"type": "string"},
                    "data": {"type": "array", "items": schema("Run")},
                    "first_id": {"type": ["string", "null"]},
                    "last_id": {"type": ["string", "null"]},
                    "has_more": {"type": "boolean"},
                },
                "required": ["object", "data", "first_id", "last_id", "has_more"],
            },
            "CreateRunRequest": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "assistant_id": {"type": "string"},
                    "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 2, "default": 1},
                },
                "required": ["assistant_id"],
            },
            "Metadata": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
            "Error": {
                "type": "object",
                "properties": {"message": {"type": "string"}, "type": {"type": "string"}},
                "required": ["message", "type"],
            },
            "ErrorResponse": {"type": "object", "properties": {"error": schema("Error")}, "required": ["error"]},
        },
    },
}
CONFIG: Json = {"paths": [{"prefix": "/threads/{thread_id}/runs"}], "extra_schemas": ["ErrorResponse"]}
TRIM: Json = {
    "response_headers": {"request_id": "x-request-id", "poll_after_ms": "openai-poll-after-ms"},
    "resources": {
        "beta.threads.runs": {
            "path": "/threads/{thread_id}/runs",
            "methods": {"listRuns": "list", "createRun": "create"},
        }
    },
}


def _refs(node: Json) -> list[str]:
    return list(update_spec.iter_refs(node))


@pytest.fixture(scope="module")
def built() -> Json:
    return update_spec.build(copy.deepcopy(DOC), copy.deepcopy(CONFIG))


def test_only_schema_references_are_left(built: Json) -> None:
    refs = _refs(built)
    assert refs
    assert all(ref.startswith("#/components/schemas/") for ref in refs), refs
    assert set(built["components"]) == {"schemas", "securitySchemes"}


def test_path_item_parameters_and_request_bodies_are_inlined(built: Json) -> None:
    item = built["paths"]["/threads/{thread_id}/runs"]
    assert item["parameters"][0]["name"] == "thread_id"
    limit, _ = item["get"]["parameters"]
    assert (limit["name"], limit["schema"]["maximum"]) == ("limit", 100)
    body = item["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == schema("CreateRunRequest")


def test_an_error_answer_is_kept_with_its_header(built: Json) -> None:
    responses = built["paths"]["/threads/{thread_id}/runs"]["get"]["responses"]
    assert set(responses) == {"200", "429", "default"}
    assert responses["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}
    assert responses["429"]["content"]["application/json"]["schema"] == schema("ErrorResponse")


def test_type_lists_const_and_formats_survive(built: Json) -> None:
    run = built["components"]["schemas"]["Run"]["properties"]
    assert run["object"] == {"const": "thread.run"}
    assert run["started_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert run["created_at"]["format"] == "int64"
    assert run["metadata"] == schema("Metadata")  # the sibling was prose only
    temperature = built["components"]["schemas"]["CreateRunRequest"]["properties"]["temperature"]
    assert "default" not in temperature and temperature["x-default"] == 1


def test_unknown_component_sections_and_cycles_are_errors() -> None:
    doc = copy.deepcopy(DOC)
    doc["components"]["pathItems"]["Runs"]["get"]["responses"]["200"] = {"$ref": "#/components/callbacks/X"}
    with pytest.raises(ValueError, match="components/callbacks"):
        update_spec.build(doc, copy.deepcopy(CONFIG))
    doc = copy.deepcopy(DOC)
    doc["components"]["responses"]["RunList"] = {"$ref": "#/components/responses/RateLimited"}
    doc["components"]["responses"]["RateLimited"] = {"$ref": "#/components/responses/RunList"}
    with pytest.raises(ValueError, match="cycle"):
        update_spec.build(doc, copy.deepcopy(CONFIG))


def test_the_result_generates_and_the_client_uses_it(built: Json, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(update_spec.dump_document(built), encoding="utf-8")
    trim = tmp_path / "trim.yaml"
    trim.write_text(yaml.safe_dump(TRIM), encoding="utf-8")
    provenance = regenerate.generate(tmp_path / "out", spec, trim)  # zero generator warnings, or it raises
    assert provenance["operations"] == 2
    code = textwrap.dedent(
        """
        import json, httpx, threadruns
        sent = []
        def handler(request):
            sent.append(str(request.url))
            return httpx.Response(200, json={"object": "list", "data": [{"id": "run_1", "object": "thread.run",
                "created_at": 1, "started_at": "2026-01-01T00:00:00Z"}], "first_id": "run_1", "last_id": "run_1",
                "has_more": False})
        client = threadruns.Client(api_key="k", base_url="http://127.0.0.1:9/v1",
                                   http_client=httpx.Client(transport=httpx.MockTransport(handler)))
        page = client.beta.threads.runs.list("thread_1", limit=5)
        try:
            client.beta.threads.runs.create("thread_1", assistant_id="a", temperature=3)
        except ValueError as exc:
            refused = str(exc)
        print(json.dumps({"sent": sent, "ids": [r.id for r in page], "year": page.data[0].started_at.year,
                          "refused": refused}))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "out"), str(ROOT / "src")])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got == {
        "sent": ["http://127.0.0.1:9/v1/threads/thread_1/runs?limit=5"],
        "ids": ["run_1"],
        "year": 2026,
        "refused": "temperature must be between 0 and 2, got 3",
    }


def test_facts_beside_a_schema_ref_are_reported_when_dropped() -> None:
    doc = copy.deepcopy(DOC)
    doc["components"]["schemas"]["Run"]["properties"]["metadata"]["maxProperties"] = 4
    built = update_spec.build(doc, copy.deepcopy(CONFIG))
    assert built["components"]["schemas"]["Run"]["properties"]["metadata"] == schema("Metadata")
    assert update_spec.DROPPED_BESIDE_REF == ["Metadata: maxProperties"]
    update_spec.build(copy.deepcopy(DOC), copy.deepcopy(CONFIG))
    assert update_spec.DROPPED_BESIDE_REF == []
