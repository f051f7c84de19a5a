"""`threadruns conformance` (first checks): 100% on the embedded server, and a known deviation reported."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import pytest

import threadruns
from threadruns._cli import main
from threadruns.conformance import check
from threadruns.server import RunsServer, Script, ToolCall


@pytest.fixture
def server() -> Iterator[RunsServer]:
    with RunsServer(auto_create=True, time_mode="realtime", tick=0.05) as running:
        running.add_assistant("asst_tools", script=Script.call_tools([ToolCall("get_weather", {"city": "Oslo"})]))
        yield running


def test_the_embedded_server_passes_every_check(server: RunsServer) -> None:
    with threadruns.Client(api_key="sk-test", base_url=server.url) as client:
        report = check(client, assistant_id="asst_conformance", tool_assistant_id="asst_tools")
    assert report.ok and not report.unsupported, report.table()
    assert len(report.results) >= 28
    checked = {(r.operation, r.check) for r in report.results}
    assert ("cancel", "the run ends cancelled") in checked
    assert ("submit_tool_outputs", "the run completes after the outputs") in checked
    assert ("list", "before= gives the runs before the cursor") in checked
    assert report.summary() == f"{len(report.results)} checks, 0 deviations, 0 not supported"


class NullModel(httpx.HTTPTransport):
    """The real server's answers, with every run's `model` set to null (a deviation real servers show)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if "json" not in response.headers.get("content-type", ""):
            return response
        response.read()
        body = json.loads(response.content)
        for item in [body, *(body.get("data") or [])] if isinstance(body, dict) else []:
            if isinstance(item, dict) and item.get("object") == "thread.run":
                item["model"] = None
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-encoding")}
        return httpx.Response(response.status_code, json=body, headers=headers, request=request)


def test_a_null_model_is_reported_as_a_deviation_with_what_clients_see(server: RunsServer) -> None:
    http = httpx.Client(transport=NullModel())
    with threadruns.Client(api_key="sk-test", base_url=server.url, http_client=http) as client:
        report = check(client, assistant_id="asst_conformance")
    http.close()
    assert not report.ok and [r.check for r in report.unsupported] == ["the tool path"]  # no tool assistant given
    first = report.deviations[0]
    assert first.operation == "create" and "RunObject.model: expected str, got null" in first.detail
    assert "APIResponseValidationError" in first.clients_see and "openai-python" in first.clients_see
    assert all("model" in d.detail for d in report.deviations if d.check == "answer matches the spec")


def test_the_command_prints_the_table_and_exits_by_the_outcome(server: RunsServer) -> None:
    out = io.StringIO()
    args = ["conformance", "--base-url", server.url, "--api-key", "sk-test", "--assistant", "asst_c"]
    code = main([*args, "--tool-assistant", "asst_tools"], out=out)
    assert code == 0 and out.getvalue().strip().endswith("0 deviations, 0 not supported")
    out = io.StringIO()
    code = main([*args, "--json"], out=out)  # without a tool assistant: that path is not supported, not a deviation
    report = json.loads(out.getvalue())
    assert code == 0 and report["summary"].endswith("0 deviations, 1 not supported")
    assert all(r["outcome"] == "pass" for r in report["results"] if r["operation"] != "submit_tool_outputs")
