"""A spec change reaches ``threadruns.Client`` through regeneration alone.

Each case applies one change to a copy of ``openapi/threads-runs.yaml`` (and, for facts the
spec cannot state, of ``openapi/trim.yaml``), regenerates into a temporary folder, and then
drives the public client from a fresh interpreter that imports the regenerated package in
place of the committed one. The regenerations run in parallel, once per session.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import regenerate
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "threads-runs.yaml"
TRIM = ROOT / "openapi" / "trim.yaml"
Json = Any


def _new_body_field(spec: Json, trim: Json) -> None:
    spec["components"]["schemas"]["CreateRunRequest"]["properties"]["service_tier"] = {
        "type": "string",
        "enum": ["auto", "flex"],
        "description": "Processing tier.",
    }


def _new_query_param(spec: Json, trim: Json) -> None:
    spec["paths"]["/threads/{thread_id}/runs"]["get"]["parameters"].append(
        {"name": "status", "in": "query", "schema": {"type": "string", "maxLength": 20}, "description": "Filter."}
    )


def _new_operation(spec: Json, trim: Json) -> None:
    cancel = spec["paths"]["/threads/{thread_id}/runs/{run_id}/cancel"]["post"]
    pause = copy.deepcopy(cancel)
    pause["operationId"] = "pauseRun"
    pause["summary"] = "Pause a run"
    spec["paths"]["/threads/{thread_id}/runs/{run_id}/pause"] = {"post": pause}


def _tightened(spec: Json, trim: Json) -> None:
    for param in spec["paths"]["/threads/{thread_id}/runs"]["get"]["parameters"]:
        if param["name"] == "limit":
            param["schema"]["maximum"] = 50
    spec["components"]["schemas"]["Metadata"]["maxProperties"] = 4


def _removed_field(spec: Json, trim: Json) -> None:
    del spec["components"]["schemas"]["CreateRunRequest"]["properties"]["top_p"]


def _new_stop_status(spec: Json, trim: Json) -> None:
    spec["components"]["schemas"]["RunStatus"]["enum"].append("paused")
    trim["poll_stop_statuses"].append("paused")


def _new_answer_field(spec: Json, trim: Json) -> None:
    spec["components"]["schemas"]["RunObject"]["properties"]["service_tier"] = {"type": ["string", "null"]}


def _new_enum_value(spec: Json, trim: Json) -> None:
    spec["components"]["schemas"]["ReasoningEffort"]["anyOf"][0]["enum"].append("ultra")


CHANGES: dict[str, Callable[[Json, Json], None]] = {
    "new_body_field": _new_body_field,
    "new_query_param": _new_query_param,
    "new_operation": _new_operation,
    "tightened": _tightened,
    "removed_field": _removed_field,
    "new_stop_status": _new_stop_status,
    "new_answer_field": _new_answer_field,
    "new_enum_value": _new_enum_value,
    "reshaped": lambda spec, trim: None,  # see _reshape: it goes through update-spec, as upstream would
}


def _reshape(spec: Json, trim: Json) -> Json:
    """The same API as upstream might spell it: RunStatus inline in RunObject, nullable fields as anyOf,
    then taken through update-spec against the committed document."""
    import update_spec

    upstream = copy.deepcopy(spec)
    schemas = upstream["components"]["schemas"]
    schemas["RunObject"]["properties"]["status"] = copy.deepcopy(schemas.pop("RunStatus"))
    for prop in schemas["CreateRunRequest"]["properties"].values():
        kind = prop.get("type")
        if isinstance(kind, list) and "null" in kind and len(kind) == 2:
            inner = {**prop, "type": next(k for k in kind if k != "null")}
            prop.clear()
            prop["anyOf"] = [inner, {"type": "null"}]
    return update_spec.build(upstream, trim, spec)


def _regenerate(name: str, base: Path) -> Path:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    trim = yaml.safe_load(TRIM.read_text(encoding="utf-8"))
    CHANGES[name](spec, trim)
    if name == "reshaped":
        spec = _reshape(spec, trim)
    folder = base / name
    folder.mkdir()
    (folder / "threads-runs.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    (folder / "trim.yaml").write_text(yaml.safe_dump(trim, sort_keys=False), encoding="utf-8")
    regenerate.generate(folder / "out", folder / "threads-runs.yaml", folder / "trim.yaml")
    return folder / "out"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("spec-changes")
    with ThreadPoolExecutor(max_workers=3) as pool:
        outs = dict(zip(CHANGES, pool.map(lambda name: _regenerate(name, base), CHANGES), strict=True))
    return outs


# Runs in the fresh interpreter: a client over a transport that records every request and answers
# as the API would, so the test sees exactly what was sent.
PRELUDE = """
import asyncio, json
import httpx
import threadruns, threadruns_api
RUN = {"id": "run_1", "object": "thread.run", "created_at": 1, "thread_id": "thread_1", "assistant_id": "asst_1",
       "status": STATUS, "required_action": None, "last_error": None, "expires_at": None, "started_at": None,
       "cancelled_at": None, "failed_at": None, "completed_at": None, "incomplete_details": None, "model": "m",
       "instructions": "", "tools": [], "metadata": {}, "usage": None, "temperature": 1, "top_p": 1,
       "max_prompt_tokens": None, "max_completion_tokens": None, "truncation_strategy": None,
       "tool_choice": "auto", "parallel_tool_calls": True, "response_format": "auto", "reasoning_effort": None}
