"""Cursor pagination: lazy page-by-page walks, exact request counts, and termination on misbehaving servers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from client_testkit import Driver, PagedList, json_response, list_payload, run_payload, sequence

import threadruns
from threadruns.types import RunObject, RunStepObject

RUN_IDS = [f"run_{n}" for n in range(1, 8)]  # 7 runs, listed newest first by default


def _page_type(driver: Driver) -> type[Any]:
    return threadruns.AsyncCursorPage if driver.is_async else threadruns.SyncCursorPage


def test_iteration_walks_every_page_following_after_cursors(driver: Driver) -> None:
    """7 items at limit 3: iterating makes exactly 3 requests with after=<last id of the previous page>."""
    server = PagedList(RUN_IDS)
    driver.client(server)
    runs = driver.collect(lambda c: c.runs.list("thread_1", limit=3))
    assert [r.id for r in runs] == RUN_IDS[::-1]
    assert all(isinstance(r, RunObject) for r in runs)
    assert server.cursors == [(None, None), ("run_5", None), ("run_2", None)]
    assert len(driver.requests) == 3
    assert all(r.url.params["limit"] == "3" for r in driver.requests)


def test_iterating_a_fetched_first_page_walks_the_rest(driver: Driver) -> None:
    """Iterating the first page object (for / async for) also yields every item of the following pages."""
    server = PagedList(RUN_IDS)
    driver.client(server)
    page = driver.first_page(lambda c: c.runs.list("thread_1", limit=3))
    assert isinstance(page, _page_type(driver))
    assert [r.id for r in driver.iterate(page)] == RUN_IDS[::-1]
    assert len(driver.requests) == 3


def test_first_page_is_lazy(driver: Driver) -> None:
    """Fetching the first page and reading its .data makes exactly one request."""
    server = PagedList(RUN_IDS)
    driver.client(server)
    page = driver.first_page(lambda c: c.runs.list("thread_1", limit=3))
    assert [r.id for r in page.data] == ["run_7", "run_6", "run_5"]
    assert [r.id for r in page.data] == ["run_7", "run_6", "run_5"]
    assert len(page) == 3
    assert page.has_more is True
    assert (page.first_id, page.last_id) == ("run_7", "run_5")
    assert len(driver.requests) == 1


def test_async_list_call_itself_sends_nothing(driver: Driver) -> None:
    """Calling list() only builds the page/paginator: the async paginator sends nothing until awaited or iterated."""
    server = PagedList(RUN_IDS)
    client = driver.client(server)
    result = client.runs.list("thread_1", limit=3)
    if driver.is_async:
        assert isinstance(result, threadruns.AsyncPaginator)
        assert driver.requests == []
        page = driver.run(result)
        assert isinstance(page, threadruns.AsyncCursorPage)
    else:
        assert isinstance(result, threadruns.SyncCursorPage)
    assert len(driver.requests) == 1


def test_next_page_fetches_one_page_at_a_time(driver: Driver) -> None:
    """next_page() makes one request with after=<last id>; the last page has no next page."""
    server = PagedList(RUN_IDS)
    driver.client(server)
    first = driver.first_page(lambda c: c.runs.list("thread_1", limit=3))
    assert first.has_next_page()
    assert first.next_page_params() == {"after": "run_5"}
    second = driver.next_page(first)
    assert [r.id for r in second.data] == ["run_4", "run_3", "run_2"]
    assert len(driver.requests) == 2
    third = driver.next_page(second)
    assert [r.id for r in third.data] == ["run_1"]
    assert third.has_more is False
    assert not third.has_next_page()
    assert len(driver.requests) == 3
    with pytest.raises(threadruns.ThreadRunsError, match="No next page"):
        driver.next_page(third)
    assert len(driver.requests) == 3


def test_get_next_page_is_openai_pythons_name_for_next_page(driver: Driver) -> None:
    server = PagedList(RUN_IDS)
    driver.client(server)
    first = driver.first_page(lambda c: c.runs.list("thread_1", limit=3))
    second = first.get_next_page()
    second = driver.run(second) if driver.is_async else second
    assert [r.id for r in second.data] == ["run_4", "run_3", "run_2"]
    assert driver.requests[-1].url.params["after"] == "run_5" and len(driver.requests) == 2


def test_iter_pages_yields_each_page_once(driver: Driver) -> None:
    """iter_pages() yields the 3 pages (3, 3, 1 items) with one request each."""
    server = PagedList(RUN_IDS)
    driver.client(server)
    first = driver.first_page(lambda c: c.runs.list("thread_1", limit=3))
    pages = driver.iter_pages(first)
    assert pages[0] is first
    assert [len(p.data) for p in pages] == [3, 3, 1]
    assert [p.has_more for p in pages] == [True, True, False]
    assert all(isinstance(p, _page_type(driver)) for p in pages)
    assert len(driver.requests) == 3


def test_order_and_extra_query_are_kept_on_every_page(driver: Driver) -> None:
    """order=asc (and extra_query) are sent on every page request, and the items come back ascending."""
    server = PagedList(RUN_IDS)
    driver.client(server)
    runs = driver.collect(lambda c: c.runs.list("thread_1", limit=3, order="asc", extra_query={"tag": "x"}))
    assert [r.id for r in runs] == RUN_IDS
    assert [r.url.params.get("order") for r in driver.requests] == ["asc", "asc", "asc"]
    assert [r.url.params.get("tag") for r in driver.requests] == ["x", "x", "x"]
    assert server.cursors == [(None, None), ("run_3", None), ("run_6", None)]


def test_after_starts_the_walk_at_the_given_cursor(driver: Driver) -> None:
    """after=<id> starts after that item and keeps following after cursors."""
    server = PagedList(RUN_IDS)
    driver.client(server)
    runs = driver.collect(lambda c: c.runs.list("thread_1", limit=2, order="asc", after="run_2"))
    assert [r.id for r in runs] == ["run_3", "run_4", "run_5", "run_6", "run_7"]
    assert server.cursors == [("run_2", None), ("run_4", None), ("run_6", None)]


def test_before_walks_backwards_with_first_id_cursors(driver: Driver) -> None:
    """before=<id> walks towards the start, each next request using before=<first id of the current page>."""
    server = PagedList(RUN_IDS)
    driver.client(server)
    runs = driver.collect(lambda c: c.runs.list("thread_1", limit=2, order="asc", before="run_7"))
    assert server.cursors == [(None, "run_7"), (None, "run_5"), (None, "run_3")]
    assert [r.id for r in runs] == ["run_5", "run_6", "run_3", "run_4", "run_1", "run_2"]
    assert all(r.url.params.get("after") is None for r in driver.requests)


def test_empty_page_stops_the_walk_even_if_has_more(driver: Driver) -> None:
    """A page with no data ends iteration although it claims has_more: exactly 2 requests."""
    driver.client(
        sequence(
            json_response(list_payload([run_payload(id="run_a"), run_payload(id="run_b")], has_more=True)),
            json_response(list_payload([], has_more=True)),
        )
    )
    runs = driver.collect(lambda c: c.runs.list("thread_1"))
    assert [r.id for r in runs] == ["run_a", "run_b"]
    assert len(driver.requests) == 2
    assert driver.requests[1].url.params["after"] == "run_b"


def test_server_ignoring_the_cursor_does_not_loop_forever(driver: Driver) -> None:
    """A server that returns the same page for every cursor is asked twice, then iteration stops."""
    same_page = list_payload([run_payload(id="run_a"), run_payload(id="run_b")], has_more=True)
    driver.client(lambda request: json_response(same_page))
    runs = driver.collect(lambda c: c.runs.list("thread_1"))
    assert len(driver.requests) == 2
    assert [r.url.params.get("after") for r in driver.requests] == [None, "run_b"]
    assert [r.id for r in runs] == ["run_a", "run_b", "run_a", "run_b"]


def test_cycle_back_to_an_earlier_cursor_stops_the_walk(driver: Driver) -> None:
    """Pages A -> B -> A again: the cursor of A was already followed, so the walk stops after 3 requests."""
    page_a = list_payload([run_payload(id="run_a"), run_payload(id="run_b")], has_more=True)
    page_b = list_payload([run_payload(id="run_c"), run_payload(id="run_d")], has_more=True)

    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(page_b if request.url.params.get("after") == "run_b" else page_a)

    driver.client(handler)
    runs = driver.collect(lambda c: c.runs.list("thread_1"))
    assert [r.url.params.get("after") for r in driver.requests] == [None, "run_b", "run_d"]
    assert [r.id for r in runs] == ["run_a", "run_b", "run_c", "run_d", "run_a", "run_b"]


def test_single_page_without_has_more_makes_one_request(driver: Driver) -> None:
    """has_more=false ends the walk after the first page."""
    driver.client(PagedList(RUN_IDS))
    runs = driver.collect(lambda c: c.runs.list("thread_1", limit=20))
    assert len(runs) == 7
    assert len(driver.requests) == 1


def test_empty_list_yields_nothing(driver: Driver) -> None:
    """An empty first page yields no items and makes one request."""
    driver.client(lambda request: json_response(list_payload([], has_more=False)))
    page = driver.first_page(lambda c: c.runs.list("thread_1"))
    assert page.data == []
    assert not page.has_next_page()
    assert driver.collect(lambda c: c.runs.list("thread_1")) == []
    assert len(driver.requests) == 2


def test_steps_list_paginates_the_same_way(driver: Driver) -> None:
    """steps.list: 5 steps at limit 2 -> 3 requests with after cursors, RunStepObject items, include on each page."""
    step_ids = [f"step_{n}" for n in range(1, 6)]
    server = PagedList(step_ids, kind="step")
    driver.client(server)
    steps = driver.collect(
        lambda c: c.runs.steps.list(
            "run_1",
            thread_id="thread_1",
            limit=2,
            order="asc",
            include=["step_details.tool_calls[*].file_search.results[*].content"],
        )
    )
    assert [s.id for s in steps] == step_ids
    assert all(isinstance(s, RunStepObject) for s in steps)
    assert server.cursors == [(None, None), ("step_2", None), ("step_4", None)]
    assert all(r.url.path == "/v1/threads/thread_1/runs/run_1/steps" for r in driver.requests)
    assert all(len(r.url.params.get_list("include[]")) == 1 for r in driver.requests)


def test_steps_first_page_and_next_page(driver: Driver) -> None:
    """steps.list first page is a cursor page of one request; next_page() follows after=<last id>."""
    server = PagedList([f"step_{n}" for n in range(1, 6)], kind="step")
    driver.client(server)
    first = driver.first_page(lambda c: c.runs.steps.list("run_1", thread_id="thread_1", limit=2, order="asc"))
    assert isinstance(first, _page_type(driver))
    assert [s.id for s in first.data] == ["step_1", "step_2"]
    assert len(driver.requests) == 1
    second = driver.next_page(first)
    assert [s.id for s in second.data] == ["step_3", "step_4"]
    assert driver.requests[1].url.params["after"] == "step_2"


def test_error_on_a_later_page_surfaces_during_iteration(driver: Driver) -> None:
    """A 404 on page 2 raises NotFoundError from the iteration after page 1's request."""
    driver.client(
        sequence(
            json_response(list_payload([run_payload(id="run_a")], has_more=True)),
            json_response({"error": {"message": "gone"}}, status=404),
        ),
        max_retries=0,
    )
    with pytest.raises(threadruns.NotFoundError):
        driver.collect(lambda c: c.runs.list("thread_1"))
    assert len(driver.requests) == 2


def test_after_and_before_together_keep_the_upper_bound(driver: Driver) -> None:
    """list(after=run_1, before=run_6) walks only the items between the two cursors, keeping before on each page."""
    server = PagedList(RUN_IDS)
    driver.client(server)
    runs = driver.collect(lambda c: c.runs.list("thread_1", limit=2, order="asc", after="run_1", before="run_6"))
    assert [r.id for r in runs] == ["run_2", "run_3", "run_4", "run_5"]
    assert server.cursors == [("run_1", "run_6"), ("run_3", "run_6")]
