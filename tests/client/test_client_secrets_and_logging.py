"""The API key never shows up in reprs, exceptions or logs; debug logs redact Authorization."""

from __future__ import annotations

import logging

import httpx
import pytest
from client_testkit import (
    Driver,
    Handler,
    assert_exception_secret_free,
    assert_secret_free,
    closed_port,
    error_body,
    json_response,
    run_payload,
    sequence,
)

import threadruns


def test_client_repr_hides_the_key(driver: Driver) -> None:
    """repr() and str() of a client show the base URL but not the key."""
    client = driver.client(lambda request: json_response(run_payload()))
    assert_secret_free([repr(client), str(client), f"{client!r}"])
    assert "127.0.0.1" in repr(client)


def test_raw_response_repr_hides_the_key(driver: Driver) -> None:
    """APIResponse's repr names status, method and path, never the key."""
    driver.client(lambda request: json_response(run_payload()))
    raw = driver.call(lambda c: c.runs.with_raw_response.retrieve("run_1", thread_id="thread_1"))
    text = repr(raw)
    assert "200" in text
    assert "/v1/threads/thread_1/runs/run_1" in text
    assert_secret_free([text, str(raw)])


ERROR_RESPONSES = [
    pytest.param(lambda r: json_response(error_body("Incorrect API key provided"), status=401), id="401"),
    pytest.param(lambda r: json_response(error_body("no"), status=403), id="403"),
    pytest.param(lambda r: json_response(error_body("gone"), status=404), id="404"),
    pytest.param(lambda r: json_response(error_body("slow down"), status=429), id="429"),
    pytest.param(lambda r: httpx.Response(500, content=b"<html>oops</html>"), id="500-html"),
    pytest.param(
        lambda r: httpx.Response(200, content=b"not json", headers={"content-type": "application/json"}), id="200-bad"
    ),
    pytest.param(lambda r: json_response({"id": "run_1"}), id="200-missing-keys"),
]


@pytest.mark.parametrize("answer", ERROR_RESPONSES)
def test_exceptions_from_responses_do_not_contain_the_key(driver: Driver, answer: Handler) -> None:
    """str/repr of the raised exception and of everything in its cause/context chain are key-free."""
    driver.client(answer, max_retries=0)
    with pytest.raises(threadruns.APIError) as info:
        driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1"))
    assert_exception_secret_free(info.value)


def test_connection_error_does_not_contain_the_key(driver: Driver) -> None:
    """APIConnectionError (and its httpx cause) are key-free."""
    driver.network_client(f"http://127.0.0.1:{closed_port()}/v1", max_retries=0)
    with pytest.raises(threadruns.APIConnectionError) as info:
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1"))
    assert_exception_secret_free(info.value)


def test_validation_errors_do_not_contain_the_key(driver: Driver) -> None:
    """Argument errors raised before sending are key-free."""
    driver.client(lambda request: json_response(run_payload()))
    with pytest.raises(ValueError) as info:
        driver.call(lambda c: c.runs.retrieve("bad/run", thread_id="thread_1"))
    assert_exception_secret_free(info.value)


def test_debug_logs_redact_authorization_across_retries(driver: Driver, caplog: pytest.LogCaptureFixture) -> None:
    """At DEBUG, a request plus a retry logs each attempt with Authorization redacted and no key anywhere."""
    caplog.set_level(logging.DEBUG, logger="threadruns")
    driver.client(
        sequence(
            json_response(error_body("busy"), status=503, headers={"retry-after-ms": "5"}),
            json_response(run_payload()),
        ),
        organization="org-secret-org",
    )
    driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1"))
    records = [r for r in caplog.records if r.name.startswith("threadruns")]
    messages = [r.getMessage() for r in records]
    request_logs = [m for m in messages if m.startswith("Request POST")]
    assert len(request_logs) == 2
    assert "(attempt 1)" in request_logs[0]
    assert "(attempt 2)" in request_logs[1]
    assert any(m.startswith("Retrying POST") for m in messages)
    for message in request_logs:
        assert "'authorization': '<redacted>'" in message.lower()
        assert "org-secret-org" not in message
    assert_secret_free([caplog.text, *messages, *(repr(r.args) for r in records)])


def test_insecure_base_url_warning_does_not_contain_the_key(driver: Driver, caplog: pytest.LogCaptureFixture) -> None:
    """The plain-http warning names the host, not the key."""
    caplog.set_level(logging.DEBUG, logger="threadruns")
    driver.client(lambda request: json_response(run_payload()), base_url="http://runs.example.com/v1")
    assert "runs.example.com" in caplog.text
    assert_secret_free([caplog.text])