sent = []
def handler(request):
    sent.append({"method": request.method, "path": request.url.path, "query": dict(request.url.params),
                 "body": json.loads(request.content) if request.content else None})
    if request.url.path.endswith("/runs") and request.method == "GET":
        return httpx.Response(200, json={"object": "list", "data": [RUN], "first_id": "run_1", "last_id": "run_1",
                                         "has_more": False})
    return httpx.Response(200, json=RUN)
client = threadruns.Client(api_key="k", base_url="http://127.0.0.1:9/v1",
                           http_client=httpx.Client(transport=httpx.MockTransport(handler)))
aclient = threadruns.AsyncClient(api_key="k", base_url="http://127.0.0.1:9/v1",
                                 http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
def refused(call):
    before = len(sent)
    try:
        call()
    except (TypeError, ValueError) as exc:
        assert len(sent) == before, "sent before refusing"
        return f"{type(exc).__name__}: {exc}"
    return None
"""


def _drive(out: Path, body: str, status: str = "completed") -> Json:
    """Run ``body`` against the regenerated package; it prints one JSON line, returned here."""
    code = f"STATUS = {status!r}\n" + PRELUDE + textwrap.dedent(body)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(out), str(ROOT / "src")])}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_regenerated_package_is_the_one_imported(regenerated: dict[str, Path]) -> None:
    out = regenerated["new_operation"]
    got = _drive(out, "print(json.dumps(threadruns_api.__file__))")
    assert got.startswith(str(out))


def test_a_new_optional_body_field_is_accepted_checked_and_sent(regenerated: dict[str, Path]) -> None:
    got = _drive(
        regenerated["new_body_field"],
        """
        client.runs.create("thread_1", assistant_id="asst_1", service_tier="flex")
        bad = refused(lambda: client.runs.create("thread_1", assistant_id="asst_1", service_tier="turbo"))
        print(json.dumps({"body": sent[0]["body"], "bad": bad}))
        """,
    )
    assert got["body"] == {"assistant_id": "asst_1", "service_tier": "flex"}
    assert got["bad"].startswith("ValueError: service_tier must be one of 'auto', 'flex'")


def test_a_new_query_parameter_is_accepted_checked_and_sent(regenerated: dict[str, Path]) -> None:
    got = _drive(
        regenerated["new_query_param"],
        """
        client.runs.list("thread_1", status="queued")
        bad = refused(lambda: client.runs.list("thread_1", status="q" * 21))
        print(json.dumps({"query": sent[0]["query"], "bad": bad}))
        """,
    )
    assert got["query"] == {"status": "queued"}
    assert got["bad"] == "ValueError: status must be at most 20 characters long, got 21"


def test_a_new_operation_is_a_method_sync_and_async(regenerated: dict[str, Path]) -> None:
    got = _drive(
        regenerated["new_operation"],
        """
        run = client.beta.threads.runs.pause_run("run_1", thread_id="thread_1")
        arun = asyncio.run(aclient.beta.threads.runs.pause_run("run_1", thread_id="thread_1"))
        raw = client.runs.with_raw_response.pause_run("run_1", thread_id="thread_1")
        print(json.dumps({"sent": [(s["method"], s["path"]) for s in sent], "ids": [run.id, arun.id],
                          "raw": raw.status_code}))
        """,
    )
    assert got["sent"] == [["POST", "/v1/threads/thread_1/runs/run_1/pause"]] * 3
    assert got["ids"] == ["run_1", "run_1"]
    assert got["raw"] == 200


def test_tightened_constraints_are_enforced_before_sending(regenerated: dict[str, Path]) -> None:
    got = _drive(
        regenerated["tightened"],
        """
        limit = refused(lambda: client.runs.list("thread_1", limit=60))
        metadata = refused(lambda: client.runs.update("run_1", thread_id="thread_1",
                                                      metadata={str(i): "v" for i in range(5)}))
        client.runs.list("thread_1", limit=50)
        print(json.dumps({"limit": limit, "metadata": metadata, "sent": len(sent)}))
        """,
    )
    assert got["limit"] == "ValueError: limit must be between 1 and 50, got 60"
    assert got["metadata"] == "ValueError: metadata may have at most 4 keys, got 5"
    assert got["sent"] == 1


def test_a_removed_field_is_a_type_error_everywhere(regenerated: dict[str, Path]) -> None:
    got = _drive(
        regenerated["removed_field"],
        """
        create = refused(lambda: client.runs.create("thread_1", assistant_id="asst_1", top_p=0.5))
        helper = refused(lambda: client.runs.create_and_poll(thread_id="thread_1", assistant_id="asst_1", top_p=0.5))
        stream = refused(lambda: client.runs.stream(thread_id="thread_1", assistant_id="asst_1", top_p=0.5))
        print(json.dumps({"create": create, "helper": helper, "stream": stream, "sent": len(sent)}))
        """,
    )
    assert "top_p" in got["create"] and got["create"].startswith("TypeError")
    assert "top_p" in got["helper"] and got["helper"].startswith("TypeError")
    assert "top_p" in got["stream"] and got["stream"].startswith("TypeError")
    assert got["sent"] == 0


def test_a_new_status_that_ends_a_run_stops_polling(regenerated: dict[str, Path]) -> None:
    got = _drive(
        regenerated["new_stop_status"],
        """
        run = client.runs.poll("run_1", "thread_1", poll_timeout=5)
        print(json.dumps({"status": str(run.status), "polls": len(sent)}))
        """,
        status="paused",
    )
    assert got == {"status": "paused", "polls": 1}


def test_the_committed_surface_does_not_stop_at_an_unlisted_status() -> None:
    """The control case: without the trim.yaml fact, ``paused`` is not a status at which polling returns."""
    from threadruns_api.resources._operations import POLL_STOP_STATUSES

    assert "paused" not in POLL_STOP_STATUSES
    assert {"completed", "requires_action"} <= POLL_STOP_STATUSES


def _surface_changes(out: Path) -> list[str]:
    return regenerate.surface_changes(json.loads((ROOT / "generated" / "public-api.json").read_text()), out)


def test_the_public_api_diff_marks_a_removed_argument_as_breaking(regenerated: dict[str, Path]) -> None:
    changes = _surface_changes(regenerated["removed_field"])
    assert "BREAKING threadruns.Client.beta.threads.runs.create: parameter 'top_p' removed" in changes
    assert "BREAKING threadruns.AsyncClient.runs.create: parameter 'top_p' removed" in changes
    assert not [line for line in changes if "top_p" not in line and "TopP" not in line], changes


def test_the_public_api_diff_shows_additions_as_compatible(regenerated: dict[str, Path]) -> None:
    field = _surface_changes(regenerated["new_body_field"])
    assert "         threadruns.Client.runs.create: parameter 'service_tier' added" in field
    assert not [line for line in field if line.startswith("BREAKING")], field
    operation = _surface_changes(regenerated["new_operation"])
    assert "         threadruns.Client.beta.threads.runs.pause_run: added (function)" in operation
    assert not [line for line in operation if line.startswith("BREAKING")], operation


def test_public_names_and_signatures_match_the_committed_snapshot() -> None:
    """generated/public-api.json is the reviewed surface: `make regenerate` rewrites it, this keeps it honest."""
    import public_api

    current = public_api.collect_isolated(ROOT / "src", ROOT / "generated")
    committed = json.loads((ROOT / "generated" / "public-api.json").read_text())
    assert public_api.diff(committed, current) == []
    assert "threadruns.Client.beta.threads.messages.list" in current
    assert current["threadruns.Client.runs.retrieve"]["params"][:2] == [
        ["run_id", "positional or keyword", "str", None],
        ["thread_id", "keyword-only", "str", None],
    ]


SNIPPET = """
import threadruns

client = threadruns.Client(api_key="k")
run = client.runs.create("thread_1", assistant_id="asst_1", {argument})
run = client.runs.create_and_poll(thread_id="thread_1", assistant_id="asst_1", {argument})
print(run.status)
"""


def _mypy(tmp_path: Path, package: Path, argument: str) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on a user's snippet, against the given generated package."""
    snippet = tmp_path / f"user_{abs(hash((package, argument)))}.py"
    snippet.write_text(SNIPPET.format(argument=argument), encoding="utf-8")
    env = {**os.environ, "MYPYPATH": os.pathsep.join([str(package), str(ROOT / "src")])}
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull, str(snippet)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)


