"""pytest fixtures for testing code against the embedded Runs server.

Enable with ``pytest_plugins = ["threadruns.server.pytest_plugin"]`` in your top-level ``conftest.py``.
``runs_server`` is a started :class:`~threadruns.server.RunsServer` with fresh state for each test;
override ``runs_server_options`` to change how it is built::

    @pytest.fixture
    def runs_server_options():
        return {"api_key": "sk-test", "auto_create": True}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ._runner import RunsServer


@pytest.fixture
def runs_server_options() -> dict[str, Any]:
    """Keyword arguments for :class:`RunsServer` (none by default); override it to configure the server."""
    return {}


@pytest.fixture
def runs_server(runs_server_options: dict[str, Any]) -> Iterator[RunsServer]:
    """A running Runs server on 127.0.0.1 with empty state, stopped after the test."""
    with RunsServer(**runs_server_options) as server:
        yield server
