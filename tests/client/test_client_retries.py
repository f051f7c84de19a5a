"""Retries: which answers are retried, how long the client waits, and network faults against real sockets."""

from __future__ import annotations

import email.utils
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from client_testkit import (
    Driver,
    SilentServer,
    closed_port,
    error_body,
    json_response,
    run_payload,
    sequence,
)

import threadruns
from threadruns._retries import backoff, retry_after, retry_delay, should_retry


def _error(status: int, **headers: str) -> httpx.Response:
    return json_response(error_body(f"status {status}"), status=status, headers=headers)


def _ok() -> httpx.Response:
    return json_response(run_payload())


def _retrieve(c: object) -> object:
    return c.runs.retrieve("run_1", thread_id="thread_1")  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- against a fake transport


def test_429_retry_after_ms_is_honoured(driver: Driver) -> None:
    """429 with retry-after-ms: 300 then 200: exactly two requests, about 0.3 s apart."""
    driver.client(sequence(_error(429, **{"retry-after-ms": "300"}), _ok()))
    started = time.monotonic()
    run = driver.call(_retrieve)
    elapsed = time.monotonic() - started
    assert run.id == "run_0001"
    assert len(driver.requests) == 2
    assert 0.28 <= elapsed < 2.0


def test_retry_after_seconds_is_honoured(driver: Driver) -> None:
    """503 with retry-after: 1 waits about one second before the single retry."""
    driver.client(sequence(_error(503, **{"retry-after": "1"}), _ok()))
    started = time.monotonic()
    driver.call(_retrieve)
    elapsed = time.monotonic() - started
    assert len(driver.requests) == 2
    assert 0.95 <= elapsed < 2.0


