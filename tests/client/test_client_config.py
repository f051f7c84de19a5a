"""Client configuration: API key, base URL, organization/project, default headers, timeouts, insecure-URL warning."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from client_testkit import API_KEY, Driver, run_handler

import threadruns


def _retrieve(client: Any) -> Any:
    return client.runs.retrieve("run_1", thread_id="thread_1")


def test_api_key_is_read_from_openai_api_key(driver: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no api_key argument the key comes from OPENAI_API_KEY and is sent as a Bearer token."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    client = driver.client(run_handler(), api_key=None)
    assert client.api_key == "sk-from-env"
    driver.call(_retrieve)
    assert driver.requests[0].headers["Authorization"] == "Bearer sk-from-env"


def test_explicit_api_key_wins_over_environment(driver: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    """An api_key argument takes precedence over OPENAI_API_KEY."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    driver.client(run_handler(), api_key="sk-explicit")
    driver.call(_retrieve)
    assert driver.requests[0].headers["Authorization"] == "Bearer sk-explicit"


def test_missing_api_key_raises_threadruns_error_at_construction(driver: Driver) -> None:
    """No api_key and no OPENAI_API_KEY: ThreadRunsError naming the variable, before any request."""
    with pytest.raises(threadruns.ThreadRunsError, match="OPENAI_API_KEY") as info:
        driver.client(run_handler(), api_key=None)
    assert "api_key" in str(info.value)
    assert driver.requests == []


