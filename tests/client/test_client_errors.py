"""Error statuses map to typed exceptions; unusable 2xx bodies raise APIResponseValidationError."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from client_testkit import Driver, assert_exception_secret_free, error_body, json_response, list_payload, run_payload

import threadruns

STATUS_CLASSES: list[tuple[int, type[threadruns.APIStatusError]]] = [
    (400, threadruns.BadRequestError),
    (401, threadruns.AuthenticationError),
    (403, threadruns.PermissionDeniedError),
    (404, threadruns.NotFoundError),
    (409, threadruns.ConflictError),
    (422, threadruns.UnprocessableEntityError),
    (429, threadruns.RateLimitError),
    (500, threadruns.InternalServerError),
    (502, threadruns.InternalServerError),
    (503, threadruns.InternalServerError),
    (504, threadruns.InternalServerError),
    (418, threadruns.APIStatusError),
]


@pytest.mark.parametrize(("status", "error_class"), STATUS_CLASSES, ids=[str(s) for s, _ in STATUS_CLASSES])
def test_status_maps_to_its_exception_class(
    driver: Driver, status: int, error_class: type[threadruns.APIStatusError]
) -> None:
    """With max_retries=0 one request is made and the status raises exactly its class, with the body's details."""
    body = error_body(
        "No run found with id 'run_1'.", type_="invalid_request_error", code="run_not_found", param="run_id"
    )
    driver.client(
        lambda request: json_response(body, status=status, headers={"x-request-id": "req_abc123"}), max_retries=0
    )
    with pytest.raises(threadruns.APIStatusError) as info:
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    exc = info.value
    assert type(exc) is error_class
    assert isinstance(exc, threadruns.APIError)
    assert isinstance(exc, threadruns.ThreadRunsError)
    assert len(driver.requests) == 1
    assert exc.status_code == status
    assert exc.request_id == "req_abc123"
    assert "No run found with id 'run_1'." in exc.message
    assert str(status) in exc.message
    assert str(exc) == exc.message
    assert (exc.code, exc.param, exc.type) == ("run_not_found", "run_id", "invalid_request_error")
    assert exc.body == body
    assert exc.response.status_code == status
    assert exc.request is not None
    assert exc.request.url.path == "/v1/threads/thread_1/runs/run_1"
    assert_exception_secret_free(exc)


def test_error_without_request_id_header_has_none(driver: Driver) -> None:
    """request_id is None when the server sends no x-request-id."""
    driver.client(lambda request: json_response(error_body("bad"), status=400))
    with pytest.raises(threadruns.BadRequestError) as info:
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert info.value.request_id is None
    assert info.value.code is None
    assert info.value.param is None


@pytest.mark.parametrize(
    ("status", "content", "content_type", "error_class", "expected_text"),
    [
        (502, b"<html><body>Bad Gateway</body></html>", "text/html", threadruns.InternalServerError, "Bad Gateway"),
        (500, b"upstream exploded", "text/plain", threadruns.InternalServerError, "upstream exploded"),
        (404, b"{not json", "application/json", threadruns.NotFoundError, "{not json"),
        (401, b"", "", threadruns.AuthenticationError, "Unauthorized"),
        (400, b"\xff\xfe\xfa", "application/octet-stream", threadruns.BadRequestError, "400"),
    ],
    ids=["html-502", "text-500", "broken-json-404", "empty-401", "binary-400"],
)
def test_non_json_error_body_still_gives_typed_error(
    driver: Driver, status: int, content: bytes, content_type: str, error_class: type[Exception], expected_text: str
) -> None:
    """An error whose body is not an OpenAI error object still raises the typed class with a useful message."""
    headers = {"content-type": content_type} if content_type else {}
    driver.client(lambda request: httpx.Response(status, content=content, headers=headers), max_retries=0)
    with pytest.raises(threadruns.APIStatusError) as info:
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    exc = info.value
    assert type(exc) is error_class
    assert exc.status_code == status
    assert expected_text in exc.message
    assert exc.code is None
    assert_exception_secret_free(exc)


