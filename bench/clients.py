"""The clients under test, each doing the same requests against the benchmark server.

Every method runs ``n`` operations and returns the seconds they took (the clock
starts after any setup, so connection set-up and imports are not counted; each
client is warmed up before the first timed round).

* ``RawSync`` / ``RawAsync``: httpx + ``json.loads``, the floor;
* ``ThreadrunsSync`` / ``ThreadrunsAsync``: ``threadruns.Client`` / ``AsyncClient``;
* ``OpenAISync``: the official ``openai`` package (``client.beta.threads.runs``), when importable.
"""

from __future__ import annotations

import asyncio
import json
import time
import warnings
from typing import Any

import fixtures
import httpx

API_KEY = "sk-bench"
HEADERS = {
    "Authorization": f"Bearer {API_KEY}",
    "OpenAI-Beta": "assistants=v2",
    "Accept": "application/json",
}
CREATE_BODY = json.dumps({"assistant_id": fixtures.ASSISTANT_ID}, separators=(",", ":"))
STREAM_BODY = json.dumps({"assistant_id": fixtures.ASSISTANT_ID, "stream": True}, separators=(",", ":"))
JSON_HEADERS = {"Content-Type": "application/json"}
# The stream case's second form: the whole body in one chunk (a proxy that buffers, or a fast server).
WHOLE_QUERY = {"whole": "1"}
WHOLE = "?whole=1"
SSE_HEADERS = {"Content-Type": "application/json", "Accept": "text/event-stream"}
TIMEOUT = httpx.Timeout(60.0, connect=5.0)

perf = time.perf_counter


class BenchError(AssertionError):
    """A client did not get what the server sent (the figures would be meaningless)."""


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise BenchError(what)


# ----------------------------------------------------------------------------- raw httpx


class RawSync:
    name = "raw httpx"

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers=HEADERS, timeout=TIMEOUT)

    def close(self) -> None:
        self.http.close()

    def get_page(self, n: int) -> float:
        http, path = self.http, fixtures.RUNS_PATH
        start = perf()
        for _ in range(n):
            response = http.get(path, params={"limit": fixtures.SMALL_PAGE})
            _check(response.status_code == 200, "GET failed")
            data = json.loads(response.content)
        elapsed = perf() - start
        _check(len(data["data"]) == fixtures.SMALL_PAGE, "short page")
        return elapsed

    def create(self, n: int) -> float:
        http, path = self.http, fixtures.RUNS_PATH
        start = perf()
        for _ in range(n):
            response = http.post(path, content=CREATE_BODY, headers=JSON_HEADERS)
            _check(response.status_code == 200, "POST failed")
            data = json.loads(response.content)
        elapsed = perf() - start
        _check(data["object"] == "thread.run", "not a run")
        return elapsed

    def walk(self, n: int) -> float:
        http, path = self.http, fixtures.RUNS_PATH
        start = perf()
        for _ in range(n):
            runs: list[dict[str, Any]] = []
            params: dict[str, Any] = {"limit": fixtures.WALK_PAGE}
            while True:
                response = http.get(path, params=params)
                _check(response.status_code == 200, "GET failed")
                data = json.loads(response.content)
                runs.extend(data["data"])
                if not data["has_more"] or not data["data"]:
                    break
                params = {"limit": fixtures.WALK_PAGE, "after": data["data"][-1]["id"]}
        elapsed = perf() - start
        _check(len(runs) == fixtures.WALK_TOTAL, f"walked {len(runs)} runs")
        return elapsed

    def stream_whole(self, n: int) -> float:
        return self.stream(n, whole=True)

    def stream(self, n: int, whole: bool = False) -> float:
        http, path = self.http, fixtures.RUNS_PATH + (WHOLE if whole else "")
        start = perf()
        for _ in range(n):
            events = 0
            with http.stream("POST", path, content=STREAM_BODY, headers=SSE_HEADERS) as response:
                _check(response.status_code == 200, "POST failed")
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        data = line[6:]
                        if data == "[DONE]":
                            break
                        json.loads(data)
                        events += 1
        elapsed = perf() - start
        _check(events == fixtures.SSE_DELTAS + 1, f"streamed {events} events")
        return elapsed


