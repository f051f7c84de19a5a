"""A minimal HTTP/1.1 keep-alive server on 127.0.0.1 with every answer precomputed.

Run as its own process (``python bench/server.py``): it prints ``PORT <n>`` and
serves until its standard input closes. Each answer is a bytes object built
before the first request, so the server's cost per request is small and the
same for every client. Routes:

* ``GET /v1/threads/thread_bench/runs?limit=20``: a 20-run page;
* ``GET ...?limit=100[&after=run_XXXXXX]``: the pages of a 1000-run walk (``has_more`` until the last);
* ``POST /v1/threads/thread_bench/runs``: a RunObject, or with ``"stream":true`` in the body an
  SSE stream of 1000 ``thread.message.delta`` events, ``thread.run.completed`` and ``[DONE]``
  (chunked, one chunk per event, as a server flushing each event sends it; with ``?whole=1`` the
  whole body in one chunk).
"""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import parse_qsl, urlsplit

import fixtures


def _response(body: bytes, content_type: str = "application/json") -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\n"
        f"content-type: {content_type}\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


def _chunked(parts: list[bytes]) -> bytes:
    head = (
        b"HTTP/1.1 200 OK\r\n"
        b"content-type: text/event-stream; charset=utf-8\r\n"
        b"cache-control: no-cache\r\n"
        b"transfer-encoding: chunked\r\n"
        b"connection: keep-alive\r\n\r\n"
    )
    chunks = [b"%x\r\n%s\r\n" % (len(part), part) for part in parts]
    return head + b"".join(chunks) + b"0\r\n\r\n"


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


class Answers:
    def __init__(self) -> None:
        self.pages = {key: _response(body) for key, body in fixtures.list_pages().items()}
        self.created = _response(fixtures.created_run())
        self.stream = _chunked(fixtures.sse_events())
        self.stream_whole = _chunked([b"".join(fixtures.sse_events())])

    def answer(self, method: bytes, target: bytes, body: bytes) -> bytes:
        url = urlsplit(target.decode())
        if url.path != fixtures.RUNS_PATH:
            return NOT_FOUND
        if method == b"GET":
            query = dict(parse_qsl(url.query))
            key = (int(query.get("limit", "20")), query.get("after"))
            return self.pages.get(key, NOT_FOUND)
        if method == b"POST":
            compact = body.replace(b" ", b"")
            if b'"stream":true' not in compact:
                return self.created
            return self.stream_whole if "whole=1" in url.query else self.stream
        return NOT_FOUND


class HTTPProtocol(asyncio.Protocol):
    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
            self.transport.write(self.answers.answer(method, target, body))


async def serve() -> None:
    answers = Answers()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: HTTPProtocol(answers), "127.0.0.1", 0, backlog=256)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    # Serve until the parent closes our stdin (or ends us).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(serve())
