"""Checks every test applies: spec validation of responses and event streams, SSE parsing.

Every response a test receives through ``client`` passes through :func:`check_response`: it must carry an
``x-request-id``, and its JSON body must be valid for its operation and status according to the spec
(openapi-core response validation; error bodies against ErrorResponse). Event streams are checked event by
event with :func:`read_events`.

Validation uses the spec exactly as shipped (``threadruns_api/openapi.yaml``).
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound, ServerNotFound
from openapi_schema_validator import OAS31Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from threadruns.server import RunsServer

API_KEY = "sk-test-key"
REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")


def _load_spec() -> dict[str, Any]:
    text = (importlib.resources.files("threadruns_api") / "openapi.yaml").read_text(encoding="utf-8")
    spec: dict[str, Any] = yaml.safe_load(text)
    return spec


RAW_SPEC = _load_spec()


def validating_spec() -> dict[str, Any]:
    """A copy of the shipped spec, for validators that adjust servers."""
    return copy.deepcopy(RAW_SPEC)


SPEC = validating_spec()
_OPENAPI: dict[str, OpenAPI] = {}


def openapi_for(prefix: str) -> OpenAPI:
    """openapi-core over the validating spec, with the server URL set to ``prefix``."""
    if prefix not in _OPENAPI:
        spec = copy.deepcopy(SPEC)
        spec["servers"] = [{"url": prefix or "/"}]
        _OPENAPI[prefix] = OpenAPI.from_dict(spec)
    return _OPENAPI[prefix]


def schema_errors(component: str, value: Any) -> list[str]:
    """Messages of every way ``value`` breaks ``#/components/schemas/<component>``."""
    validator = OAS31Validator({"$ref": f"#/components/schemas/{component}", "components": SPEC["components"]})
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(value)]


def assert_valid(component: str, value: Any) -> None:
    """Fail unless ``value`` is valid against the spec's ``component`` schema."""
    errors = schema_errors(component, value)
    assert not errors, f"not a valid {component}: {errors}\n{json.dumps(value, indent=1)[:2000]}"


@dataclass
class _Request:
    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    body: bytes | None = None
    content_type: str = "application/json"


@dataclass
class _Response:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes | None


@dataclass
class ResponseLog:
    """What :func:`check_response` saw, so a test can assert it validated something."""

    validated: int = 0
    statuses: list[int] = field(default_factory=list)


def check_response(response: httpx.Response, prefix: str, log: ResponseLog) -> None:
    """Assert ``x-request-id`` and validate the body against the spec (streams are left to read_events)."""
    assert REQUEST_ID.fullmatch(response.headers.get("x-request-id", "")), response.headers
    log.statuses.append(response.status_code)
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/event-stream"):
        return
    response.read()
    assert content_type.startswith("application/json"), f"{response.status_code} {content_type}"
    body = response.json()
    request = response.request
    url = request.url
    oc_request = _Request(
        host_url=f"{url.scheme}://{url.netloc.decode()}",
        path=url.path,
        method=request.method.lower(),
        parameters=RequestParameters(query=ImmutableMultiDict(list(url.params.multi_items()))),
    )
    oc_response = _Response(
        response.status_code, content_type, Headers(list(response.headers.items())), response.content
    )
    try:
        openapi_for(prefix).validate_response(oc_request, oc_response)
    except (PathNotFound, OperationNotFound, ServerNotFound):
        assert response.status_code in (404, 405)
        assert_valid("ErrorResponse", body)
    if response.status_code >= 400:
        assert body["error"]["type"], body
    log.validated += 1


def make_client(server: RunsServer, log: ResponseLog, *, api_key: str | None = API_KEY) -> httpx.Client:
    """An httpx client for ``server`` whose every response goes through :func:`check_response`."""
    headers = {"OpenAI-Beta": "assistants=v2"}
    if api_key is not None:
        headers["Authorization"] = f"Bearer {api_key}"
    return httpx.Client(
        base_url=server.url,
        headers=headers,
        timeout=10.0,
        event_hooks={"response": [lambda response: check_response(response, server.prefix, log)]},
    )


# Event streams ------------------------------------------------------------------------------------------

EVENT_SCHEMAS: list[tuple[str, str]] = [
    ("thread.run.step.delta", "RunStepDeltaObject"),
    ("thread.run.step.", "RunStepObject"),
    ("thread.run.", "RunObject"),
    ("thread.message.delta", "MessageDeltaObject"),
    ("thread.message.", "MessageObject"),
    ("error", "Error"),
]


def parse_events(text: str) -> list[tuple[str, Any]]:
    """Split an SSE body into ``(event, data)``; ``data`` is parsed JSON, or the raw string ``[DONE]``."""
    events: list[tuple[str, Any]] = []
    for frame in text.split("\n\n"):
        if not frame.strip():
            continue
        lines = dict(line.split(": ", 1) for line in frame.split("\n"))
        assert set(lines) == {"event", "data"}, frame
        data = lines["data"]
        events.append((lines["event"], data if data == "[DONE]" else json.loads(data)))
    return events


def read_events(response: httpx.Response) -> list[tuple[str, Any]]:
    """Read a whole event stream and validate every payload against the schema its event name implies."""
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    text = response.read().decode()
    assert text.endswith("\n\n") or not text
    events = parse_events(text)
    for name, data in events:
        if name == "done":
            assert data == "[DONE]"
            continue
        component = next((schema for prefix, schema in EVENT_SCHEMAS if name.startswith(prefix)), None)
        assert component is not None, f"unexpected event {name}"
        assert_valid(component, data)
    return events


def names(events: list[tuple[str, Any]]) -> list[str]:
    """Just the event names."""
    return [name for name, _ in events]