class RawAsync:
    name = "raw httpx async"

    def __init__(self, base_url: str, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.http = httpx.AsyncClient(base_url=base_url, headers=HEADERS, timeout=TIMEOUT)

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())

    def get_page(self, n: int) -> float:
        return self.loop.run_until_complete(self._get_page(n))

    def create(self, n: int) -> float:
        return self.loop.run_until_complete(self._create(n))

    def walk(self, n: int) -> float:
        return self.loop.run_until_complete(self._walk(n))

    def stream_whole(self, n: int) -> float:
        return self.stream(n, whole=True)

    def stream(self, n: int, whole: bool = False) -> float:
        return self.loop.run_until_complete(self._stream(n, whole))

    async def _get_page(self, n: int) -> float:
        http, path = self.http, fixtures.RUNS_PATH
        start = perf()
        for _ in range(n):
            response = await http.get(path, params={"limit": fixtures.SMALL_PAGE})
            _check(response.status_code == 200, "GET failed")
            data = json.loads(response.content)
        elapsed = perf() - start
        _check(len(data["data"]) == fixtures.SMALL_PAGE, "short page")
        return elapsed

    async def _create(self, n: int) -> float:
        http, path = self.http, fixtures.RUNS_PATH
        start = perf()
        for _ in range(n):
            response = await http.post(path, content=CREATE_BODY, headers=JSON_HEADERS)
            _check(response.status_code == 200, "POST failed")
            data = json.loads(response.content)
        elapsed = perf() - start
        _check(data["object"] == "thread.run", "not a run")
        return elapsed

    async def _walk(self, n: int) -> float:
        http, path = self.http, fixtures.RUNS_PATH
        start = perf()
        for _ in range(n):
            runs: list[dict[str, Any]] = []
            params: dict[str, Any] = {"limit": fixtures.WALK_PAGE}
            while True:
                response = await http.get(path, params=params)
                _check(response.status_code == 200, "GET failed")
                data = json.loads(response.content)
                runs.extend(data["data"])
                if not data["has_more"] or not data["data"]:
                    break
                params = {"limit": fixtures.WALK_PAGE, "after": data["data"][-1]["id"]}
        elapsed = perf() - start
        _check(len(runs) == fixtures.WALK_TOTAL, f"walked {len(runs)} runs")
        return elapsed

    async def _stream(self, n: int, whole: bool = False) -> float:
        http, path = self.http, fixtures.RUNS_PATH + (WHOLE if whole else "")
        start = perf()
        for _ in range(n):
            events = 0
            async with http.stream("POST", path, content=STREAM_BODY, headers=SSE_HEADERS) as response:
                _check(response.status_code == 200, "POST failed")
                async for line in response.aiter_lines():
                    if line.startswith("data: "):
                        data = line[6:]
                        if data == "[DONE]":
                            break
                        json.loads(data)
                        events += 1
        elapsed = perf() - start
        _check(events == fixtures.SSE_DELTAS + 1, f"streamed {events} events")
        return elapsed


# ----------------------------------------------------------------------------- threadruns