def test_503_exhausting_retries_raises_after_max_retries_plus_one(driver: Driver) -> None:
    """max_retries=2 and a server that always answers 503: 3 requests, then InternalServerError."""
    driver.client(lambda request: _error(503, **{"retry-after-ms": "10", "x-request-id": "req_last"}), max_retries=2)
    with pytest.raises(threadruns.InternalServerError) as info:
        driver.call(_retrieve)
    assert len(driver.requests) == 3
    assert info.value.status_code == 503
    assert info.value.request_id == "req_last"


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(driver: Driver, status: int) -> None:
    """408, 409, 429 and 5xx are retried; the retry's success is returned."""
    driver.client(sequence(_error(status, **{"retry-after-ms": "5"}), _ok()))
    assert driver.call(_retrieve).id == "run_0001"
    assert len(driver.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_non_retryable_statuses_are_not_retried(driver: Driver, status: int) -> None:
    """Other 4xx fail on the first answer, whatever max_retries is."""
    driver.client(lambda request: _error(status, **{"retry-after-ms": "5"}), max_retries=3)
    with pytest.raises(threadruns.APIStatusError):
        driver.call(_retrieve)
    assert len(driver.requests) == 1


def test_x_should_retry_false_stops_retrying_a_500(driver: Driver) -> None:
    """x-should-retry: false on a 500 means one request only."""
    driver.client(lambda request: _error(500, **{"x-should-retry": "false"}), max_retries=2)
    with pytest.raises(threadruns.InternalServerError):
        driver.call(_retrieve)
    assert len(driver.requests) == 1


def test_x_should_retry_true_retries_a_400(driver: Driver) -> None:
    """x-should-retry: true on a 400 makes it retried."""
    driver.client(sequence(_error(400, **{"x-should-retry": "true", "retry-after-ms": "5"}), _ok()))
    assert driver.call(_retrieve).id == "run_0001"
    assert len(driver.requests) == 2


def test_per_call_max_retries_zero_overrides_the_client(driver: Driver) -> None:
    """max_retries=0 on a call beats the client's max_retries=3: one request."""
    driver.client(lambda request: _error(503, **{"retry-after-ms": "5"}), max_retries=3)
    with pytest.raises(threadruns.InternalServerError):
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1", max_retries=0))
    assert len(driver.requests) == 1


def test_per_call_max_retries_can_raise_the_client_setting(driver: Driver) -> None:
    """max_retries=2 on a call of a max_retries=0 client: 3 requests."""
    driver.client(lambda request: _error(503, **{"retry-after-ms": "5"}), max_retries=0)
    with pytest.raises(threadruns.InternalServerError):
        driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1", max_retries=2))
    assert len(driver.requests) == 3


def test_client_max_retries_zero_sends_once(driver: Driver) -> None:
    """A client built with max_retries=0 never retries."""
    driver.client(lambda request: _error(429, **{"retry-after-ms": "5"}), max_retries=0)
    with pytest.raises(threadruns.RateLimitError):
        driver.call(_retrieve)
    assert len(driver.requests) == 1


def test_retried_post_is_identical(driver: Driver) -> None:
    """A retried create resends the same body bytes and the same Idempotency-Key."""
    driver.client(
        sequence(_error(500, **{"retry-after-ms": "5"}), _error(502, **{"retry-after-ms": "5"}), _ok()),
        max_retries=2,
    )
    driver.call(
        lambda c: c.runs.create("thread_1", assistant_id="asst_1", instructions="Be brief.", metadata={"k": "v"})
    )
    assert len(driver.requests) == 3
    keys = {r.headers["Idempotency-Key"] for r in driver.requests}
    assert len(keys) == 1
    assert keys.pop()
    assert len({r.content for r in driver.requests}) == 1
    assert len({(r.method, str(r.url)) for r in driver.requests}) == 1


def test_separate_posts_get_distinct_idempotency_keys(driver: Driver) -> None:
    """Two separate create calls carry different Idempotency-Keys; GETs carry none."""
    driver.client(lambda request: _ok())
    driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1"))
    driver.call(lambda c: c.runs.create("thread_1", assistant_id="asst_1"))
    driver.call(_retrieve)
    first, second, get = driver.requests
    assert first.headers["Idempotency-Key"] != second.headers["Idempotency-Key"]
    assert "Idempotency-Key" not in get.headers


def test_retry_without_headers_uses_backoff(driver: Driver) -> None:
    """A 500 without retry-after waits the exponential backoff (0.375-0.5 s) before retrying."""
    driver.client(sequence(_error(500), _ok()))
    started = time.monotonic()
    driver.call(_retrieve)
    elapsed = time.monotonic() - started
    assert len(driver.requests) == 2
    assert 0.35 <= elapsed < 2.0


def test_impossible_retry_after_date_falls_back_to_backoff(driver: Driver) -> None:
    """A 503 with Retry-After 'Mon, 31 Feb 2025 ...' is still retried (header ignored) and succeeds."""
    driver.client(sequence(_error(503, **{"retry-after": "Mon, 31 Feb 2025 00:00:00 GMT"}), _ok()))
    assert driver.call(_retrieve).id == "run_0001"
    assert len(driver.requests) == 2


# ----------------------------------------------------------------------------- against real sockets


@pytest.mark.parametrize("max_retries", [0, 1])
def test_connection_refused_raises_connection_error_after_all_attempts(driver: Driver, max_retries: int) -> None:
    """A port with nothing listening: max_retries+1 attempts, then APIConnectionError (not a timeout)."""
    client, attempts = driver.network_client(f"http://127.0.0.1:{closed_port()}/v1", max_retries=max_retries)
    assert client is not None
    started = time.monotonic()
    with pytest.raises(threadruns.APIConnectionError) as info:
        driver.call(_retrieve)
    assert time.monotonic() - started < 5
    assert not isinstance(info.value, threadruns.APITimeoutError)
    assert len(attempts) == max_retries + 1
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.request is not None
    # Where and why: the URL tried and the cause, not only the exception's class.
    port = httpx.URL(str(info.value.request.url)).port
    assert f"GET http://127.0.0.1:{port}/v1/threads/thread_1/runs/run_1" in str(info.value)
    assert "refused" in str(info.value).lower() and "default" not in str(info.value)


def test_a_connection_error_on_the_default_host_says_it_no_longer_serves_the_api(
    driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """base_url left to the default (no OPENAI_BASE_URL): the message says so and names the fix."""
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    transport: Any = httpx.MockTransport(unreachable)
    driver.client(base_url=None, transport=transport, max_retries=0)
    with pytest.raises(threadruns.APIConnectionError) as info:
        driver.call(_retrieve)
    message = str(info.value)
    assert "https://api.openai.com/v1/threads/thread_1/runs/run_1: [Errno -2] Name or service not known" in message
    assert "no longer serves the Assistants API" in message and "OPENAI_BASE_URL" in message


def test_read_timeout_raises_api_timeout_error(driver: Driver) -> None:
    """A server that accepts and never answers: timeout=0.3, max_retries=0 -> APITimeoutError within 2 s."""
    with SilentServer() as server:
        driver.network_client(server.base_url)
        started = time.monotonic()
        with pytest.raises(threadruns.APITimeoutError) as info:
            driver.call(lambda c: c.runs.retrieve("run_1", thread_id="thread_1", timeout=0.3, max_retries=0))
        elapsed = time.monotonic() - started
    assert 0.25 <= elapsed < 2.0
    assert server.accepted == 1
    assert isinstance(info.value, threadruns.APIConnectionError)
    assert isinstance(info.value.__cause__, httpx.TimeoutException)


def test_read_timeout_is_retried(driver: Driver) -> None:
    """Timeouts count as retryable: max_retries=1 makes two attempts before APITimeoutError."""
    with SilentServer() as server:
        _, attempts = driver.network_client(server.base_url, timeout=0.2, max_retries=1)
        with pytest.raises(threadruns.APITimeoutError):
            driver.call(_retrieve)
    assert len(attempts) == 2


# ----------------------------------------------------------------------------- retry_after / backoff units


def _headers(**values: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "60"}, 60.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "5"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "3"}, 3.0),
    ],
)
def test_retry_after_reads_seconds_and_milliseconds(headers: dict[str, str], expected: float) -> None:
    """retry-after (seconds) and retry-after-ms are read; ms wins when both are valid."""
    assert retry_after(httpx.Headers(headers)) == pytest.approx(expected)


