"""Server-sent events for ``stream: true``: ``event: NAME\\ndata: JSON\\n\\n`` frames, then ``[DONE]``.

The response pulls events one at a time from a generator that drives the run, so the run advances as
the stream is written. It also watches the connection: if the client goes away mid-stream the run stops
being driven (it stays where it is, as with a real server) and the disconnect is counted. Injected faults
end the stream early: ``cut_stream`` after K events without ``[DONE]``, ``error_event`` with an
``event: error`` frame carrying OpenAI's flat error payload.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from dataclasses import dataclass

import anyio
import anyio.lowlevel
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from threadruns_api.resources._operations import STREAM_CONTENT_TYPE

from ._objects import Json

EventSource = Generator[tuple[str, Json], None, None]
DONE_FRAME = b"event: done\ndata: [DONE]\n\n"


def encode_event(name: str, data: Json) -> bytes:
    """One SSE frame (without an ``event:`` line when ``name`` is empty)."""
    line = f"data: {json.dumps(data, separators=(',', ':'))}\n\n"
    return (f"event: {name}\n{line}" if name else line).encode()


@dataclass(frozen=True)
class StreamFaults:
    """How an injected fault ends this stream: cut after N events, or an error event after N events."""

    cut_after: int | None = None
    error_after: int | None = None
    error: Json | None = None


class EventStreamResponse(Response):
    """A ``text/event-stream`` response fed by a run-driving generator."""

    media_type = STREAM_CONTENT_TYPE

    def __init__(
        self,
        events: EventSource,
        *,
        faults: StreamFaults = StreamFaults(),
        delay: float = 0.0,
        on_disconnect: Callable[[], None] | None = None,
        on_close: Callable[[], None] | None = None,
        headers: dict[str, str] | None = None,
        done: bytes = DONE_FRAME,
    ) -> None:
        self.events = events
        self.done = done
        self.on_close = on_close
        self.faults = faults
        self.delay = delay
        self.on_disconnect = on_disconnect
        self.status_code = 200
        self.background = None
        self._ending = False
        self.init_headers({"cache-control": "no-cache", **(headers or {})})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        self._ending = False
        disconnected = False
        try:
            async with anyio.create_task_group() as group:

                async def watch_for_disconnect() -> None:
                    nonlocal disconnected
                    while True:
                        message = await receive()
                        if message["type"] == "http.disconnect":
                            # After the last frame the server itself reports the cycle as over.
                            disconnected = not self._ending
                            group.cancel_scope.cancel()
                            return

                group.start_soon(watch_for_disconnect)
                await self._send_events(send)
                group.cancel_scope.cancel()
        finally:
            self.events.close()
            if self.on_close is not None:
                self.on_close()
        if disconnected and self.on_disconnect is not None:
            self.on_disconnect()

    async def _send_events(self, send: Send) -> None:
        sent = 0
        for name, data in self.events:
            if await self._fault_due(send, sent):
                return
            await send({"type": "http.response.body", "body": encode_event(name, data), "more_body": True})
            sent += 1
            if self.delay:
                await anyio.sleep(self.delay)
            else:
                await anyio.lowlevel.checkpoint()
        if await self._fault_due(send, sent, at_end=True):
            return
        self._ending = True
        await send({"type": "http.response.body", "body": self.done, "more_body": False})

    async def _fault_due(self, send: Send, sent: int, *, at_end: bool = False) -> bool:
        """End the stream here if a fault says so (at the end, any pending fault fires)."""
        faults = self.faults
        if faults.error_after is not None and faults.error is not None and (at_end or sent >= faults.error_after):
            frame = encode_event("error", faults.error)
            self._ending = True
            await send({"type": "http.response.body", "body": frame, "more_body": False})
            return True
        if faults.cut_after is not None and (at_end or sent >= faults.cut_after):
            self._ending = True
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return True
        return False
