"""Helpers for the client tests: the sync/async driver, fake transports, payloads, a raw socket server.

Imported by ``conftest.py`` and the test modules of this folder (``tests/client`` is on ``sys.path``
under pytest's default import mode); the name is distinctive so it cannot clash with other folders.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import select
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeAlias

import httpx
import yaml

import threadruns

API_KEY = "sk-test-SECRET-1234"
BASE_URL = "http://127.0.0.1:4010/v1"
SPEC = Path(__file__).resolve().parents[2] / "openapi" / "threads-runs.yaml"

Mode: TypeAlias = Literal["sync", "async"]
AnyClient: TypeAlias = threadruns.Client | threadruns.AsyncClient
Handler: TypeAlias = Callable[[httpx.Request], httpx.Response]

# ----------------------------------------------------------------------------- payloads


@cache
def _schemas() -> dict[str, Any]:
    with SPEC.open(encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


def run_payload(**overrides: Any) -> dict[str, Any]:
    """The spec's first RunObject example (a completed run), with ``overrides`` applied."""
    payload: dict[str, Any] = copy.deepcopy(_schemas()["RunObject"]["examples"][0])
    payload.update(overrides)
    return payload


def step_payload(**overrides: Any) -> dict[str, Any]:
    """The spec's RunStepObject example, with ``overrides`` applied."""
    payload: dict[str, Any] = copy.deepcopy(_schemas()["RunStepObject"]["examples"][0])
    payload.update(overrides)
    return payload


def list_payload(items: Sequence[Mapping[str, Any]], *, has_more: bool) -> dict[str, Any]:
    """A cursor page as the API sends it."""
    return {
        "object": "list",
        "data": list(items),
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": has_more,
    }


def error_body(
    message: str, *, type_: str = "invalid_request_error", code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "code": code, "param": param}}


def json_response(payload: object, status: int = 200, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)


def run_handler(**overrides: Any) -> Handler:
    """A handler answering every request with one RunObject."""

    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(run_payload(**overrides))

    return handler


def sequence(*responses: httpx.Response) -> Handler:
    """A handler giving ``responses`` in order; a request beyond them fails the test."""
    pending = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        if not pending:
            raise AssertionError(f"unexpected extra request {request.method} {request.url}")
        return pending.pop(0)

    return handler


class PagedList:
    """A handler serving ``ids`` as a cursor-paginated list (after/before/limit/order, like the API).

    ``cursors`` records the ``(after, before)`` query parameters of every list request.
    """

    def __init__(self, ids: Sequence[str], *, kind: Literal["run", "step"] = "run", default_limit: int = 20) -> None:
        self.ids = list(ids)
        self.kind = kind
        self.default_limit = default_limit
        self.cursors: list[tuple[str | None, str | None]] = []

    def item(self, item_id: str) -> dict[str, Any]:
        return run_payload(id=item_id) if self.kind == "run" else step_payload(id=item_id)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        after, before = params.get("after"), params.get("before")
        self.cursors.append((after, before))
        limit = int(params.get("limit", self.default_limit))
        ordered = self.ids if params.get("order", "desc") == "asc" else self.ids[::-1]
        start = ordered.index(after) + 1 if after is not None else 0
        end = ordered.index(before) if before is not None else len(ordered)
        window = ordered[start:end]
        backwards = before is not None and after is None  # then the page holds the items just before the cursor
        page = window[-limit:] if backwards else window[:limit]
        has_more = len(window) > limit
        return json_response(list_payload([self.item(i) for i in page], has_more=has_more))


# ----------------------------------------------------------------------------- transports


class RecordingTransport(httpx.MockTransport):
    """A MockTransport that keeps every request it was given (sync and async)."""

    def __init__(self, handler: Handler, requests: list[httpx.Request]) -> None:
        self.requests = requests

        def record(request: httpx.Request) -> httpx.Response:
            requests.append(request)
            return handler(request)

        super().__init__(record)


class CountingTransport(httpx.BaseTransport):
    """A real network transport that counts the requests it sends."""

    def __init__(self, attempts: list[httpx.Request]) -> None:
        self.attempts = attempts
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncCountingTransport(httpx.AsyncBaseTransport):
    """Async twin of ``CountingTransport``."""

    def __init__(self, attempts: list[httpx.Request]) -> None:
        self.attempts = attempts
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


# ----------------------------------------------------------------------------- the driver