def test_mypy_accepts_a_new_argument_only_once_the_spec_has_it(regenerated: dict[str, Path], tmp_path: Path) -> None:
    accepted = _mypy(tmp_path, regenerated["new_body_field"], 'service_tier="flex"')
    assert accepted.returncode == 0, accepted.stdout
    before = _mypy(tmp_path, ROOT / "generated", 'service_tier="flex"')
    assert before.returncode == 1
    assert 'Unexpected keyword argument "service_tier"' in before.stdout


def test_mypy_rejects_a_removed_argument(regenerated: dict[str, Path], tmp_path: Path) -> None:
    assert _mypy(tmp_path, ROOT / "generated", "top_p=0.5").returncode == 0
    removed = _mypy(tmp_path, regenerated["removed_field"], "top_p=0.5")
    assert removed.returncode == 1
    assert 'Unexpected keyword argument "top_p"' in removed.stdout


def test_a_new_answer_field_is_typed_and_kept(regenerated: dict[str, Path]) -> None:
    got = _drive(
        regenerated["new_answer_field"],
        """
        RUN["service_tier"] = "flex"
        run = client.runs.retrieve("run_1", thread_id="thread_1")
        print(json.dumps({"tier": run.service_tier, "dumped": run.to_dict()["service_tier"],
                          "extra": "service_tier" in run.additional_properties}))
        """,
    )
    assert got == {"tier": "flex", "dumped": "flex", "extra": False}