def test_long_non_json_error_body_is_truncated_in_the_message(driver: Driver) -> None:
    """A huge non-JSON error body does not end up whole in the exception message."""
    driver.client(lambda request: httpx.Response(500, content=b"x" * 100_000, headers={"content-type": "text/plain"}))
    with pytest.raises(threadruns.InternalServerError) as info:
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1", max_retries=0))
    assert len(info.value.message) < 1000


def test_errors_on_post_operations_are_typed_too(driver: Driver) -> None:
    """create/cancel/submit_tool_outputs map error statuses the same way as GETs."""
    driver.client(lambda request: json_response(error_body("Run is not active."), status=409), max_retries=0)
    for op in (
        lambda c: c.runs.create("thread_1", assistant_id="asst_1"),
        lambda c: c.runs.cancel("run_1", thread_id="thread_1"),
        lambda c: c.runs.submit_tool_outputs(
            "run_1", thread_id="thread_1", tool_outputs=[{"tool_call_id": "x", "output": "y"}]
        ),
    ):
        with pytest.raises(threadruns.ConflictError, match="Run is not active"):
            driver.call(op)
    assert len(driver.requests) == 3


# ----------------------------------------------------------------------------- unusable 2xx bodies

INVALID_RUN_BODIES: list[tuple[str, bytes, str]] = [
    ("invalid-json", b'{"id": "run_1", ', "application/json"),
    ("html", b"<!doctype html><html><body>Welcome</body></html>", "text/html; charset=utf-8"),
    ("json-array", b'[{"id": "run_1"}]', "application/json"),
    ("json-string", b'"run_1"', "application/json"),
    ("json-null", b"null", "application/json"),
    ("empty", b"", "application/json"),
    ("not-utf8", b"\xff\xfe\xfa", "application/json"),
]


@pytest.mark.parametrize(
    ("content", "content_type"), [c[1:] for c in INVALID_RUN_BODIES], ids=[c[0] for c in INVALID_RUN_BODIES]
)
def test_unusable_2xx_body_raises_validation_error(driver: Driver, content: bytes, content_type: str) -> None:
    """A 200 whose body is not a JSON object raises APIResponseValidationError (not JSONDecodeError/KeyError)."""
    driver.client(lambda request: httpx.Response(200, content=content, headers={"content-type": content_type}))
    with pytest.raises(threadruns.APIResponseValidationError) as info:
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert info.value.status_code == 200
    assert isinstance(info.value, threadruns.APIError)
    assert len(driver.requests) == 1  # a 2xx is never retried
    assert_exception_secret_free(info.value)


def test_a_missing_key_with_a_spec_default_reads_as_that_default(driver: Driver) -> None:
    """Compatible servers often omit parallel_tool_calls; the spec gives it a default of true, so the run
    parses (lenient where the spec is), and to_dict() writes the default back."""
    payload = run_payload()
    del payload["parallel_tool_calls"]
    driver.client(lambda request: json_response(payload))
    run = driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert run.parallel_tool_calls is True
    assert run.to_dict()["parallel_tool_calls"] is True
    assert "parallel_tool_calls" not in run.additional_properties


def test_a_missing_list_with_a_spec_default_reads_as_a_new_empty_list(driver: Driver) -> None:
    """The spec gives RunObject.tools the default []: a run without the key has no tools, not an error."""
    payload = run_payload()
    del payload["tools"]
    driver.client(lambda request: json_response(payload))
    first = driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    second = driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert first.tools == [] and first.to_dict()["tools"] == []
    assert first.tools is not second.tools  # one list per run, never a shared default


def test_instructions_may_be_null_as_the_api_sends_it(driver: Driver) -> None:
    """openapi/trim.yaml states the API's own departure from its schema: a run without instructions has null."""
    driver.client(lambda request: json_response(run_payload(instructions=None)))
    run = driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert run.instructions is None and run.to_dict()["instructions"] is None


@pytest.mark.parametrize("missing", ["status", "id", "created_at", "model"])
def test_run_missing_a_required_key_raises_validation_error(driver: Driver, missing: str) -> None:
    """A RunObject without a required key raises APIResponseValidationError naming the key."""
    payload = run_payload()
    del payload[missing]
    driver.client(lambda request: json_response(payload))
    with pytest.raises(threadruns.APIResponseValidationError, match=missing) as info:
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert not isinstance(info.value, KeyError)
    assert info.value.body == payload