class ThreadrunsSync:
    name = "threadruns"

    def __init__(self, base_url: str) -> None:
        import threadruns

        self.client = threadruns.Client(api_key=API_KEY, base_url=base_url + "/v1", timeout=TIMEOUT)

    def close(self) -> None:
        self.client.close()

    def get_page(self, n: int) -> float:
        runs = self.client.runs
        start = perf()
        for _ in range(n):
            page = runs.list(fixtures.THREAD_ID, limit=fixtures.SMALL_PAGE)
        elapsed = perf() - start
        _check(len(page.data) == fixtures.SMALL_PAGE, "short page")
        return elapsed

    def create(self, n: int) -> float:
        runs = self.client.runs
        start = perf()
        for _ in range(n):
            run = runs.create(fixtures.THREAD_ID, assistant_id=fixtures.ASSISTANT_ID)
        elapsed = perf() - start
        _check(run.object_ == "thread.run", "not a run")
        return elapsed

    def walk(self, n: int) -> float:
        runs = self.client.runs
        start = perf()
        for _ in range(n):
            walked = list(runs.list(fixtures.THREAD_ID, limit=fixtures.WALK_PAGE))
        elapsed = perf() - start
        _check(len(walked) == fixtures.WALK_TOTAL, f"walked {len(walked)} runs")
        return elapsed

    def stream_whole(self, n: int) -> float:
        return self.stream(n, whole=True)

    def stream(self, n: int, whole: bool = False) -> float:
        runs, query = self.client.runs, WHOLE_QUERY if whole else None
        start = perf()
        for _ in range(n):
            events = 0
            with runs.create(
                fixtures.THREAD_ID, assistant_id=fixtures.ASSISTANT_ID, stream=True, extra_query=query
            ) as stream:
                for _event in stream:
                    events += 1
        elapsed = perf() - start
        _check(events == fixtures.SSE_DELTAS + 1, f"streamed {events} events")
        return elapsed


class ThreadrunsAsync:
    name = "threadruns async"

    def __init__(self, base_url: str, loop: asyncio.AbstractEventLoop) -> None:
        import threadruns

        self.loop = loop
        self.client = threadruns.AsyncClient(api_key=API_KEY, base_url=base_url + "/v1", timeout=TIMEOUT)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())

    def get_page(self, n: int) -> float:
        return self.loop.run_until_complete(self._get_page(n))

    def create(self, n: int) -> float:
        return self.loop.run_until_complete(self._create(n))

    def walk(self, n: int) -> float:
        return self.loop.run_until_complete(self._walk(n))

    def stream_whole(self, n: int) -> float:
        return self.stream(n, whole=True)

    def stream(self, n: int, whole: bool = False) -> float:
        return self.loop.run_until_complete(self._stream(n, whole))

    async def _get_page(self, n: int) -> float:
        runs = self.client.runs
        start = perf()
        for _ in range(n):
            page = await runs.list(fixtures.THREAD_ID, limit=fixtures.SMALL_PAGE)
        elapsed = perf() - start
        _check(len(page.data) == fixtures.SMALL_PAGE, "short page")
        return elapsed

    async def _create(self, n: int) -> float:
        runs = self.client.runs
        start = perf()
        for _ in range(n):
            run = await runs.create(fixtures.THREAD_ID, assistant_id=fixtures.ASSISTANT_ID)
        elapsed = perf() - start
        _check(run.object_ == "thread.run", "not a run")
        return elapsed

    async def _walk(self, n: int) -> float:
        runs = self.client.runs
        start = perf()
        for _ in range(n):
            walked = [run async for run in runs.list(fixtures.THREAD_ID, limit=fixtures.WALK_PAGE)]
        elapsed = perf() - start
        _check(len(walked) == fixtures.WALK_TOTAL, f"walked {len(walked)} runs")
        return elapsed

    async def _stream(self, n: int, whole: bool = False) -> float:
        runs, query = self.client.runs, WHOLE_QUERY if whole else None
        start = perf()
        for _ in range(n):
            events = 0
            stream = await runs.create(
                fixtures.THREAD_ID, assistant_id=fixtures.ASSISTANT_ID, stream=True, extra_query=query
            )
            async with stream:
                async for _event in stream:
                    events += 1
        elapsed = perf() - start
        _check(events == fixtures.SSE_DELTAS + 1, f"streamed {events} events")
        return elapsed


# ----------------------------------------------------------------------------- openai


