"""Cursor pagination of runs and run steps: limit, order, after, before, first_id/last_id/has_more."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from spec_checks import ResponseLog, make_client

from threadruns.server import RunsServer, Script, ToolCall


@pytest.fixture
def server(make_server: Callable[..., RunsServer]) -> RunsServer:
    """Runs pile up in one thread without finishing: lift the one-active-run rule (paging is what is tested)."""
    return make_server(concurrent_runs=True)


@pytest.fixture
def runs(server: RunsServer, client: httpx.Client) -> tuple[str, list[str]]:
    """A thread with 7 runs, all created in the same second (ties broken by creation order): oldest first."""
    server.add_assistant("asst_1")
    thread_id = server.add_thread("thread_1")
    ids = [client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"}).json()["id"] for _ in range(7)]
    return thread_id, ids


def _page(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _walk(client: httpx.Client, path: str, **params: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """Follow ``after=last_id`` until ``has_more`` is false; return the IDs and the pages."""
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        extra = {"after": after} if after else {}
        page = _page(client, path, **params, **extra)
        pages.append(page)
        ids.extend(item["id"] for item in page["data"])
        if not page["has_more"]:
            return ids, pages
        after = page["last_id"]
        assert len(pages) < 50


def test_default_order_is_newest_first_and_default_limit_is_20(
    client: httpx.Client, runs: tuple[str, list[str]]
) -> None:
    thread_id, ids = runs
    page = _page(client, f"/threads/{thread_id}/runs")
    assert [item["id"] for item in page["data"]] == ids[::-1]
    assert (page["first_id"], page["last_id"], page["has_more"]) == (ids[-1], ids[0], False)


def test_default_limit_is_20(server: RunsServer, client: httpx.Client) -> None:
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    for _ in range(21):
        client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"})
    page = _page(client, f"/threads/{thread_id}/runs")
    assert len(page["data"]) == 20 and page["has_more"] is True


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_after_walks_three_pages_in_either_order(client: httpx.Client, runs: tuple[str, list[str]], order: str) -> None:
    thread_id, ids = runs
    expected = ids if order == "asc" else ids[::-1]
    walked, pages = _walk(client, f"/threads/{thread_id}/runs", limit=3, order=order)
    assert walked == expected
    assert [len(page["data"]) for page in pages] == [3, 3, 1]
    assert [page["has_more"] for page in pages] == [True, True, False]
    for page in pages:
        assert page["first_id"] == page["data"][0]["id"]
        assert page["last_id"] == page["data"][-1]["id"]


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_before_returns_the_items_just_before_the_cursor(
    client: httpx.Client, runs: tuple[str, list[str]], order: str
) -> None:
    thread_id, ids = runs
    ordered = ids if order == "asc" else ids[::-1]
    path = f"/threads/{thread_id}/runs"
    page = _page(client, path, limit=2, order=order, before=ordered[5])
    assert [item["id"] for item in page["data"]] == ordered[3:5]
    assert page["has_more"] is True
    walked_back: list[str] = []
    cursor = ordered[-1]
    while True:
        page = _page(client, path, limit=2, order=order, before=cursor)
        walked_back = [item["id"] for item in page["data"]] + walked_back
        if not page["has_more"]:
            break
        cursor = page["first_id"]
    assert walked_back == ordered[:-1]


def test_after_and_before_together_bound_the_page(client: httpx.Client, runs: tuple[str, list[str]]) -> None:
    thread_id, ids = runs
    page = _page(client, f"/threads/{thread_id}/runs", order="asc", after=ids[1], before=ids[5], limit=10)
    assert [item["id"] for item in page["data"]] == ids[2:5]
    assert page["has_more"] is False
    limited = _page(client, f"/threads/{thread_id}/runs", order="asc", after=ids[1], before=ids[5], limit=2)
    assert [item["id"] for item in limited["data"]] == ids[2:4] and limited["has_more"] is True


def test_a_page_past_the_end_is_empty_with_null_cursors(client: httpx.Client, runs: tuple[str, list[str]]) -> None:
    thread_id, ids = runs
    page = _page(client, f"/threads/{thread_id}/runs", after=ids[0])
    assert page == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


@pytest.mark.parametrize("cursor", ["after", "before"])
def test_an_unknown_cursor_is_a_400_naming_it(
    server: RunsServer, client: httpx.Client, runs: tuple[str, list[str]], cursor: str
) -> None:
    thread_id, _ = runs
    other_thread = server.add_thread()
    foreign = client.post(f"/threads/{other_thread}/runs", json={"assistant_id": "asst_1"}).json()["id"]
    for bad in ("run_unknown", foreign):
        response = client.get(f"/threads/{thread_id}/runs", params={cursor: bad})
        assert response.status_code == 400
        assert response.json()["error"]["param"] == cursor


def test_ties_in_created_at_are_broken_by_creation_order(
    server: RunsServer, client: httpx.Client, runs: tuple[str, list[str]]
) -> None:
    thread_id, ids = runs
    created = {item["created_at"] for item in _page(client, f"/threads/{thread_id}/runs", limit=100)["data"]}
    assert len(created) == 1
    server.clock.advance(5)
    newer = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"}).json()
    page = _page(client, f"/threads/{thread_id}/runs", limit=100, order="asc")
    assert [item["id"] for item in page["data"]] == [*ids, newer["id"]]


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_cursor_walk_during_concurrent_inserts_sees_each_existing_run_exactly_once(
    make_server: Callable[..., RunsServer], response_log: ResponseLog, order: str
) -> None:
    server = make_server(concurrent_runs=True)
    server.add_assistant("asst_1")
    thread_id = server.add_thread()
    stop = threading.Event()
    inserted: list[str] = []
    with make_client(server, response_log) as client:
        existing = [
            client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"}).json()["id"] for _ in range(30)
        ]

        def insert() -> None:
            with make_client(server, ResponseLog()) as writer:
                while not stop.is_set() and len(inserted) < 200:
                    response = writer.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_1"})
                    inserted.append(response.json()["id"])

        writer_thread = threading.Thread(target=insert)
        writer_thread.start()
        try:
            deadline = time.monotonic() + 5
            while not inserted and time.monotonic() < deadline:
                time.sleep(0.001)
            inserted_before_walk = len(inserted)
            seen: list[str] = []
            after: str | None = None
            while True:
                params: dict[str, Any] = {"limit": 4, "order": order}
                if after:
                    params["after"] = after
                page = _page(client, f"/threads/{thread_id}/runs", **params)
                seen.extend(item["id"] for item in page["data"])
                time.sleep(0.005)  # let the writer get requests in between pages
                if not page["has_more"]:
                    break
                after = page["last_id"]
                if order == "asc" and set(existing) <= set(seen):
                    break  # in ascending order new runs keep arriving at the end; stop once past the old ones
            inserted_after_walk = len(inserted)
        finally:
            stop.set()
            writer_thread.join(10)
    assert inserted_after_walk > inserted_before_walk, "the writer inserted nothing while the walk ran"
    assert len(seen) == len(set(seen)), "an item was seen twice"
    assert [run_id for run_id in seen if run_id in set(existing)] == (existing if order == "asc" else existing[::-1])


def test_run_steps_paginate_with_the_same_rules(server: RunsServer, client: httpx.Client) -> None:
    calls = [ToolCall("a"), ToolCall("b")]
    script = Script.call_tools(calls, then=Script.call_tools(calls, then=Script.reply("done")))
    server.add_assistant("asst_t", script=script)
    thread_id = server.add_thread()
    run_id = client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_t"}).json()["id"]
    for _ in range(2):
        server.step(2)
        run = client.get(f"/threads/{thread_id}/runs/{run_id}").json()
        outputs = [
            {"tool_call_id": c["id"], "output": "x"}
            for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]
        ]
        client.post(f"/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", json={"tool_outputs": outputs})
    server.step(2)
    path = f"/threads/{thread_id}/runs/{run_id}/steps"
    asc, pages = _walk(client, path, limit=1, order="asc")
    assert len(pages) == 3
    assert [client.get(f"{path}/{step_id}").json()["type"] for step_id in asc] == [
        "tool_calls",
        "tool_calls",
        "message_creation",
    ]
    desc, _ = _walk(client, path, limit=1)
    assert desc == asc[::-1]
    before = _page(client, path, order="asc", before=asc[2])
    assert [item["id"] for item in before["data"]] == asc[:2]
    bad = client.get(path, params={"after": "step_unknown"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "after"