def test_run_with_wrong_field_types_raises_validation_error(driver: Driver) -> None:
    """A RunObject with a non-string status raises APIResponseValidationError."""
    driver.client(lambda request: json_response(run_payload(status=7)))
    with pytest.raises(threadruns.APIResponseValidationError):
        driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tools": "none"}, r"RunObject\.tools: expected a list, got str"),
        ({"tools": {"type": "code_interpreter"}}, r"RunObject\.tools: expected a list, got an object"),
    ],
    ids=["list-as-str", "list-as-object"],
)
def test_a_list_field_of_the_wrong_json_type_is_refused(driver: Driver, change: dict[str, Any], message: str) -> None:
    """A string is never iterated into a list of characters."""
    driver.client(lambda request: json_response(run_payload(**change)))
    with pytest.raises(threadruns.APIResponseValidationError, match=message):
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"created_at": "yesterday"}, r"created_at: expected int, got str"),
        ({"created_at": True}, r"created_at: expected int, got bool"),
        ({"parallel_tool_calls": "yes"}, r"parallel_tool_calls: expected bool, got str"),
        ({"model": None}, r"model: expected str, got null"),
        ({"thread_id": 7}, r"thread_id: expected str, got int"),
        ({"temperature": "hot"}, r"temperature: expected float \| None, got str"),
        ({"expires_at": False}, r"expires_at: expected int \| None, got bool"),
    ],
    ids=[
        "int-as-str",
        "int-as-bool",
        "bool-as-str",
        "null-not-nullable",
        "str-as-int",
        "nullable-float",
        "nullable-int",
    ],
)
def test_a_scalar_field_of_the_wrong_json_type_is_refused(driver: Driver, change: dict[str, Any], message: str) -> None:
    """Typed or error: a run whose created_at is "yesterday" is not passed on as a RunObject."""
    driver.client(lambda request: json_response(run_payload(**change)))
    with pytest.raises(threadruns.APIResponseValidationError, match=r"^RunObject\." + message):
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tools": [{"type": "function"}]}, r"RunObject\.tools\[0\]\.function: missing required key"),
        ({"tools": [{"function": {"name": "f"}}]}, r"RunObject\.tools\[0\]\.type: expected a str tag, got null"),
        ({"tools": [7]}, r"RunObject\.tools\[0\]: expected an object, got int"),
        ({"usage": "x"}, r"expected None \| RunCompletionUsage, got str"),
        ({"metadata": {"k": 7}}, r"RunObject\.metadata\['k'\]: expected str, got int"),
    ],
    ids=["known-tag-bad-body", "missing-tag", "not-an-object", "nullable-object-as-str", "map-value-int"],
)
def test_a_union_value_no_member_accepts_is_refused(driver: Driver, change: dict[str, Any], message: str) -> None:
    """A known tag with a bad body, a missing tag, or a value of no member's type is garbage: the parse raises."""
    driver.client(lambda request: json_response(run_payload(**change)))
    with pytest.raises(threadruns.APIResponseValidationError, match=message):
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))


def test_an_unknown_union_tag_is_kept_as_sent(driver: Driver) -> None:
    """Forward compatible: a tool type this client does not know yet is kept raw and written back unchanged."""
    new_tool = {"type": "web_browser", "web_browser": {"depth": 2}}
    driver.client(lambda request: json_response(run_payload(tools=[new_tool])))
    run = driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert run.tools == [new_tool]
    assert run.to_dict()["tools"] == [new_tool]


def test_a_number_field_takes_an_integral_json_number() -> None:
    """JSON has one number type: 1 is a valid value for a float field, and stays as sent."""
    from threadruns.types import FileSearchRankingOptions

    assert FileSearchRankingOptions.from_dict({"score_threshold": 1}).score_threshold == 1
    assert FileSearchRankingOptions.from_dict({"score_threshold": 0.5}).score_threshold == 0.5
    with pytest.raises(TypeError, match="score_threshold: expected float, got bool"):
        FileSearchRankingOptions.from_dict({"score_threshold": True})


