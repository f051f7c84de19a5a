"""``Client`` and ``AsyncClient``: configuration plus the resources generated from the spec.

``client.beta.threads.runs`` is openai-python's path; ``client.runs`` is a short alias of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx
from threadruns_api.resources.beta import AsyncBeta, Beta

from ._base_client import AsyncAPIClient, SyncAPIClient
from ._constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._tolerance import ResponseValidation
from ._types import Timeout

if TYPE_CHECKING:
    from ._resources.runs import AsyncRuns, Runs


class Client(SyncAPIClient):
    """Synchronous client for the Runs API of an OpenAI-style Assistants server.

    Options fall back to the environment as in openai-python: ``OPENAI_API_KEY``,
    ``OPENAI_BASE_URL`` (else ``https://api.openai.com/v1``), ``OPENAI_ORG_ID``
    and ``OPENAI_PROJECT_ID``.

    ``response_validation="strict"`` (the default) raises ``APIResponseValidationError`` for an
    answer value that is not of its type; ``"warn"`` keeps such a value as sent and logs one
    warning per model and path, for servers that depart from the spec.
    """

    beta: Beta

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        response_validation: ResponseValidation = "strict",
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
            response_validation=response_validation,
        )
        self.beta = Beta(self)

    @cached_property
    def runs(self) -> Runs:
        """``client.beta.threads.runs``, shorter."""
        return self.beta.threads.runs

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(AsyncAPIClient):
    """Asynchronous client; the same surface as ``Client`` with ``await`` and ``async for``."""

    beta: AsyncBeta

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        response_validation: ResponseValidation = "strict",
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
            response_validation=response_validation,
        )
        self.beta = AsyncBeta(self)

    @cached_property
    def runs(self) -> AsyncRuns:
        """``client.beta.threads.runs``, shorter."""
        return self.beta.threads.runs

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
