"""Fixtures: a live embedded server and a client driver, parametrised over sync and async."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from stream_testkit import Live

from threadruns.server import RunsServer


@pytest.fixture
def server() -> Iterator[RunsServer]:
    with RunsServer() as running:
        yield running


@pytest.fixture(params=["sync", "async"])
def live(request: pytest.FixtureRequest, server: RunsServer) -> Iterator[Live]:
    driver = Live(request.param, server, max_retries=0)
    yield driver
    driver.close()