def test_a_new_request_enum_value_is_accepted_only_once_the_spec_has_it(regenerated: dict[str, Path]) -> None:
    body = """
        bad = refused(lambda: client.runs.create("thread_1", assistant_id="asst_1", reasoning_effort="ultra"))
        print(json.dumps({"bad": bad, "sent": [s["body"] for s in sent]}))
        """
    got = _drive(regenerated["new_enum_value"], body)
    assert got == {"bad": None, "sent": [{"assistant_id": "asst_1", "reasoning_effort": "ultra"}]}
    committed = _drive(ROOT / "generated", body)
    assert committed["bad"].startswith("ValueError: reasoning_effort must be one of")
    assert committed["sent"] == []


def test_a_reshaped_upstream_schema_changes_nothing_public(regenerated: dict[str, Path]) -> None:
    """Upstream spelling RunStatus inline and nullables as anyOf: the same public names and signatures,
    and the semantic spec diff is empty."""
    import spec_diff

    out = regenerated["reshaped"]
    assert _surface_changes(out) == []
    reshaped = yaml.safe_load((out / "threadruns_api" / "openapi.yaml").read_text(encoding="utf-8"))
    assert spec_diff.diff(yaml.safe_load(SPEC.read_text(encoding="utf-8")), reshaped) == []