async def _resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class Driver:
    """Builds a ``Client`` or ``AsyncClient`` and runs the same test body against either.

    In async mode every coroutine runs on one ``asyncio.Runner`` kept for the whole test, so the
    AsyncClient's connection pool stays on one event loop.
    """

    def __init__(self, mode: Mode) -> None:
        self.mode: Mode = mode
        self.requests: list[httpx.Request] = []
        self._runner = asyncio.Runner() if mode == "async" else None
        self._http_clients: list[httpx.Client | httpx.AsyncClient] = []
        self._clients: list[AnyClient] = []

    @property
    def is_async(self) -> bool:
        return self.mode == "async"

    # ------------------------------------------------------------ building clients

    def client(
        self,
        handler: Handler | None = None,
        *,
        api_key: str | None = API_KEY,
        base_url: str | None = BASE_URL,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        **options: Any,
    ) -> Any:
        """A client over ``handler`` (recorded in ``self.requests``) or over ``transport``.

        Typed ``Any`` so one test body can call the sync and the async surface alike.
        """
        if handler is not None and transport is None:
            transport = RecordingTransport(handler, self.requests)
        http_client: httpx.Client | httpx.AsyncClient | None = None
        if transport is not None:
            if self.is_async:
                assert isinstance(transport, httpx.AsyncBaseTransport)
                http_client = httpx.AsyncClient(transport=transport)
            else:
                assert isinstance(transport, httpx.BaseTransport)
                http_client = httpx.Client(transport=transport)
            self._http_clients.append(http_client)
        cls = threadruns.AsyncClient if self.is_async else threadruns.Client
        client = cls(api_key=api_key, base_url=base_url, http_client=http_client, **options)  # type: ignore[arg-type]
        self._clients.append(client)
        return client

    def network_client(self, base_url: str, **options: Any) -> tuple[Any, list[httpx.Request]]:
        """A client with a real transport to ``base_url``, and the list of attempts it makes."""
        attempts: list[httpx.Request] = []
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport
        transport = AsyncCountingTransport(attempts) if self.is_async else CountingTransport(attempts)
        return self.client(base_url=base_url, transport=transport, **options), attempts

    # ------------------------------------------------------------ running calls

    def run(self, awaitable: Any) -> Any:
        """Await ``awaitable`` on the test's event loop (async mode only)."""
        assert self._runner is not None, "run() is for async mode"
        return self._runner.run(_resolve(awaitable))

    def call(self, fn: Callable[[Any], Any]) -> Any:
        """``fn(client)``; in async mode it is called on the loop and its result awaited."""
        if self._runner is None:
            return fn(self._clients[-1])

        async def invoke() -> Any:
            return await _resolve(fn(self._clients[-1]))

        return self._runner.run(invoke())

    def collect(self, fn: Callable[[Any], Any]) -> list[Any]:
        """Every item of ``fn(client)``: ``list(page)`` or ``[x async for x in paginator]``."""
        if self._runner is None:
            return list(fn(self._clients[-1]))

        async def gather() -> list[Any]:
            return [item async for item in fn(self._clients[-1])]

        return self._runner.run(gather())

    def first_page(self, fn: Callable[[Any], Any]) -> Any:
        """The first page: the sync page itself, or ``await paginator``."""
        return self.call(fn)

    def next_page(self, page: Any) -> Any:
        return page.next_page() if self._runner is None else self.run(page.next_page())

    def iter_pages(self, page: Any) -> list[Any]:
        if self._runner is None:
            return list(page.iter_pages())

        async def gather() -> list[Any]:
            return [p async for p in page.iter_pages()]

        return self._runner.run(gather())

    def iterate(self, page: Any) -> list[Any]:
        """Every item reached by iterating an already fetched page (``for`` / ``async for``)."""
        if self._runner is None:
            return list(page)

        async def gather() -> list[Any]:
            return [item async for item in page]

        return self._runner.run(gather())

    def close(self) -> None:
        try:
            for client in self._clients:
                if isinstance(client, threadruns.AsyncClient):
                    self.run(client.close())
                else:
                    client.close()
            for http_client in self._http_clients:
                if isinstance(http_client, httpx.AsyncClient):
                    self.run(http_client.aclose())
                else:
                    http_client.close()
        finally:
            if self._runner is not None:
                self._runner.close()


# ----------------------------------------------------------------------------- a raw socket server


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.setblocking(False)
        self.port: int = self._sock.getsockname()[1]
        self.accepted = 0
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="silent-server", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._sock], [], [], 0.05)
            if ready:
                try:
                    conn, _ = self._sock.accept()
                except BlockingIOError:
                    continue
                self._conns.append(conn)
                self.accepted += 1

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "silent server thread did not stop"
        for conn in self._conns:
            conn.close()
        self._sock.close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# ----------------------------------------------------------------------------- inspection


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything reachable through ``__cause__`` / ``__context__``."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def assert_secret_free(texts: Iterable[str], secret: str = API_KEY) -> None:
    for text in texts:
        assert secret not in text, f"the API key leaked into {text[:200]!r}"
        assert secret.removeprefix("sk-") not in text


def assert_exception_secret_free(exc: BaseException) -> None:
    assert_secret_free(text for e in exception_chain(exc) for text in (str(e), repr(e), *map(repr, e.args)))
