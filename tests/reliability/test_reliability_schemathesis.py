"""Server-side bad input: schemathesis against the live embedded server, derandomized.

* Stateful: a state machine over createRun -> getRun -> cancelRun (and modifyRun, listRunSteps), driven by
  OpenAPI links added to a private copy of the spec. Checks: no 5xx, spec-conformant status codes, content
  types and bodies, use-after-free / resource availability, auth enforced, and every 4xx in OpenAI's
  error shape ``{"error": {"message", "type", "param", "code"}}``.
* Stateless negative cases for every operation with the same error-shape check.

``test_schemathesis.py`` in tests/server covers stateless positive/negative conformance in depth; this
module adds the stateful sequences and the strict error shape.
"""

from __future__ import annotations

import copy
import importlib.resources
from collections import Counter
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from reliability_kit import FIGURES
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from threadruns.server import RunsServer, Script, ToolCall

SERVER_KEY = "sk-stateful-Q8w2Lr5t"
SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {"event": {"type": "string"}, "data": {"type": "string"}},
}
ERROR_FIELDS = {"message", "type", "param", "code"}


def _spec_with_links() -> dict[str, Any]:
    text = (importlib.resources.files("threadruns_api") / "openapi.yaml").read_text(encoding="utf-8")
    spec: dict[str, Any] = copy.deepcopy(yaml.safe_load(text))
    operations = {}
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                operations[operation["operationId"]] = operation
                for response in operation.get("responses", {}).values():
                    stream = response.get("content", {}).get("text/event-stream")
                    if stream is not None:  # schemathesis reads this as the schema of one parsed event
                        stream["schema"] = SSE_EVENT
    same_run = {"thread_id": "$request.path.thread_id", "run_id": "$response.body#/id"}
    operations["createRun"]["responses"]["200"]["links"] = {
        "GetRun": {"operationId": "getRun", "parameters": same_run},
        "CancelRun": {"operationId": "cancelRun", "parameters": same_run},
        "ModifyRun": {"operationId": "modifyRun", "parameters": same_run},
        "ListRunSteps": {"operationId": "listRunSteps", "parameters": same_run},
    }
    operations["getRun"]["responses"]["200"]["links"] = {
        "CancelRun": {"operationId": "cancelRun", "parameters": same_run},
    }
    operations["cancelRun"]["responses"]["200"]["links"] = {
        "GetRun": {"operationId": "getRun", "parameters": same_run},
    }
    return spec


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx body is exactly ``{"error": {message, type, param, code}}`` with a non-empty message."""
    if not 400 <= response.status_code < 500:
        return None
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, f"{response.status_code} body is not an error: {body}"
    error = body["error"]
    assert isinstance(error, dict) and set(error) == ERROR_FIELDS, f"error fields: {error}"
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["type"], str) and error["type"], error
    assert error["param"] is None or isinstance(error["param"], str), error
    assert error["code"] is None or isinstance(error["code"], str), error
    assert SERVER_KEY not in response.text
    return None


CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
    openapi_checks.ignored_auth,
    error_shape,
]


@pytest.mark.scenario("input.server-stateful")
def test_stateful_run_lifecycle_never_5xx_and_errors_keep_their_shape() -> None:
    schema = schemathesis.openapi.from_dict(_spec_with_links())
    calls: Counter[tuple[str, int]] = Counter()
    with RunsServer(api_key=SERVER_KEY, auto_create=True, id_seed=11) as server:
        # Explicit credentials (config headers): ignored_auth then probes without and with a wrong key.
        schema.config.update(base_url=server.url, headers={"Authorization": f"Bearer {SERVER_KEY}"})
        base = schema.as_state_machine()

        class Machine(base):  # type: ignore[misc, valid-type]
            def setup(self) -> None:
                # Every scenario starts from empty state: the answers (a second run on a busy thread is a 400)
                # then depend only on the scenario's own steps, so hypothesis can replay it.
                server.reset()
                server.add_assistant("asst_tools", script=Script.call_tools([ToolCall("lookup", {"q": "x"})]))

            def after_call(self, response: Any, case: Any) -> None:
                super().after_call(response, case)
                calls[(case.operation.label, response.status_code)] += 1

            def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder)

        Machine.run(
            settings=settings(
                derandomize=True,
                database=None,
                deadline=None,
                max_examples=40,
                stateful_step_count=8,
                suppress_health_check=list(HealthCheck),
            )
        )
    statuses = Counter[int]()
    for (_, status), count in calls.items():
        statuses[status] += count
    total = sum(calls.values())
    FIGURES.set("input.schemathesis_stateful_steps", total)
    FIGURES.set("input.schemathesis_statuses", dict(sorted(statuses.items())))
    assert total >= 100, calls
    assert not [key for key in calls if key[1] >= 500], calls
    followed = {label for (label, status) in calls if status == 200}
    assert {"POST /threads/{thread_id}/runs", "GET /threads/{thread_id}/runs/{run_id}"} <= followed, calls
    assert "POST /threads/{thread_id}/runs/{run_id}/cancel" in followed, calls


@pytest.mark.scenario("input.server-stateful")
def test_negative_requests_get_openai_shaped_4xx() -> None:
    schema = schemathesis.openapi.from_dict(_spec_with_links())
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    with RunsServer(api_key=SERVER_KEY, auto_create=True, id_seed=12) as server:
        thread_id = server.add_thread("thread_neg", messages=["Hi"])
        for result in schema.get_all_operations():
            operation = result.ok()
            strategy = operation.as_strategy(
                generation_mode=schemathesis.GenerationMode.NEGATIVE, path_parameters={"thread_id": thread_id}
            )

            @settings(
                derandomize=True, max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck)
            )
            @given(case=strategy)
            def check(case: schemathesis.Case) -> None:
                response = case.call(base_url=server.url, headers={"Authorization": f"Bearer {SERVER_KEY}"})
                statuses[response.status_code] += 1
                case.validate_response(response, checks=[not_a_server_error, error_shape])

            try:
                check()
            except Exception as error:  # every operation runs; failures are reported together
                failures.append(f"{operation.label}: {error}")
    FIGURES.set("input.schemathesis_negative_cases", sum(statuses.values()))
    assert not failures, "\n\n".join(failures)
    assert not [status for status in statuses if status >= 500], statuses
    assert statuses[400] > 0
