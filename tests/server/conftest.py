"""Fixtures: a live RunsServer per test and HTTP clients that validate every response against the spec.

Every response a test receives through ``client`` passes through ``spec_checks.check_response`` (an httpx
response hook): it must carry an ``x-request-id`` and a body valid for its operation and status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from spec_checks import API_KEY, ResponseLog, make_client

from threadruns.server import RunsServer


@pytest.fixture
def make_server() -> Iterator[Callable[..., RunsServer]]:
    """Start RunsServers with the given options; all are stopped after the test."""
    servers: list[RunsServer] = []

    def factory(**options: Any) -> RunsServer:
        options.setdefault("advance_on_read", False)
        options.setdefault("id_seed", len(servers) + 1)
        server = RunsServer(**options).start()
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def server(make_server: Callable[..., RunsServer]) -> RunsServer:
    """A started server: manual time, no advance-on-read, nothing seeded."""
    return make_server()


@pytest.fixture
def response_log() -> ResponseLog:
    """The record of responses the validating client checked."""
    return ResponseLog()


@pytest.fixture
def client(server: RunsServer, response_log: ResponseLog) -> Iterator[httpx.Client]:
    """A validating client of ``server`` sending a bearer key and ``OpenAI-Beta: assistants=v2``."""
    with make_client(server, response_log) as http:
        yield http


@pytest.fixture
def raw_client(server: RunsServer) -> Iterator[httpx.Client]:
    """A client that checks nothing, for responses that are broken on purpose (malformed-body faults)."""
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10.0) as http:
        yield http
