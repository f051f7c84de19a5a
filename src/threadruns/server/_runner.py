"""``RunsServer``: the whole server in one object, runnable in-process on a background thread.

``with RunsServer() as server:`` binds 127.0.0.1 on a free port, starts uvicorn in a daemon thread and
returns once uvicorn reports ``started`` (bounded wait); ``server.url`` is then the base URL to give a
client. Leaving the block stops uvicorn and joins the thread (bounded). ``serve()`` runs the same app in
the foreground for demos and the ``threadruns serve`` command.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette

from ._app import AppOptions, RunsApi
from ._clock import Clock, TimeMode
from ._deviations import Deviations
from ._errors import ApiError
from ._faults import Faults
from ._ids import IdFactory
from ._objects import Json
from ._recorder import RecordedRequest, Recorder
from ._script import Script
from ._seed import SeedSource, apply_seed
from ._state import MessageSeed, RunStore
from ._validation import warm_up

logger = logging.getLogger("threadruns.server")


class _BackgroundServer(uvicorn.Server):
    """A uvicorn server that sees a stop request at once rather than on its next 0.1 s poll."""

    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    def request_stop(self) -> None:
        """Ask the server to shut down (callable from any thread)."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(wake.set)


class RunsServer:
    """An embedded Runs API server: in-memory state, a controllable clock, fault injection.

    Time modes (see :class:`Clock`): in ``"manual"`` mode (the default) runs move one state per
    :meth:`step`; with ``advance_on_read=True`` (the default) every retrieval of a run (getRun) also moves
    it one state, so a client that polls reaches a final status without sleeping. In ``"realtime"`` mode
    every state lasts ``tick`` seconds of wall time. Streams always drive their run to the end (or to
    ``requires_action``) whatever the mode.

    As the API does, a thread runs one run at a time: creating a run while another run of the thread is
    queued, in progress, waiting for tool outputs or cancelling is a 400. ``concurrent_runs=True`` lifts
    that rule (for load tests that want many runs on few threads).

    ``deviations`` names flaws of real compatible servers to reproduce (see ``DEVIATIONS``), such as
    ``["null-model"]``; by default there are none.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        auto_create: bool = False,
        time_mode: TimeMode = "manual",
        advance_on_read: bool = True,
        tick: float = 0.05,
        expires_after: float = 600.0,
        poll_after_ms: int = 50,
        host: str = "127.0.0.1",
        port: int = 0,
        prefix: str = "/v1",
        seed: SeedSource | None = None,
        default_script: Script | None = None,
        id_seed: int | None = None,
        start_time: float | None = None,
        stream_delay: float = 0.0,
        concurrent_runs: bool = False,
        deviations: Iterable[str] | None = None,
    ) -> None:
        flaws = Deviations.of(deviations)
        if prefix and not prefix.startswith("/"):
            raise ValueError("prefix must be empty or start with '/'")
        self.host = host
        self.prefix = prefix.rstrip("/")
        self.clock = Clock(time_mode, tick=tick, start=start_time)
        self.faults = Faults()
        self._requested_port = port
        self._recorder = Recorder()
        self._store = RunStore(
            self.clock,
            IdFactory(id_seed),
            auto_create=auto_create,
            expires_after=expires_after,
            default_script=default_script,
            concurrent_runs=concurrent_runs,
            ignore_tools="tools-ignored" in flaws,
        )
        self.deviations = flaws
        options = AppOptions(
            prefix=self.prefix,
            api_key=api_key,
            poll_after_ms=poll_after_ms,
            advance_on_read=advance_on_read,
            stream_delay=stream_delay,
            deviations=flaws,
        )
        self.app: Starlette = RunsApi(self._store, self.faults, self._recorder, options).build()
        self._server: _BackgroundServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._port: int | None = None
        if seed is not None:
            self.load_seed(seed)

    # Running -----------------------------------------------------------------------------------------

    def start(self, timeout: float = 5.0) -> RunsServer:
        """Serve on ``host:port`` from a daemon thread; return once uvicorn has started."""
        if self._thread is not None:
            raise RuntimeError("this RunsServer is already running")
        warm_up()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets
        try:
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="asyncio",
            http="h11",
            timeout_graceful_shutdown=1,
        )
        server = _BackgroundServer(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="threadruns-server", daemon=True)
        self._server, self._thread, self._socket = server, thread, sock
        self._port = sock.getsockname()[1]
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the threadruns server did not start within {timeout} s")
            time.sleep(0.002)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop uvicorn and join its thread (bounded by ``timeout``); a no-op when not running."""
        server, thread, sock = self._server, self._thread, self._socket
        if server is None or thread is None:
            return
        server.request_stop()
        thread.join(timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(1.0)
        if sock is not None:
            sock.close()
        if thread.is_alive():
            logger.warning("the threadruns server thread did not stop within %.1f s", timeout)
        self._server = self._thread = self._socket = None
        self._port = None

    def __enter__(self) -> RunsServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (known once started)."""
        if self._port is None:
            raise RuntimeError("the server is not running; use start() or a with-block")
        return self._port

    @property
    def url(self) -> str:
        """Base URL including the prefix, e.g. ``http://127.0.0.1:54321/v1``."""
        return f"http://{self.host}:{self.port}{self.prefix}"

    # Seeding -----------------------------------------------------------------------------------------

    def add_thread(self, thread_id: str | None = None, messages: Sequence[MessageSeed] = ()) -> str:
        """Create a thread with ``messages`` (plain strings are user messages); return its ID."""
        return self._store.add_thread(thread_id, messages)

    def add_assistant(
        self,
        assistant_id: str | None = None,
        *,
        model: str = "gpt-4o",
        instructions: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        script: Script | None = None,
    ) -> str:
        """Create (or replace) an assistant whose runs follow ``script`` (default: echo); return its ID."""
        return self._store.add_assistant(
            assistant_id, model=model, instructions=instructions, tools=tools, script=script
        )

    def load_seed(self, source: SeedSource) -> None:
        """Create the threads and assistants of a YAML/JSON seed file (or mapping)."""
        apply_seed(self._store, source)

    # Driving and inspecting --------------------------------------------------------------------------

    def step(self, n: int = 1) -> None:
        """Move every active run ``n`` states forward (same as ``server.clock.tick(n)``)."""
        self.clock.tick(n)

    def run(self, thread_id: str, run_id: str) -> Json:
        """The run as the API would return it now, without advancing it; KeyError if unknown."""
        try:
            return self._store.run_json(thread_id, run_id)
        except ApiError as error:
            raise KeyError(error.message) from None

    def messages(self, thread_id: str) -> list[Json]:
        """The thread's messages (MessageObjects), oldest first; KeyError if unknown."""
        try:
            return self._store.messages(thread_id)
        except ApiError as error:
            raise KeyError(error.message) from None

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (Authorization removed), oldest first."""
        return self._recorder.requests

    @property
    def stream_disconnects(self) -> int:
        """How many event streams lost their client before they ended."""
        return self._recorder.stream_disconnects

    def reset(self) -> None:
        """Forget all threads, assistants, runs, faults and logged requests (the server keeps running)."""
        self._store.reset()
        self.faults.clear()
        self._recorder.clear()


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    seed: SeedSource | None = None,
    api_key: str | None = None,
    auto_create: bool = True,
    time_mode: TimeMode = "realtime",
    tick: float = 0.5,
    prefix: str = "/v1",
    log_level: str = "info",
    deviations: Iterable[str] | None = None,
    **options: Any,
) -> None:
    """Run the server in the foreground until interrupted (for demos and ``threadruns serve``).

    Defaults suit a person trying a client by hand: wall-clock time with half a second per state, and
    unknown threads and assistants created on first use. The access log shows method, path and status,
    never headers, so API keys do not reach the log.
    """
    server = RunsServer(
        api_key=api_key,
        auto_create=auto_create,
        time_mode=time_mode,
        tick=tick,
        host=host,
        port=port,
        prefix=prefix,
        seed=seed,
        deviations=deviations,
        **options,
    )
    warm_up()
    config = uvicorn.Config(server.app, host=host, port=port, log_level=log_level, lifespan="off")
    logging.getLogger("uvicorn.error").info(
        "threadruns Runs API at http://%s:%d%s (time_mode=%s, auto_create=%s, api key %s)%s",
        host,
        port,
        server.prefix,
        time_mode,
        auto_create,
        "required" if api_key is not None else "not checked",
        f"; deviating on purpose: {', '.join(sorted(server.deviations.names))}" if server.deviations else "",
    )
    uvicorn.Server(config).run()
