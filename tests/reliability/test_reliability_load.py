"""Load and consistency against one embedded server (real uvicorn on loopback, in this process).

* 200 concurrent ``AsyncClient`` tasks each create and poll a run: nothing lost, nothing duplicated, no
  stuck task; runs/s and latency percentiles go to the figures.
* A full cursor walk while another task (or thread) keeps inserting returns every run that existed when
  it started exactly once. Inserts are interleaved deterministically: an httpx request hook on the
  walker's client lets the inserter add runs before every page is fetched.
* Connection pooling stays bounded: file descriptors do not grow over thousands of sequential requests
  (2 000 here, 10 000 under ``-m soak``), nor over streams abandoned after their first event.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from reliability_kit import API_KEY, FIGURES, Runner, fds_supported, median, open_fds, percentile

import threadruns
from threadruns.server import RunsServer, Script

CONCURRENT_RUNS = 200
TASK_BOUND = 60.0  # seconds any single task may take before it counts as stuck


@pytest.fixture
def server() -> Iterator[RunsServer]:
    # Many runs at once on one thread: the API's one-active-run rule would turn this into a queue.
    with RunsServer(concurrent_runs=True) as running:
        yield running


# ----------------------------------------------------------------------------- concurrency


@pytest.mark.scenario("load.concurrent-runs")
def test_200_concurrent_runs_are_all_accounted_for(server: RunsServer) -> None:
    thread_id = server.add_thread(messages=["Hello"])
    assistant_id = server.add_assistant(script=Script.reply("Hi"))
    requests_before = len(server.requests)

    async def main() -> tuple[list[Any], float]:
        async with threadruns.AsyncClient(api_key=API_KEY, base_url=server.url) as client:

            async def one(index: int) -> tuple[Any, float]:
                started = time.perf_counter()
                run = await client.runs.create_and_poll(
                    thread_id=thread_id,
                    assistant_id=assistant_id,
                    metadata={"task": str(index)},
                    poll_timeout=TASK_BOUND,
                )
                return run, time.perf_counter() - started

            started = time.perf_counter()
            tasks = [asyncio.create_task(asyncio.wait_for(one(i), TASK_BOUND)) for i in range(CONCURRENT_RUNS)]
            results = await asyncio.gather(*tasks, return_exceptions=True)
            return results, time.perf_counter() - started

    results, wall = asyncio.run(main())
    failures = [result for result in results if isinstance(result, BaseException)]
    assert not failures, f"{len(failures)} tasks failed or got stuck, first: {failures[0]!r}"
    runs = [run for run, _ in results]
    latencies = [elapsed for _, elapsed in results]
    created = [run.id for run in runs]
    assert len(set(created)) == CONCURRENT_RUNS, "two tasks got the same run id"
    assert Counter(str(run.status) for run in runs) == {"completed": CONCURRENT_RUNS}
    assert sorted(run.metadata["task"] for run in runs) == sorted(str(i) for i in range(CONCURRENT_RUNS))

    with threadruns.Client(api_key=API_KEY, base_url=server.url) as client:
        listed = [run.id for run in client.runs.list(thread_id, limit=100)]
    lost = set(created) - set(listed)
    duplicates = len(listed) - len(set(listed)) + len(set(listed) - set(created))
    posts = sum(1 for r in server.requests if r.method == "POST" and r.path.endswith("/runs"))
    FIGURES.set("load.runs", CONCURRENT_RUNS)
    FIGURES.set("load.runs_per_s", round(CONCURRENT_RUNS / wall, 1))
    FIGURES.set("load.latency_p50_ms", round(median(latencies) * 1000, 1))
    FIGURES.set("load.latency_p99_ms", round(percentile(latencies, 99) * 1000, 1))
    FIGURES.set("load.requests", len(server.requests) - requests_before)
    FIGURES.set("load.lost", len(lost))
    FIGURES.set("load.duplicates", duplicates)
    assert not lost, f"created but not listed: {sorted(lost)[:5]}"
    assert duplicates == 0, "the list holds a run twice, or one nobody created"
    assert len(listed) == CONCURRENT_RUNS
    assert posts == CONCURRENT_RUNS, "a create was sent twice"


# ----------------------------------------------------------------------------- pagination under inserts

INITIAL_RUNS = 60
PAGE = 7
INSERTS_PER_PAGE = 2


def _seed_runs(server: RunsServer, thread_id: str, assistant_id: str, count: int) -> list[str]:
    with threadruns.Client(api_key=API_KEY, base_url=server.url) as client:
        return [client.runs.create(thread_id, assistant_id=assistant_id).id for _ in range(count)]


def _record_walk(order: str, mode: str, initial: list[str], walked: list[str], inserted: list[str]) -> None:
    key = f"{mode}/{order}"
    FIGURES.merge("load.pagination_initial", {key: len(initial)})
    FIGURES.merge("load.pagination_inserted", {key: len(inserted)})
    FIGURES.merge("load.pagination_walked", {key: len(walked)})
    FIGURES.merge("load.pagination_missing", {key: len(set(initial) - set(walked))})


def _check_walk(initial: list[str], walked: list[str], inserted: list[str]) -> None:
    assert len(inserted) >= INSERTS_PER_PAGE * (INITIAL_RUNS // PAGE), "the inserter did not run during the walk"
    assert len(walked) == len(set(walked)), "the walk returned a run twice"
    missing = set(initial) - set(walked)
    assert not missing, f"{len(missing)} runs that existed at the start were skipped"
    assert set(walked) <= set(initial) | set(inserted), "the walk returned a run nobody created"


@pytest.mark.scenario("load.pagination-under-inserts")
@pytest.mark.parametrize("order", ["desc", "asc"])
def test_sync_walk_while_a_thread_inserts(server: RunsServer, order: str) -> None:
    thread_id = server.add_thread(messages=["Hello"])
    assistant_id = server.add_assistant()
    initial = _seed_runs(server, thread_id, assistant_id, INITIAL_RUNS)
    inserted: list[str] = []
    go, done, stop = threading.Semaphore(0), threading.Semaphore(0), threading.Event()

    def inserter() -> None:
        with threadruns.Client(api_key=API_KEY, base_url=server.url) as other:
            while True:
                go.acquire()
                if stop.is_set():
                    return
                for _ in range(INSERTS_PER_PAGE):
                    inserted.append(other.runs.create(thread_id, assistant_id=assistant_id).id)
                done.release()

    def before_each_page(request: httpx.Request) -> None:
        if request.method == "GET":
            go.release()
            assert done.acquire(timeout=10), "the inserter got stuck"

    worker = threading.Thread(target=inserter, daemon=True)
    worker.start()
    http = httpx.Client(event_hooks={"request": [before_each_page]}, timeout=10)
    try:
        with threadruns.Client(api_key=API_KEY, base_url=server.url, http_client=http) as client:
            walked = [run.id for run in client.runs.list(thread_id, limit=PAGE, order=order)]
    finally:
        stop.set()
        go.release()
        worker.join(10)
        http.close()
    _record_walk(order, "sync", initial, walked, inserted)
    _check_walk(initial, walked, inserted)


@pytest.mark.scenario("load.pagination-under-inserts")
@pytest.mark.parametrize("order", ["desc", "asc"])
def test_async_walk_while_a_task_inserts(server: RunsServer, order: str) -> None:
    thread_id = server.add_thread(messages=["Hello"])
    assistant_id = server.add_assistant()
    initial = _seed_runs(server, thread_id, assistant_id, INITIAL_RUNS)
    inserted: list[str] = []

    async def main() -> list[str]:
        go: asyncio.Queue[bool] = asyncio.Queue()
        done: asyncio.Queue[bool] = asyncio.Queue()

        async def inserter() -> None:
            async with threadruns.AsyncClient(api_key=API_KEY, base_url=server.url) as other:
                while await go.get():
                    for _ in range(INSERTS_PER_PAGE):
                        inserted.append((await other.runs.create(thread_id, assistant_id=assistant_id)).id)
                    await done.put(True)

        async def before_each_page(request: httpx.Request) -> None:
            if request.method == "GET":
                await go.put(True)
                await asyncio.wait_for(done.get(), 10)

        task = asyncio.create_task(inserter())
        async with httpx.AsyncClient(event_hooks={"request": [before_each_page]}, timeout=10) as http:
            client = threadruns.AsyncClient(api_key=API_KEY, base_url=server.url, http_client=http)
            walked = [run.id async for run in client.runs.list(thread_id, limit=PAGE, order=order)]
        await go.put(False)
        await asyncio.wait_for(task, 10)
        return walked

    walked = asyncio.run(main())
    _record_walk(order, "async", initial, walked, inserted)
    _check_walk(initial, walked, inserted)


# ----------------------------------------------------------------------------- file descriptors


def _wait_for_fds(limit: int, seconds: float = 2.0) -> int:
    """Open fds once they are at most ``limit`` (sockets close asynchronously on the server side)."""
    deadline = time.monotonic() + seconds
    while True:
        count = open_fds()
        if count <= limit or time.monotonic() > deadline:
            return count
        time.sleep(0.02)


def _sequential_requests(server: RunsServer, total: int, mode: str) -> dict[str, int]:
    thread_id = server.add_thread(messages=["Hello"])
    assistant_id = server.add_assistant()
    samples: list[int] = []
    started = time.perf_counter()

    def step(index: int, call: Callable[[], Any]) -> Any:
        if index % 100 == 0:
            samples.append(open_fds())
        return call()

    if mode == "sync":
        client = threadruns.Client(api_key=API_KEY, base_url=server.url, max_retries=0)
        run = client.runs.create(thread_id, assistant_id=assistant_id)
        before = open_fds()
        for index in range(total):
            if index % 10 == 9:
                with pytest.raises(threadruns.NotFoundError):
                    step(index, lambda: client.runs.retrieve("run_missing", thread_id=thread_id))
            else:
                step(index, lambda: client.runs.retrieve(run.id, thread_id=thread_id))
        after = open_fds()
        client.close()
    else:

        async def main() -> tuple[int, int]:
            client = threadruns.AsyncClient(api_key=API_KEY, base_url=server.url, max_retries=0)
            run = await client.runs.create(thread_id, assistant_id=assistant_id)
            before = open_fds()
            for index in range(total):
                if index % 10 == 9:
                    with pytest.raises(threadruns.NotFoundError):
                        await step(index, lambda: client.runs.retrieve("run_missing", thread_id=thread_id))
                else:
                    await step(index, lambda: client.runs.retrieve(run.id, thread_id=thread_id))
            after = open_fds()
            await client.close()
            return before, after

        before, after = asyncio.run(main())
    seconds = time.perf_counter() - started
    after_close = _wait_for_fds(before)
    return {
        "before": before,
        "max": max(samples, default=before),
        "after": after,
        "after_close": after_close,
        "requests_per_s": round(total / seconds),
    }


def _check_fds(figures: dict[str, int]) -> None:
    assert figures["max"] <= figures["before"] + 8, figures
    assert figures["after"] <= figures["before"] + 4, figures
    assert figures["after_close"] <= figures["before"], figures


@pytest.mark.skipif(not fds_supported(), reason="needs /proc/self/fd")
@pytest.mark.scenario("load.fd-bounded")
@pytest.mark.parametrize(("mode", "total"), [("sync", 2000), ("async", 1000)])
def test_sequential_requests_keep_fds_bounded(server: RunsServer, mode: str, total: int) -> None:
    figures = _sequential_requests(server, total, mode)
    if mode == "sync":
        FIGURES.set("load.fd_requests", total)
        FIGURES.set("load.fd_before", figures["before"])
        FIGURES.set("load.fd_max", figures["max"])
        FIGURES.set("load.fd_after", figures["after"])
        FIGURES.set("load.fd_after_close", figures["after_close"])
        FIGURES.set("load.fd_per_1000_requests", round((figures["after"] - figures["before"]) * 1000 / total, 2))
        FIGURES.set("load.sequential_requests_per_s", figures["requests_per_s"])
    FIGURES.set(f"load.fd.{mode}.{total}", figures)
    _check_fds(figures)


@pytest.mark.soak
@pytest.mark.skipif(not fds_supported(), reason="needs /proc/self/fd")
@pytest.mark.scenario("load.fd-bounded")
@pytest.mark.parametrize(("mode", "total"), [("sync", 10_000), ("async", 10_000)])
def test_soak_sequential_requests_keep_fds_bounded(server: RunsServer, mode: str, total: int) -> None:
    figures = _sequential_requests(server, total, mode)
    FIGURES.set(f"load.fd.{mode}.{total}", figures)
    _check_fds(figures)


@pytest.mark.skipif(not fds_supported(), reason="needs /proc/self/fd")
@pytest.mark.scenario("load.streams-closed-early")
def test_streams_left_early_release_their_connections(runner: Runner, server: RunsServer) -> None:
    thread_id = server.add_thread(messages=["Hello"])
    assistant_id = server.add_assistant(script=Script.reply("A fairly long answer " * 20))
    client = runner.client(server.url, max_retries=0)

    def first_event_sync() -> str:
        with client.runs.stream(thread_id=thread_id, assistant_id=assistant_id) as stream:
            return str(next(iter(stream)).event)

    async def first_event_async() -> str:
        async with client.runs.stream(thread_id=thread_id, assistant_id=assistant_id) as stream:
            async for event in stream:
                return str(event.event)
        raise AssertionError("the stream had no event")

    call = first_event_async if runner.is_async else first_event_sync
    assert runner.run(call, within=10) == "thread.run.created"
    before = open_fds()
    peak = before
    for _ in range(100):
        assert runner.run(call, within=10) == "thread.run.created"
        peak = max(peak, open_fds())
    after = _wait_for_fds(before + 4)
    FIGURES.merge("load.streams_fd_growth", {runner.mode: after - before})
    assert peak <= before + 12, (before, peak)
    assert after <= before + 4, (before, after)