def openai_status() -> tuple[bool, str]:
    """Whether the official client can run here, and a note on it."""
    try:
        import openai
    except ImportError:
        return False, "`openai` is not importable here (optional: install `openai<2` to add this column)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            client = openai.OpenAI(api_key=API_KEY, base_url="http://127.0.0.1:9/v1")
            runs = client.beta.threads.runs
            runs.list, runs.create  # noqa: B018 - the beta Assistants surface exists
            client.close()
    except AttributeError:
        return False, f"openai {openai.__version__} has no client.beta.threads.runs (removed in openai>=2)"
    return True, f"openai {openai.__version__}"


class OpenAISync:
    name = "openai"

    def __init__(self, base_url: str) -> None:
        import openai

        self.client = openai.OpenAI(api_key=API_KEY, base_url=base_url + "/v1", timeout=TIMEOUT)
        self.runs = self.client.beta.threads.runs

    def close(self) -> None:
        self.client.close()

    def get_page(self, n: int) -> float:
        runs = self.runs
        start = perf()
        for _ in range(n):
            page = runs.list(fixtures.THREAD_ID, limit=fixtures.SMALL_PAGE)
        elapsed = perf() - start
        _check(len(page.data) == fixtures.SMALL_PAGE, "short page")
        return elapsed

    def create(self, n: int) -> float:
        runs = self.runs
        start = perf()
        for _ in range(n):
            run = runs.create(fixtures.THREAD_ID, assistant_id=fixtures.ASSISTANT_ID)
        elapsed = perf() - start
        _check(run.object == "thread.run", "not a run")
        return elapsed

    def walk(self, n: int) -> float:
        runs = self.runs
        start = perf()
        for _ in range(n):
            walked = list(runs.list(fixtures.THREAD_ID, limit=fixtures.WALK_PAGE))
        elapsed = perf() - start
        _check(len(walked) == fixtures.WALK_TOTAL, f"walked {len(walked)} runs")
        return elapsed

    def stream_whole(self, n: int) -> float:
        return self.stream(n, whole=True)

    def stream(self, n: int, whole: bool = False) -> float:
        runs, query = self.runs, WHOLE_QUERY if whole else None
        start = perf()
        for _ in range(n):
            events = 0
            with runs.create(
                fixtures.THREAD_ID, assistant_id=fixtures.ASSISTANT_ID, stream=True, extra_query=query
            ) as stream:
                for _event in stream:
                    events += 1
        elapsed = perf() - start
        _check(events == fixtures.SSE_DELTAS + 1, f"streamed {events} events")
        return elapsed


# ----------------------------------------------------------------------------- in-process parsing


def parse_raw(body: bytes, n: int) -> float:
    loads = json.loads
    start = perf()
    for _ in range(n):
        page = loads(body)  # held until the next one, as with the other parsers (the GC sees the same)
    elapsed = perf() - start
    _check(len(page["data"]) == fixtures.PARSE_PAGE, "short page")
    return elapsed


def parse_threadruns(body: bytes, n: int) -> float:
    # The client's own answer parser for list_runs (fast path, checks, fallback), over one received response.
    from threadruns_api.resources._operations import LIST_RUNS

    from threadruns._resource import parser

    parse = parser(LIST_RUNS)
    request = httpx.Request("GET", "http://127.0.0.1/v1" + fixtures.RUNS_PATH)
    response = httpx.Response(200, content=body, headers={"content-type": "application/json"}, request=request)
    start = perf()
    for _ in range(n):
        page = parse(response)
    elapsed = perf() - start
    _check(len(page.data) == fixtures.PARSE_PAGE, "short page")
    return elapsed


def parse_openai(body: bytes, n: int) -> float:
    # What openai does with a list body: build the page model without validation (``construct_type``).
    from openai._models import construct_type
    from openai.pagination import SyncCursorPage
    from openai.types.beta.threads import Run

    loads, page_type = json.loads, SyncCursorPage[Run]
    start = perf()
    for _ in range(n):
        page = construct_type(type_=page_type, value=loads(body))
    elapsed = perf() - start
    _check(len(page.data) == fixtures.PARSE_PAGE, "short page")  # type: ignore[attr-defined]
    return elapsed
