"""Shared type aliases and the ``NOT_GIVEN`` sentinel.

``NOT_GIVEN`` separates an argument the caller left out (not sent at all) from
``None`` (sent as JSON ``null`` where the API allows it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypeAlias, TypedDict

import httpx


class NotGiven:
    """Type of ``NOT_GIVEN``: an argument the caller did not pass."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Timeout: TypeAlias = float | httpx.Timeout
Headers: TypeAlias = Mapping[str, str]
Query: TypeAlias = Mapping[str, object]
Body: TypeAlias = Mapping[str, object]


class RequestOptionParams(TypedDict, total=False):
    """Per-call options every method takes besides its API arguments."""

    extra_headers: Headers | None
    extra_query: Query | None
    extra_body: Body | None
    timeout: Timeout | NotGiven
    max_retries: int | NotGiven
