"""A sync/async client driver against a live embedded server, for the streaming, polling and tool-loop tests."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import httpx

import threadruns
from threadruns.server import RunsServer

Opener = Callable[[Any], Any]


class Live:
    """One client (sync or async) against one server; async calls share one event loop per test."""

    def __init__(self, mode: str, server: RunsServer, **client_options: Any) -> None:
        self.mode = mode
        self.server = server
        self._runner = asyncio.Runner() if mode == "async" else None
        options = {"api_key": "sk-test", "base_url": server.url, **client_options}
        self.client: Any = threadruns.AsyncClient(**options) if mode == "async" else threadruns.Client(**options)

    def call(self, fn: Callable[[Any], Any]) -> Any:
        """Run ``fn(client)``, awaiting its result in async mode."""
        result = fn(self.client)
        if inspect.isawaitable(result):
            assert self._runner is not None
            return self._runner.run(_await(result))
        return result

    def consume(self, opener: Opener, *, then: str | None = None, limit: int | None = None) -> tuple[list[Any], Any]:
        """Open a stream (manager, stream, or awaitable of one), read up to ``limit`` events, then call ``then``."""
        if self._runner is None:
            with opener(self.client) as stream:
                events = []
                for event in stream:
                    events.append(event)
                    if limit is not None and len(events) >= limit:
                        break
                return events, getattr(stream, then)() if then else None
        return self._runner.run(_aconsume(opener(self.client), then, limit))

    def text(self, opener: Opener) -> str:
        if self._runner is None:
            with opener(self.client) as stream:
                return "".join(stream.text_deltas())
        return self._runner.run(_atext(opener(self.client)))

    def close(self) -> None:
        if self._runner is None:
            self.client.close()
        else:
            self._runner.run(self.client.close())
            self._runner.close()


async def _await(awaitable: Any) -> Any:
    return await awaitable


async def _open(target: Any) -> Any:
    return await target if inspect.isawaitable(target) else target


async def _aconsume(target: Any, then: str | None, limit: int | None) -> tuple[list[Any], Any]:
    async with await _open(target) as stream:
        events = []
        async for event in stream:
            events.append(event)
            if limit is not None and len(events) >= limit:
                break
        return events, (await getattr(stream, then)()) if then else None


async def _atext(target: Any) -> str:
    async with await _open(target) as stream:
        return "".join([text async for text in stream.text_deltas()])


def mock_sse_live(mode: str, body: bytes) -> Live:
    """A driver whose every request answers with ``body`` as an event stream: for the faults a real server
    does not send on purpose (unknown event names, unparseable payloads, a body cut mid-event)."""

    class _Nowhere:
        url = "http://127.0.0.1:9/v1"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    http_cls = httpx.AsyncClient if mode == "async" else httpx.Client
    return Live(mode, _Nowhere(), http_client=http_cls(transport=httpx.MockTransport(handler)))  # type: ignore[arg-type]