def test_base_url_comes_from_openai_base_url(driver: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no base_url argument requests go to OPENAI_BASE_URL (a trailing slash is harmless)."""
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:5555/custom/v9/")
    driver.client(run_handler(), base_url=None)
    driver.call(_retrieve)
    assert str(driver.requests[0].url) == "http://127.0.0.1:5555/custom/v9/threads/thread_1/runs/run_1"


def test_base_url_defaults_to_openai(driver: Driver) -> None:
    """Without base_url and OPENAI_BASE_URL requests go to https://api.openai.com/v1."""
    client = driver.client(run_handler(), base_url=None)
    assert str(client.base_url) == "https://api.openai.com/v1"
    driver.call(_retrieve)
    assert str(driver.requests[0].url) == "https://api.openai.com/v1/threads/thread_1/runs/run_1"


def test_explicit_base_url_wins_over_environment(driver: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    """A base_url argument takes precedence over OPENAI_BASE_URL."""
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:5555/env")
    driver.client(run_handler(), base_url="http://127.0.0.1:6666/arg")
    driver.call(_retrieve)
    assert driver.requests[0].url.port == 6666
    assert driver.requests[0].url.path == "/arg/threads/thread_1/runs/run_1"


def test_organization_and_project_come_from_environment(driver: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    """OPENAI_ORG_ID / OPENAI_PROJECT_ID are sent as OpenAI-Organization / OpenAI-Project."""
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    client = driver.client(run_handler())
    assert (client.organization, client.project) == ("org-env", "proj-env")
    driver.call(_retrieve)
    headers = driver.requests[0].headers
    assert headers["OpenAI-Organization"] == "org-env"
    assert headers["OpenAI-Project"] == "proj-env"


def test_explicit_organization_and_project_win(driver: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    """organization= / project= arguments take precedence over the environment."""
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    driver.client(run_handler(), organization="org-arg", project="proj-arg")
    driver.call(_retrieve)
    headers = driver.requests[0].headers
    assert (headers["OpenAI-Organization"], headers["OpenAI-Project"]) == ("org-arg", "proj-arg")


def test_no_organization_or_project_headers_without_configuration(driver: Driver) -> None:
    """Without organization/project nothing is sent for them."""
    driver.client(run_handler())
    driver.call(_retrieve)
    assert "OpenAI-Organization" not in driver.requests[0].headers
    assert "OpenAI-Project" not in driver.requests[0].headers


def test_every_request_sends_auth_beta_and_user_agent(driver: Driver) -> None:
    """Authorization: Bearer <key>, OpenAI-Beta: assistants=v2 and a threadruns/<version> User-Agent on every call."""
    driver.client(run_handler())
    driver.call(_retrieve)
    driver.call(lambda c: c.runs.cancel("run_1", thread_id="thread_1"))
    assert len(driver.requests) == 2
    for request in driver.requests:
        assert request.headers["Authorization"] == f"Bearer {API_KEY}"
        assert request.headers["OpenAI-Beta"] == "assistants=v2"
        assert f"threadruns/{threadruns.__version__}" in request.headers["User-Agent"]


def test_default_headers_are_added_to_every_request(driver: Driver) -> None:
    """default_headers are sent alongside the standard ones."""
    driver.client(run_handler(), default_headers={"X-Team": "runs", "X-Trace": "abc"})
    driver.call(_retrieve)
    headers = driver.requests[0].headers
    assert headers["X-Team"] == "runs"
    assert headers["X-Trace"] == "abc"
    assert headers["OpenAI-Beta"] == "assistants=v2"


def test_default_timeout_is_600_seconds_total_and_5_to_connect(driver: Driver) -> None:
    """client.timeout defaults to 600 s with a 5 s connect timeout, and requests carry it."""
    client = driver.client(run_handler())
    assert isinstance(client.timeout, httpx.Timeout)
    assert client.timeout.connect == 5.0
    assert (client.timeout.read, client.timeout.write, client.timeout.pool) == (600.0, 600.0, 600.0)
    driver.call(_retrieve)
    assert driver.requests[0].extensions["timeout"] == {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}


def test_default_max_retries_is_two(driver: Driver) -> None:
    """max_retries defaults to 2, as in openai-python."""
    assert driver.client(run_handler()).max_retries == 2


def test_client_timeout_none_is_rejected(driver: Driver) -> None:
    """timeout=None (unbounded) is refused with ValueError naming timeout."""
    with pytest.raises(ValueError, match="timeout"):
        driver.client(run_handler(), timeout=None)


@pytest.mark.parametrize(
    ("options", "error", "name"),
    [
        ({"timeout": -1}, ValueError, "timeout"),
        ({"timeout": 0}, ValueError, "timeout"),
        ({"timeout": "10"}, TypeError, "timeout"),
        ({"max_retries": -1}, ValueError, "max_retries"),
        ({"max_retries": 1.5}, TypeError, "max_retries"),
    ],
)
def test_invalid_client_options_are_rejected(
    driver: Driver, options: dict[str, Any], error: type[Exception], name: str
) -> None:
    """Bad client-level timeout/max_retries raise at construction, naming the option."""
    with pytest.raises(error, match=name):
        driver.client(run_handler(), **options)


def test_client_level_timeout_applies_to_requests(driver: Driver) -> None:
    """A client-level timeout (seconds) is what each request carries."""
    client = driver.client(run_handler(), timeout=12.5)
    assert client.timeout == httpx.Timeout(12.5)
    driver.call(_retrieve)
    assert driver.requests[0].extensions["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), 12.5)


@pytest.mark.parametrize(
    "base_url",
    ["http://api.example.com/v1", "http://10.0.0.5:8080/v1", "http://[2001:db8::1]:8080/v1"],
)
def test_plain_http_to_remote_host_logs_warning(
    driver: Driver, caplog: pytest.LogCaptureFixture, base_url: str
) -> None:
    """A plain-http base_url to a non-loopback host logs a warning on the threadruns logger (without the key)."""
    with caplog.at_level(logging.WARNING, logger="threadruns"):
        driver.client(run_handler(), base_url=base_url)
    warnings = [r for r in caplog.records if r.name == "threadruns" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert httpx.URL(base_url).host in warnings[0].getMessage()
    assert "plain http" in warnings[0].getMessage()
    assert API_KEY not in caplog.text


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.example.com/v1",
        "http://127.0.0.1:8000/v1",
        "http://localhost:8000/v1",
        "http://[::1]:8000/v1",
    ],
)
def test_https_or_loopback_base_url_logs_nothing(
    driver: Driver, caplog: pytest.LogCaptureFixture, base_url: str
) -> None:
    """https anywhere, or plain http to a loopback host, logs no warning."""
    with caplog.at_level(logging.DEBUG, logger="threadruns"):
        driver.client(run_handler(), base_url=base_url)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_plain_http_to_other_loopback_address_logs_nothing(driver: Driver, caplog: pytest.LogCaptureFixture) -> None:
    """127.0.0.2 is loopback too (127.0.0.0/8): no insecure-transport warning."""
    with caplog.at_level(logging.DEBUG, logger="threadruns"):
        driver.client(run_handler(), base_url="http://127.0.0.2:8000/v1")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize("base_url", ["ftp://example.com/v1", "/v1", "api.openai.com/v1"])
def test_base_url_must_be_absolute_http(driver: Driver, base_url: str) -> None:
    """A base_url that is not an absolute http(s) URL is refused with ValueError."""
    with pytest.raises(ValueError, match="base_url"):
        driver.client(run_handler(), base_url=base_url)


def test_http_client_of_the_wrong_kind_is_rejected(driver: Driver) -> None:
    """Client takes an httpx.Client and AsyncClient an httpx.AsyncClient; the other kind is a TypeError."""
    wrong: httpx.Client | httpx.AsyncClient = httpx.Client() if driver.is_async else httpx.AsyncClient()
    cls = threadruns.AsyncClient if driver.is_async else threadruns.Client
    try:
        with pytest.raises(TypeError, match="http_client"):
            cls(api_key=API_KEY, http_client=wrong)  # type: ignore[arg-type]
    finally:
        if isinstance(wrong, httpx.Client):
            wrong.close()
        else:
            asyncio.run(wrong.aclose())
