"""The reliability scenarios: what threadruns promises under faults, bad input and load, and which figures
the tests measure.

Every scenario is proven by at least one test carrying ``@pytest.mark.scenario("<key>")``;
``scripts/reliability_report.py`` renders ``docs/reliability.md`` from this registry, the tests' markers
(found by reading the test files, so the table cannot name a test that does not exist) and the figures the
last test session wrote. ``test_reliability_docs.py`` fails when the three disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    scenario: str
    expected: str


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    intro: str
    scenarios: tuple[Scenario, ...]


AREAS: tuple[Area, ...] = (
    Area(
        "faults",
        "Fault matrix (client)",
        "Each case runs with `Client` and `AsyncClient`, for a JSON call and for a stream where the fault "
        "applies. A call must end in a success after retries or in exactly the listed `threadruns` error "
        "within a time bound (a sync call runs on a watched thread, an async one under `asyncio.wait_for`), "
        "never a hang and never a raw `httpx`/`json`/`KeyError`/`TypeError` exception.",
        (
            Scenario(
                "faults.429-retry-after-seconds",
                "429 with `retry-after: 1`, then 200",
                "success after exactly 2 requests, waited >= 0.9 s and < 5 s",
            ),
            Scenario(
                "faults.429-retry-after-date",
                "429 with `retry-after: <HTTP-date 2 s ahead>`, then 200",
                "success after exactly 2 requests, waited >= 0.9 s (the date, not the 0.5 s backoff) and < 5 s",
            ),
            Scenario(
                "faults.429-retry-after-ms",
                "429 with `retry-after-ms: 200`, then 200",
                "success after exactly 2 requests, waited >= 0.19 s and < 3 s",
            ),
            Scenario(
                "faults.5xx-retried",
                "500 / 502 / 503 / 504 once (with `retry-after-ms`, and once with no header at all), then 200",
                "success after exactly 2 requests; without a header the wait is the 0.375-0.5 s backoff",
            ),
            Scenario(
                "faults.5xx-exhausted",
                "500 / 502 / 503 / 504 on every attempt, `max_retries=2`",
                "`InternalServerError` with that `status_code` after exactly 3 requests",
            ),
            Scenario(
                "faults.4xx-typed",
                "400 / 401 / 403 / 404 / 422 answers",
                "the matching `APIStatusError` subclass after exactly 1 request (not retried)",
            ),
            Scenario(
                "faults.connection-refused",
                "nothing listens on the port, `max_retries=1`",
                "`APIConnectionError` after one backoff (>= 0.3 s), < 3 s",
            ),
            Scenario(
                "faults.reset-before-response",
                "the server reads the request and resets the connection (TCP RST, SO_LINGER 0)",
                "`APIConnectionError` after `max_retries + 1` connections; a reset followed by a good answer "
                "is retried into a success",
            ),
            Scenario(
                "faults.reset-mid-json-body",
                "headers with the full `Content-Length`, half the JSON body, then a reset",
                "`APIConnectionError` after `max_retries + 1` connections; retried into a success when the "
                "next answer is whole",
            ),
            Scenario(
                "faults.reset-mid-stream",
                "an event stream reset after two events (inside a half-sent event)",
                "the two events are delivered, then `APIConnectionError`",
            ),
            Scenario(
                "faults.read-timeout",
                "the server stalls 1.5 s before answering; client read timeout 0.3 s",
                "`APITimeoutError` within 1.4 s (`max_retries=0`); with `max_retries=1` and one stall, a success",
            ),
            Scenario(
                "faults.stream-stall",
                "an event stream that goes silent after one event; read timeout 0.3 s",
                "the event is delivered, then `APITimeoutError` within 2 s",
            ),
            Scenario(
                "faults.connect-timeout",
                "a listening socket whose backlog is full (never accepted); connect timeout 0.3 s, `max_retries=1`",
                "`APITimeoutError` within 3 s (the figures say whether the real socket or the "
                "MockTransport fallback was used)",
            ),
            Scenario(
                "faults.truncated-json",
                "a 200 whose JSON body is cut in half (embedded server `malformed_body`)",
                "`APIResponseValidationError`, for retrieve, create and list",
            ),
            Scenario(
                "faults.invalid-json",
                "a 200 `application/json` body that is not JSON, cut, binary, or nested 100 000 levels deep; "
                "a stream event whose data is not JSON",
                "`APIResponseValidationError`",
            ),
            Scenario(
                "faults.html-200",
                "a 200 `text/html` page (a proxy or captive portal)",
                "`APIResponseValidationError` (JSON call and stream)",
            ),
            Scenario(
                "faults.empty-200",
                "a 200 with an empty body",
                "`APIResponseValidationError`; an empty `text/event-stream` is `APIConnectionError` "
                "(ended before `[DONE]`)",
            ),
            Scenario(
                "faults.wrong-shape-2xx",
                "a 2xx missing required keys, with a wrong `status` type, a JSON array, `data` not a list, "
                "`data` items that are not runs",
                "`APIResponseValidationError`",
            ),
            Scenario(
                "faults.wrong-id-type-2xx",
                "a created run whose `id` is `null`, a number, or `a/b`, then polled (`create_and_poll`)",
                "`APIResponseValidationError` (the id is checked when the run is parsed)",
            ),
            Scenario(
                "faults.sse-error-event",
                "an `event: error` in the stream (embedded server `error_event`)",
                "`APIError` carrying the server's message and code",
            ),
            Scenario(
                "faults.stream-without-done",
                "an event stream that ends cleanly after 2 events, without `[DONE]` or a final run event",
                "the events are delivered, then `APIConnectionError` (never a silent success)",
            ),
            Scenario(
                "faults.stream-hostile-payloads",
                "stream events with JSON nested 100 000 deep, or a message whose `id` is a list",
                "`APIResponseValidationError` naming the event (too deep, or an `id` that is not a str)",
            ),
            Scenario(
                "faults.redirect-not-followed",
                "302 / 307 to another host (127.0.0.2) with the default http client",
                "`APIStatusError` with that status; the other host receives nothing",
            ),
            Scenario(
                "faults.redirect-strips-auth",
                "302 / 307 to another host with a user `http_client(follow_redirects=True)`",
                "the call succeeds; the other host sees no `Authorization` header and no byte of the key",
            ),
        ),
    ),
    Area(
        "input",
        "Bad input",
        "Client-side checks run before anything is sent: each case raises `ValueError` or `TypeError` whose "
        "message names the argument, and the embedded server records zero requests. Server-side, generated "
        "requests never cause a 5xx and every 4xx is in OpenAI's error shape.",
        (
            Scenario(
                "input.ids",
                "ids with `/`, `?`, `#`, `..`, `.`, whitespace, control or invisible characters, empty, `None`, "
                "int, bytes, list; 24 method/argument pairs covering every method and every kind of id",
                "`ValueError`/`TypeError` naming the argument; 0 requests",
            ),
            Scenario(
                "input.list-params",
                "`limit` 0 / 101 / -1 / '10' / True / 1.5, `order` 'up' / 1, bad `after`/`before`",
                "`ValueError`/`TypeError` naming the argument; 0 requests",
            ),
            Scenario(
                "input.metadata",
                "metadata with 17 keys, a 65-character key, a 513-character value, non-str keys or values, "
                "a list (create and update)",
                "`ValueError`/`TypeError` naming `metadata`; 0 requests",
            ),
            Scenario(
                "input.numbers",
                "temperature -0.1 / 2.1 / NaN / inf / '1' / True, top_p 1.1, max tokens 255 / '300' / 1.5",
                "`ValueError`/`TypeError` naming the argument; 0 requests",
            ),
            Scenario(
                "input.create-types",
                "a wrong type for every `create` argument, 21 tools, unknown keywords, a non-bool `stream`, "
                "an additional message without `role` or `content`",
                "`ValueError` naming `additional_messages[i]` and the missing key; 0 requests",
            ),
            Scenario(
                "input.tool-outputs",
                "`tool_outputs` empty, a str, a list of ints, non-str `tool_call_id` / `output`",
                "`ValueError`/`TypeError` naming `tool_outputs`; 0 requests",
            ),
            Scenario(
                "input.request-options",
                "`timeout` None / 0 / -1 / inf / '5' / an unbounded `httpx.Timeout`, `max_retries` -1 / True / "
                "'2', bad `poll_interval_ms` / `poll_timeout`, wrong types for `extra_headers` / `extra_query` / "
                "`extra_body`",
                "`TypeError` naming the option; 0 requests",
            ),
            Scenario(
                "input.client-config",
                "no API key, a non-str key, a non-http(s) `base_url`, unbounded timeouts, a wrong `http_client`",
                "`ThreadRunsError`/`ValueError`/`TypeError` at construction; 0 requests",
            ),
            Scenario(
                "input.server-stateful",
                "schemathesis state machine over createRun -> getRun -> cancelRun (OpenAPI links added to a "
                "private copy of the spec), derandomized",
                '0 responses >= 500; every 4xx is `{"error": {message, type, param, code}}`; responses '
                "conform to the spec; auth is enforced",
            ),
            Scenario(
                "input.model-roundtrip",
                "every model of `threadruns_api.models` built from values generated from its JSON schema",
                "`to_dict(from_dict(v)) == v` and `from_dict(to_dict(m)) == m`",
            ),
            Scenario(
                "input.stream-arbitrary-bytes",
                "`RunStream`/`AsyncRunStream` over arbitrary bytes and arbitrary SSE frames, in random chunks",
                "only events or `threadruns` errors, never another exception",
            ),
        ),
    ),
    Area(
        "load",
        "Load and consistency",
        "Against one embedded server (uvicorn on loopback, in the test process).",
        (
            Scenario(
                "load.concurrent-runs",
                "200 concurrent `AsyncClient` tasks, each `create_and_poll` on one thread",
                "every task finishes within its bound, every run `completed`; the server's list of the "
                "thread equals the set of created ids: nothing lost, no duplicates, exactly 200 creates",
            ),
            Scenario(
                "load.pagination-under-inserts",
                "a full `list` walk (asc and desc, 7 per page) while another thread keeps creating runs",
                "every run that existed when the walk started is returned exactly once; no id twice",
            ),
            Scenario(
                "load.fd-bounded",
                "2 000 sequential requests on one `Client`, 1 000 on one `AsyncClient` (one in ten a 404); "
                "10 000 each under `-m soak`",
                "open file descriptors do not grow: max during <= before + 8, after <= before + 4, after "
                "closing the client <= before",
            ),
            Scenario(
                "load.streams-closed-early",
                "100 streams left after their first event (sync and async)",
                "file descriptors stay bounded (peak <= before + 12, after <= before + 4): the connections "
                "are released",
            ),
        ),
    ),
    Area(
        "responses",
        "Response contract (typed or error)",
        "A realistic body of every response model, list page and stream payload (`response_fuzz.py`), then "
        "every field path deleted, nulled and set to each wrong JSON type, with unknown keys, enum values "
        "and union tags. A judge that reads the spec (not the generated code) says which bodies the "
        "contract allows; each body goes through the client's own answer parser, fast path included.",
        (
            Scenario(
                "responses.valid-bodies",
                "each realistic body (runs in three states, both step kinds, a message with every content "
                "and annotation kind, the three list pages, both delta events)",
                "accepted, every attribute of its annotated type, `to_dict()` gives every key back; the "
                "fast path takes it and builds an equal object",
            ),
            Scenario(
                "responses.mutations",
                "one mutation on every field path of every body, and 150 bodies with 2-4 mutations at once "
                "(hypothesis)",
                "an allowed body is accepted, typed and round-trips; any other raises "
                "`APIResponseValidationError` naming the model and JSON path; never a raw exception or a "
                "garbage value; the fast path only takes bodies `from_dict` gives the same object for; under "
                "`response_validation='warn'` nothing raises and `to_dict()` writes the body back as sent",
            ),
            Scenario(
                "responses.events",
                "a known run event (`thread.run.completed`) with each mutated run payload, and the same "
                "payloads under an event name outside the spec's patterns",
                "an invalid payload raises naming `RunObject.<path>`; the unknown event stays `UnknownEvent` "
                "with its payload as sent",
            ),
        ),
    ),
    Area(
        "security",
        "Secrets and request integrity",
        "The API key is a distinctive string; everything captured is searched for it and for its "
        "part without the `sk-` prefix.",
        (
            Scenario(
                "security.client-repr",
                "`repr`/`str` of `Client` and `AsyncClient` (and their resources)",
                "no key",
            ),
            Scenario(
                "security.exceptions",
                "every exception of the fault matrix kinds (status, connection, timeout, validation, stream), "
                "with `__cause__`/`__context__` chains, args, bodies and requests",
                "no key",
            ),
            Scenario(
                "security.malformed-key",
                "an API key with a trailing newline or space, or a NUL (a key read from a file)",
                "`ValueError` at construction naming `api_key`, without echoing the key",
            ),
            Scenario(
                "security.debug-logs",
                "caplog at DEBUG on `threadruns` and the root logger (httpx, httpcore, server) during "
                "successes, retries, errors and streams",
                "no key in any message or argument; `Authorization` shows as `<redacted>`",
            ),
            Scenario(
                "security.raw-response-repr",
                "`with_raw_response` results: `repr`, headers of the request, the parsed value",
                "no key in the repr",
            ),
            Scenario(
                "security.path-injection",
                "odd but valid ids (`%2F`, `%3F`, `%23`, `;`, `\\`, unicode, fullwidth `/`) for every id argument",
                "the server sees exactly one path segment per id, equal to the id; the query holds only "
                "the documented parameters",
            ),
            Scenario(
                "security.plain-http-warning",
                "`base_url` with plain http to a non-loopback host",
                "one warning on the `threadruns` logger; none for https or loopback",
            ),
            Scenario(
                "security.server-loopback",
                "`RunsServer()`, `serve()` and `threadruns serve` defaults",
                "bound to 127.0.0.1 (nothing answers on 127.0.0.2 at the same port)",
            ),
            Scenario(
                "security.server-no-auth-echo",
                "a distinctive wrong key (and a malformed `Authorization`) sent to a server with `api_key`",
                "401 in OpenAI's shape; the key appears in no body, header, recorded request or log",
            ),
        ),
    ),
)

SCENARIOS: tuple[Scenario, ...] = tuple(scenario for area in AREAS for scenario in area.scenarios)
KEYS: frozenset[str] = frozenset(scenario.key for scenario in SCENARIOS)

# Figures the tests write (name -> what it measures); the report lists them in this order, then any other
# figure the tests wrote (per-mode details).
FIGURES: dict[str, str] = {
    "cases.faults": "fault-matrix cases passed (each sync/async x JSON/stream combination counts once)",
    "cases.input": "bad-input, schemathesis and property cases passed",
    "cases.load": "load and consistency cases passed",
    "cases.security": "secret and request-integrity cases passed",
    "cases.responses": "response-contract cases passed",
    "cases.xfailed": "cases that failed as expected on a known bug (strict xfail)",
    "cases.soak": "soak cases passed (`-m soak`)",
    "faults.connect_timeout_method": "how the connect timeout was produced",
    "input.bad_inputs": "distinct bad client inputs tried (each with Client and AsyncClient)",
    "input.schemathesis_stateful_steps": "API calls made by the schemathesis state machine",
    "input.schemathesis_statuses": "status codes the state machine saw (count)",
    "input.schemathesis_negative_cases": "schemathesis negative (schema-violating) requests",
    "input.models_roundtripped": "models of threadruns_api.models round-tripped",
    "input.model_examples": "generated values round-tripped",
    "input.stream_examples": "arbitrary streams decoded (sync + async)",
    "load.runs": "runs created concurrently (one AsyncClient, 200 tasks)",
    "load.runs_per_s": "runs per second, create + poll until completed",
    "load.latency_p50_ms": "create_and_poll latency under that load, p50 (ms)",
    "load.latency_p99_ms": "create_and_poll latency under that load, p99 (ms)",
    "load.requests": "HTTP requests the server received during the concurrent run",
    "load.lost": "runs lost (created but not listed)",
    "load.duplicates": "runs listed twice or listed without being created",
    "load.pagination_initial": "runs present when each walk started",
    "load.pagination_inserted": "runs inserted during each walk",
    "load.pagination_walked": "runs each walk returned",
    "load.pagination_missing": "initial runs missing from each walk",
    "load.fd_requests": "sequential requests in the sync fd test (one in ten a 404)",
    "load.sequential_requests_per_s": "sequential requests per second (one sync client)",
    "load.fd_before": "open fds before",
    "load.fd_max": "max open fds during (sampled every 100 requests)",
    "load.fd_after": "open fds after, client still open",
    "load.fd_after_close": "open fds after closing the client",
    "load.fd_per_1000_requests": "fd growth per 1 000 requests",
    "load.streams_fd_growth": "fd growth after 100 streams left after their first event",
    "responses.mutated_bodies": "bodies the single-mutation fuzz parsed (every field path of every body)",
    "responses.valid_accepted": "bodies the spec allows, accepted (of all allowed)",
    "responses.invalid_rejected": "bodies the spec does not allow, rejected with a typed error naming a path",
    "responses.garbage": "accepted objects holding a value not of its annotated type",
    "responses.fast_path_bodies": "bodies the msgspec fast path took (each equal to what from_dict builds)",
    "responses.warn_kept_as_sent": "invalid bodies a `warn` parse kept, written back by `to_dict()` as sent",
    "responses.fuzz_seconds": "wall time of the single-mutation fuzz",
}
