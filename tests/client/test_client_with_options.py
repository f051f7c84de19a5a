"""``copy()`` / ``with_options()``: a client with some options replaced, over the same connection pool.

Against the embedded server (real HTTP on 127.0.0.1), which checks the API key and records every
request's headers (credentials excluded), so what a copy sends is observed where it arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import threadruns
from threadruns.server import RunsServer

KEY = "sk-right-key"


@pytest.fixture(scope="module")
def server() -> Iterator[RunsServer]:
    with RunsServer(api_key=KEY) as running:
        yield running


@pytest.fixture
def thread_id(server: RunsServer) -> str:
    return server.add_thread()


class Clients:
    """Builds sync or async clients for the server and runs their calls; closes what it built."""

    def __init__(self, mode: str, server: RunsServer) -> None:
        self.mode = mode
        self.server = server
        self.runner = asyncio.Runner() if mode == "async" else None
        self.built: list[Any] = []

    def client(self, **options: Any) -> Any:
        cls = threadruns.AsyncClient if self.mode == "async" else threadruns.Client
        options.setdefault("api_key", KEY)
        client = cls(base_url=self.server.url, **options)
        self.built.append(client)
        return client

    def call(self, value: Any) -> Any:
        """``value`` itself (sync), or what awaiting it gives (async; a paginator is awaitable, not a coroutine)."""
        if self.runner is None:
            return value

        async def wait() -> Any:
            return await value

        return self.runner.run(wait())

    def list_runs(self, client: Any, thread_id: str) -> list[Any]:
        page = self.call(client.runs.list(thread_id))
        return list(page.data)

    def last_headers(self) -> dict[str, str]:
        return dict(self.server.requests[-1].headers)

    def close(self) -> None:
        for client in reversed(self.built):
            self.call(client.close())
        if self.runner is not None:
            self.runner.close()


@pytest.fixture(params=["sync", "async"])
def clients(request: pytest.FixtureRequest, server: RunsServer) -> Iterator[Clients]:
    built = Clients(request.param, server)
    try:
        yield built
    finally:
        built.close()


def test_with_options_replaces_only_what_is_given(clients: Clients, thread_id: str) -> None:
    client = clients.client(timeout=30.0, max_retries=4, default_headers={"X-Team": "a"}, organization="org-1")
    copied = client.with_options(timeout=5.0, max_retries=0)

    assert type(copied) is type(client) and copied is not client
    assert (copied.timeout, copied.max_retries) == (httpx.Timeout(5.0), 0)
    assert (client.timeout, client.max_retries) == (httpx.Timeout(30.0), 4)  # the original is untouched
    assert (copied.api_key, copied.base_url, copied.organization) == (KEY, client.base_url, "org-1")

    assert clients.list_runs(copied, thread_id) == []
    headers = clients.last_headers()
    assert headers["x-team"] == "a"
    assert headers["openai-organization"] == "org-1"
    assert headers["openai-beta"] == "assistants=v2"


def test_copy_authenticates_with_its_own_key_over_the_shared_pool(clients: Clients, thread_id: str) -> None:
    wrong = clients.client(api_key="sk-wrong-key", max_retries=0)
    with pytest.raises(threadruns.AuthenticationError):
        clients.list_runs(wrong, thread_id)

    right = wrong.copy(api_key=KEY)
    assert clients.list_runs(right, thread_id) == []
    # The pool was built with the wrong key in its headers: the original still sends that one.
    with pytest.raises(threadruns.AuthenticationError):
        clients.list_runs(wrong, thread_id)


def test_default_headers_merge_over_the_originals(clients: Clients, thread_id: str) -> None:
    client = clients.client(default_headers={"X-A": "1", "X-B": "1"})
    copied = client.with_options(default_headers={"x-b": "2", "X-C": "3"}, project="proj-2")

    clients.list_runs(copied, thread_id)
    sent = clients.last_headers()
    assert (sent["x-a"], sent["x-b"], sent["x-c"], sent["openai-project"]) == ("1", "2", "3", "proj-2")

    clients.list_runs(client, thread_id)
    sent = clients.last_headers()
    assert (sent["x-a"], sent["x-b"]) == ("1", "1")
    assert "x-c" not in sent and "openai-project" not in sent


def test_an_empty_organization_or_project_keeps_the_current_one(clients: Clients, thread_id: str) -> None:
    """As in openai-python (``organization or self.organization``): what the copy reports is what it sends."""
    client = clients.client(organization="org-1", project="proj-1")
    copied = client.with_options(organization="", project="", api_key="")
    assert (copied.organization, copied.project, copied.api_key) == ("org-1", "proj-1", KEY)
    clients.list_runs(copied, thread_id)
    sent = clients.last_headers()
    assert (sent["openai-organization"], sent["openai-project"]) == ("org-1", "proj-1")


def test_header_names_differing_in_case_replace_each_other_across_copies(clients: Clients, thread_id: str) -> None:
    seen: list[list[str]] = []

    def record(request: httpx.Request) -> None:
        seen.append(request.headers.get_list("x-team"))

    async def arecord(request: httpx.Request) -> None:
        record(request)

    if clients.mode == "async":
        other: Any = httpx.AsyncClient(event_hooks={"request": [arecord]})
    else:
        other = httpx.Client(event_hooks={"request": [record]})
    try:
        client = clients.client(default_headers={"x-team": "a"})
        copied = client.copy(default_headers={"X-Team": "b"}).copy(default_headers={"x-team": "c"}, http_client=other)
        clients.list_runs(copied, thread_id)
    finally:
        clients.call(other.aclose() if clients.mode == "async" else other.close())
    assert seen == [["c"]]  # one header, the last value given


def test_copy_shares_the_pool_and_closing_it_leaves_the_pool_open(clients: Clients, thread_id: str) -> None:
    client = clients.client()
    copied = client.with_options(max_retries=1)
    assert copied._client is client._client
    assert copied._headers_on_client  # same headers as baked into the pool: none merged per request

    clients.call(copied.close())
    assert clients.list_runs(client, thread_id) == []
    assert clients.list_runs(copied, thread_id) == []

    rekeyed = client.with_options(api_key=KEY + "-x")
    assert rekeyed._client is client._client and not rekeyed._headers_on_client


def test_copy_over_another_http_client(clients: Clients, thread_id: str) -> None:
    client = clients.client(default_headers={"X-A": "1"})
    other = httpx.AsyncClient() if clients.mode == "async" else httpx.Client()
    try:
        copied = client.with_options(http_client=other, default_headers={"X-B": "2"})
        assert copied._client is other
        assert clients.list_runs(copied, thread_id) == []
        # Nothing baked into this pool: every header comes from the copy's own options.
        sent = clients.last_headers()
        assert (sent["x-a"], sent["x-b"], sent["openai-beta"]) == ("1", "2", "assistants=v2")
        clients.call(copied.close())  # not the copy's to close
        assert not other.is_closed
    finally:
        clients.call(other.aclose() if isinstance(other, httpx.AsyncClient) else other.close())


@pytest.mark.parametrize(
    ("options", "error", "names"),
    [
        ({"timeout": -1.0}, ValueError, "timeout"),
        ({"timeout": None}, ValueError, "timeout"),
        ({"max_retries": "3"}, TypeError, "max_retries"),
        ({"max_retries": -1}, ValueError, "max_retries"),
        ({"default_headers": ["X-A"]}, TypeError, "default_headers"),
        ({"default_headers": {"Bad Name": "v"}}, ValueError, "Bad Name"),
        ({"default_headers": {"X-A": "line\nbreak"}}, ValueError, "X-A"),
        ({"api_key": "sk-with-newline\n"}, ValueError, "api_key"),
        ({"base_url": "ftp://example.org"}, ValueError, "base_url"),
        ({"organization": 7}, TypeError, "organization"),
        ({"http_client": object()}, TypeError, "http_client"),
        ({"retries": 2}, TypeError, "retries"),
    ],
)
def test_bad_options_are_refused_before_any_request(
    clients: Clients, server: RunsServer, options: dict[str, Any], error: type[Exception], names: str
) -> None:
    client = clients.client()
    before = len(server.requests)
    with pytest.raises(error, match=names):
        client.with_options(**options)
    assert len(server.requests) == before