def test_retry_after_reads_an_http_date() -> None:
    """An HTTP-date two seconds ahead gives a wait between 1 and 2 s (the date has whole seconds)."""
    now = time.time()
    date = email.utils.format_datetime(datetime.fromtimestamp(now, UTC) + timedelta(seconds=2), usegmt=True)
    seconds = retry_after(httpx.Headers({"retry-after": date}), now=now)
    assert seconds is not None
    assert 1.0 <= seconds <= 2.0


def test_retry_after_uses_current_time_for_http_date_by_default() -> None:
    """Without now=, an HTTP-date ten seconds ahead is measured against the wall clock."""
    date = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    seconds = retry_after(httpx.Headers({"retry-after": date}))
    assert seconds is not None
    assert 8.5 <= seconds <= 10.0


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "-1"},
        {"retry-after": "61"},
        {"retry-after": "3600"},
        {"retry-after-ms": "-5"},
        {"retry-after-ms": "61000"},
        {"retry-after": "soon"},
        {"retry-after": ""},
        {"retry-after": "nan"},
        {"retry-after": "inf"},
        {"retry-after-ms": "NaN"},
        {"retry-after": "Thu, 01 Jan 2015 00:00:00 GMT"},
        {"retry-after": "Fri, 01 Jan 2100 00:00:00 GMT"},
        {},
    ],
    ids=lambda h: ",".join(f"{k}={v}" for k, v in h.items()) or "none",
)
def test_retry_after_ignores_negative_too_large_and_garbage(headers: dict[str, str]) -> None:
    """Negative, > 60 s, non-numeric, non-finite, past or far-future values give None (backoff is used)."""
    assert retry_after(httpx.Headers(headers)) is None


def test_retry_after_without_headers_is_none() -> None:
    """No headers at all (a connection error) gives None."""
    assert retry_after(None) is None


@pytest.mark.parametrize("value", ["Mon, 31 Feb 2025 00:00:00 GMT", "Mon, 01 Jan 2025 25:00:00 GMT"])
def test_retry_after_ignores_impossible_dates(value: str) -> None:
    """A date-shaped Retry-After that names no real instant is ignored (None), not an exception."""
    assert retry_after(httpx.Headers({"retry-after": value})) is None


@pytest.mark.parametrize("retries_taken", range(12))
def test_backoff_is_between_0_375_and_8_seconds(retries_taken: int) -> None:
    """Backoff doubles from 0.5 s with up to 25 % jitter, never below 0.375 s nor above 8 s."""
    samples = [backoff(retries_taken) for _ in range(200)]
    nominal = min(0.5 * 2**retries_taken, 8.0)
    assert all(0.375 <= s <= 8.0 for s in samples)
    assert all(0.75 * nominal <= s <= nominal for s in samples)


def test_backoff_grows_then_caps() -> None:
    """The first retry waits at most 0.5 s; from the 5th on the wait sits just under the 8 s cap."""
    assert max(backoff(0) for _ in range(100)) <= 0.5
    assert min(backoff(6) for _ in range(100)) >= 6.0


def test_backoff_stays_capped_for_huge_retry_counts() -> None:
    """With a very large max_retries the backoff stays capped at 8 s instead of overflowing."""
    assert 6.0 <= backoff(1100) <= 8.0


def test_retry_delay_prefers_the_server_hint() -> None:
    """retry_delay uses retry-after when valid and backoff otherwise."""
    assert retry_delay(3, httpx.Headers({"retry-after-ms": "120"})) == pytest.approx(0.12)
    assert 3.0 <= retry_delay(3, httpx.Headers({"retry-after": "999"})) <= 4.0
    assert 0.375 <= retry_delay(0, None) <= 0.5


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (408, {}, True),
        (409, {}, True),
        (429, {}, True),
        (500, {}, True),
        (599, {}, True),
        (400, {}, False),
        (404, {}, False),
        (500, {"x-should-retry": "false"}, False),
        (400, {"x-should-retry": "true"}, True),
        (400, {"x-should-retry": "maybe"}, False),
    ],
)
def test_should_retry_policy(status: int, headers: dict[str, str], expected: bool) -> None:
    """should_retry follows openai-python: 408/409/429/5xx, overridden by x-should-retry true|false."""
    assert should_retry(httpx.Response(status, headers=headers)) is expected
