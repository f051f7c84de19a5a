"""Fixtures of the client tests: ``driver`` runs each test body once with ``Client`` and once with ``AsyncClient``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from client_testkit import Driver, Mode


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest) -> Iterator[Driver]:
    """A sync or async driver; its clients, pools and event loop are closed after the test."""
    mode: Mode = request.param
    drv = Driver(mode)
    try:
        yield drv
    finally:
        drv.close()


@pytest.fixture(autouse=True)
def _clean_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test depends on the caller's OPENAI_* environment."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