def test_a_model_is_never_built_from_a_list_of_pairs(driver: Driver) -> None:
    """dict() would accept [["id", ...], ...]; a page item that is not a JSON object is refused."""
    pairs = [list(item) for item in run_payload().items()]
    driver.client(lambda request: json_response(list_payload([run_payload()], has_more=False) | {"data": [pairs]}))
    expected = r"ListRunsResponse\.data\[0\]: expected an object, got a list"
    with pytest.raises(threadruns.APIResponseValidationError, match=expected):
        driver.first_page(lambda c: c.runs.list("thread_1"))


def test_step_missing_a_required_key_raises_validation_error(driver: Driver) -> None:
    """A RunStepObject without step_details raises APIResponseValidationError."""
    payload: dict[str, Any] = {"id": "step_1", "object": "thread.run.step"}
    driver.client(lambda request: json_response(payload))
    with pytest.raises(threadruns.APIResponseValidationError):
        driver.call(lambda c: c.runs.steps.retrieve("step_1", thread_id="thread_1", run_id="run_1"))


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "list", "data": [run_payload()], "first_id": "run_0001", "last_id": "run_0001"},
        {"object": "list", "data": None, "first_id": None, "last_id": None, "has_more": False},
        {"object": "list", "data": [{"object": "thread.run"}], "first_id": None, "last_id": None, "has_more": False},
        [run_payload()],
    ],
    ids=["no-has_more", "data-null", "item-without-id", "bare-array"],
)
def test_malformed_list_page_raises_validation_error(driver: Driver, payload: Any) -> None:
    """A list response that is not a valid page raises APIResponseValidationError on the first page."""
    driver.client(lambda request: json_response(payload))
    with pytest.raises(threadruns.APIResponseValidationError):
        driver.first_page(lambda c: c.runs.list("thread_1"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"has_more": "false"}, r"ListRunsResponse\.has_more: expected bool, got str"),
        ({"has_more": 1}, r"ListRunsResponse\.has_more: expected bool, got int"),
        ({"first_id": 7}, r"ListRunsResponse\.first_id: expected None \| str, got int"),
        ({"data": [run_payload(id="run 1")]}, r"ListRunsResponse\.data\[0\]\.id: must not contain whitespace"),
    ],
    ids=["has_more-str", "has_more-int", "first_id-int", "item-id-with-space"],
)
def test_a_page_whose_walk_fields_are_garbage_names_the_field_and_fetches_nothing_more(
    driver: Driver, change: dict[str, Any], message: str
) -> None:
    """has_more is never coerced (bool("false") is True), and an item id is checked as retrieve checks it:
    the error names the page's field, not an `after` argument the caller never gave."""
    payload = {**list_payload([run_payload()], has_more=True), **change}
    driver.client(lambda request: json_response(payload))
    with pytest.raises(threadruns.APIResponseValidationError, match=message):
        driver.collect(lambda c: c.runs.list("thread_1"))
    assert len(driver.requests) == 1


def test_malformed_second_page_raises_validation_error_during_iteration(driver: Driver) -> None:
    """A broken later page raises APIResponseValidationError from the iteration, not a raw KeyError."""
    pages = [
        json_response(list_payload([run_payload(id="run_a")], has_more=True)),
        httpx.Response(200, content=b"<html>maintenance</html>", headers={"content-type": "text/html"}),
    ]
    driver.client(lambda request: pages.pop(0))
    with pytest.raises(threadruns.APIResponseValidationError):
        driver.collect(lambda c: c.runs.list("thread_1"))


DEEP_JSON = b'{"error": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def test_deeply_nested_2xx_body_raises_validation_error(driver: Driver) -> None:
    """A 200 whose JSON nests too deeply to decode raises APIResponseValidationError."""
    driver.client(lambda request: httpx.Response(200, content=DEEP_JSON, headers={"content-type": "application/json"}))
    with pytest.raises(threadruns.APIResponseValidationError):
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))


def test_deeply_nested_error_body_still_gives_typed_error(driver: Driver) -> None:
    """A 500 whose JSON nests too deeply to decode still raises InternalServerError."""
    driver.client(
        lambda request: httpx.Response(500, content=DEEP_JSON, headers={"content-type": "application/json"}),
        max_retries=0,
    )
    with pytest.raises(threadruns.InternalServerError):
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
