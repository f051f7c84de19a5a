"""The transport-level core shared by ``Client`` and ``AsyncClient``.

It turns the keyword arguments of a generated endpoint's ``_get_kwargs`` into an
``httpx.Request`` (adding auth, default headers and per-call options), sends it
with retries, maps error statuses to typed exceptions and parses the body into
a generated model. Everything computed once per client lives in ``__init__``.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

import httpx

from ._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CONNECTION_LIMITS,
    JSON_DECODE_ERRORS,
    RAW_BODY_PREVIEW,
)
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ThreadRunsError,
    describe_shape,
    status_error_class,
)
from ._logging import logger, redact_headers
from ._response import RAW_RESPONSE, STREAMED_RESPONSE, APIResponse, AsyncAPIResponse
from ._retries import retry_delay, should_retry
from ._tolerance import ResponseValidation, Tolerance, check_response_validation
from ._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from ._version import __version__

_T = TypeVar("_T")
_HttpClientT = TypeVar("_HttpClientT", httpx.Client, httpx.AsyncClient)


@functools.cache
def user_agent() -> str:
    """The User-Agent header (``platform`` is imported by the first client, not by ``import threadruns``)."""
    import platform

    return f"threadruns/{__version__} (Python {platform.python_version()}; httpx {httpx.__version__})"


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """Per-call options every method takes."""

    timeout: Timeout | NotGiven = NOT_GIVEN
    max_retries: int | NotGiven = NOT_GIVEN
    extra_headers: Headers | None = None
    extra_query: Query | None = None
    extra_body: Body | None = None

    def __post_init__(self) -> None:
        _check_timeout(self.timeout)
        _check_max_retries(self.max_retries)
        check_str_mapping("extra_headers", self.extra_headers)
        for name in ("extra_query", "extra_body"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Mapping):
                raise TypeError(f"{name} must be a dict, got {type(value).__name__}")


# RFC 9110 token: what a header name may be made of.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def check_str_mapping(name: str, value: object) -> None:
    """None, or a mapping of header names (RFC 9110 tokens) to values without line breaks or NUL."""
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of str to str, got {type(value).__name__}")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError(f"{name} must map str to str, got {type(key).__name__} -> {type(item).__name__}")
        if not _HEADER_NAME.fullmatch(key):
            raise ValueError(f"{name} has {key!r}, which is not a valid header name")
        check_header_value(f"{name}[{key!r}]", item)


def check_header_value(name: str, value: str) -> None:
    """A header value cannot hold CR, LF or NUL: refuse it here instead of failing on the wire."""
    if any(ch in value for ch in "\r\n\0"):
        raise ValueError(f"{name} contains a line break or NUL, which a header value cannot hold")


def _check_timeout(timeout: object) -> None:
    """Every network wait has a finite bound: None, infinity and unbounded httpx.Timeout parts are refused."""
    if isinstance(timeout, NotGiven):
        return
    if isinstance(timeout, httpx.Timeout):
        for part in ("connect", "read", "write", "pool"):
            _check_seconds(f"timeout.{part}", getattr(timeout, part))
        return
    _check_seconds("timeout", timeout)


def _check_seconds(name: str, value: object) -> None:
    if value is None:
        raise ValueError(f"{name} must not be None: every request needs a bound (pass seconds or httpx.Timeout)")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds or httpx.Timeout, got {type(value).__name__}")
    if not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive, finite number of seconds, got {value}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        import ipaddress

        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_max_retries(max_retries: object) -> None:
    if isinstance(max_retries, NotGiven):
        return
    if isinstance(max_retries, bool) or not isinstance(max_retries, int):
        raise TypeError(f"max_retries must be an int, got {type(max_retries).__name__}")
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}")


class BaseClient(Generic[_HttpClientT]):
    """Configuration and request building shared by the sync and async clients."""

    api_key: str
    base_url: httpx.URL
    organization: str | None
    project: str | None
    timeout: httpx.Timeout
    max_retries: int
    _client: _HttpClientT

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | httpx.URL | None,
        organization: str | None,
        project: str | None,
        timeout: Timeout,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        response_validation: ResponseValidation = "strict",
    ) -> None:
        if api_key is None:
            api_key = os.environ.get("OPENAI_API_KEY")
        if not api_key:
            raise ThreadRunsError(
                "The api_key client option must be set either by passing api_key to the client "
                "or by setting the OPENAI_API_KEY environment variable"
            )
        if not isinstance(api_key, str):
            raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
        if api_key != api_key.strip() or not api_key.isprintable():
            # Usually a key read from a file with its newline; never echo the key itself.
            raise ValueError("api_key has leading/trailing whitespace or control characters (a newline from a file?)")
        check_str_mapping("default_headers", default_headers)
        for name, value in (("organization", organization), ("project", project)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a str, got {type(value).__name__}")
            if value is not None:
                check_header_value(name, value)
        _check_timeout(timeout)
        _check_max_retries(max_retries)
        self.response_validation = check_response_validation(response_validation)
        # A warn client parses each answer under one Tolerance (its warnings are logged once per client).
        self._tolerance = Tolerance() if response_validation == "warn" else None
        # Whether base_url fell back to the default host, which no longer serves this API (connection errors say so).
        self._default_host = base_url is None and not os.environ.get("OPENAI_BASE_URL")
        if base_url is None:
            base_url = os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.api_key = api_key
        self.base_url = httpx.URL(str(base_url).rstrip("/"))
        if self.base_url.scheme not in ("http", "https") or not self.base_url.host:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {str(base_url)!r}")
        self._url_prefix = str(self.base_url)
        self.organization = organization if organization is not None else os.environ.get("OPENAI_ORG_ID")
        self.project = project if project is not None else os.environ.get("OPENAI_PROJECT_ID")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.max_retries = max_retries
        self._custom_headers = dict(default_headers or {})
        headers = {
            "Accept": "application/json",
            "User-Agent": user_agent(),
            "Authorization": f"Bearer {api_key}",
        }
        from threadruns_api.resources._operations import REQUEST_HEADERS  # the API version header, from the spec

        headers.update(REQUEST_HEADERS)
        if self.organization:
            headers["OpenAI-Organization"] = self.organization
        if self.project:
            headers["OpenAI-Project"] = self.project
        for name, value in self._custom_headers.items():  # a custom header replaces ours whatever its case
            put_header(headers, name, value)
        self._default_headers = headers
        # A pool this SDK creates carries the default headers itself (set once, not merged on every request):
        # `_pool_headers` are the headers baked into the pool (None for a caller's http_client).
        self._pool_headers: dict[str, str] | None = None
        self._headers_on_client = False
        self._default_keys = frozenset(name.lower() for name in headers)
        self._warn_if_insecure()

    def copy(
        self,
        *,
        api_key: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
        http_client: _HttpClientT | None = None,
        response_validation: ResponseValidation | None = None,
    ) -> Self:
        """A new client with the given options replaced and the rest kept; ``default_headers`` are merged
        over this client's.

        The copy sends over this client's connection pool unless given ``http_client``; closing the copy
        leaves the pool open, closing this client closes it.
        """
        check_str_mapping("default_headers", default_headers)
        headers = dict(self._custom_headers)
        for name, value in (default_headers or {}).items():  # "x-team" replaces "X-Team"
            put_header(headers, name, value)
        client_class: Any = type(self)  # Client / AsyncClient: the constructors that take http_client
        # As in openai-python, an empty string keeps the current value (a copy cannot drop its organization
        # or project: the shared pool carries their headers).
        copied: Self = client_class(
            api_key=api_key or self.api_key,
            organization=organization or self.organization,
            project=project or self.project,
            base_url=base_url or self.base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers=headers,
            http_client=self._client if http_client is None else http_client,
            response_validation=response_validation or self.response_validation,
        )
        if http_client is None:
            copied._share_pool_of(self)
        copied._default_host = self._default_host and base_url is None
        return copied

    # As in openai-python: ``client.with_options(timeout=5).runs.list(...)`` for one call's worth of options.
    with_options = copy

    def _share_pool_of(self, origin: BaseClient[_HttpClientT]) -> None:
        """Send over ``origin``'s pool (already this client's, not owned): reuse its headers when they are ours."""
        self._pool_headers = origin._pool_headers
        self._headers_on_client = self._pool_headers == self._default_headers

    def _warn_if_insecure(self) -> None:
        host = self.base_url.host
        if self.base_url.scheme == "http" and not _is_loopback(host):
            logger.warning("base_url %s uses plain http to a non-loopback host: the API key travels unencrypted", host)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, max_retries={self.max_retries})"

    # ----------------------------------------------------------------- building

    def _build_request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        kwargs: Mapping[str, Any],
        options: RequestOptions,
        *,
        accept: str | None = None,
    ) -> httpx.Request:
        """An httpx.Request from a generated ``_get_kwargs`` result plus per-call options."""
        method = str(kwargs["method"]).upper()
        # This request's own headers, in a plain dict whose names are unique case-insensitively
        # (a caller's "authorization" replaces ours, never doubles it); httpx merges it over the
        # client's headers. A dict instead of httpx.Headers: this runs on every request.
        headers: dict[str, str] = {}
        if accept is not None:
            headers["Accept"] = accept
        for name, value in (kwargs.get("headers") or {}).items():
            put_header(headers, name, value)
        if method != "GET":
            # One key per logical request, so a retried POST is recognisably the same request.
            import uuid  # loaded by the first POST (with `platform`), not by `import threadruns`

            headers["Idempotency-Key"] = f"threadruns-retry-{uuid.uuid4()}"
        if options.extra_headers:
            for name, value in options.extra_headers.items():
                put_header(headers, name, value)
        params: dict[str, Any] | None = kwargs.get("params") or None
        if options.extra_query:
            params = {**(params or {}), **options.extra_query}
        body = kwargs.get("json")
        if options.extra_body:
            if body is not None and not isinstance(body, dict):
                raise TypeError("extra_body can only be merged into a JSON object body")
            body = {**(body or {}), **options.extra_body}
        content = None if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if content is not None:
            put_header(headers, "Content-Type", "application/json")
        if not self._headers_on_client or any(name.lower() in self._default_keys for name in headers):
            # The defaults with this request's values in their places, exactly as httpx will then merge them
            # over its client's headers. Only needed when the client lacks the defaults or one is overridden:
            # otherwise httpx adds this request's headers after the client's in the same order.
            merged = dict(self._default_headers)
            for name, value in headers.items():
                put_header(merged, name, value)
            headers = merged
        timeout = self.timeout if isinstance(options.timeout, NotGiven) else options.timeout
        return client.build_request(
            method,
            self._url_prefix + kwargs["url"],
            params=params,
            content=content,
            headers=headers,
            timeout=timeout,
        )

    def _connection_error(self, request: httpx.Request, exc: Exception) -> str:
        """Where the request went and why it got no answer, with a hint where the cause suggests one."""
        url = request.url
        cause = _cause(exc)
        message = f"Connection error: {request.method} {url.scheme}://{url.netloc.decode()}{url.path}: {cause}"
        if "SSL" in cause or "TLS" in cause or "WRONG_VERSION_NUMBER" in cause:
            message += " (TLS failed: if the server speaks plain HTTP, use an http:// base_url)"
        if self._default_host:
            message += (
                f" (base_url fell back to the default {DEFAULT_BASE_URL}, which no longer serves the Assistants API: "
                "pass base_url= or set OPENAI_BASE_URL to your server)"
            )
        return message

    def _max_retries(self, options: RequestOptions) -> int:
        return self.max_retries if isinstance(options.max_retries, NotGiven) else options.max_retries

    # ----------------------------------------------------------------- answers

    def _make_status_error(self, response: httpx.Response) -> APIStatusError:
        body = _decode_error_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        if not isinstance(message, str) or not message:
            text = response.text[:RAW_BODY_PREVIEW] if isinstance(body, str) else json.dumps(body)[:RAW_BODY_PREVIEW]
            message = text or response.reason_phrase
        return status_error_class(response.status_code)(
            f"Error code: {response.status_code} - {message}", response=response, body=body
        )

    def _log_request(self, request: httpx.Request, attempt: int) -> None:
        if logger.isEnabledFor(10):
            logger.debug(
                "Request %s %s (attempt %d) headers=%s",
                request.method,
                request.url,
                attempt + 1,
                redact_headers(request.headers.items()),
            )


def _cause(exc: BaseException) -> str:
    """The socket-level reason under an httpx error (`Connection refused`, a name not resolved), else its text."""
    text = str(exc) or type(exc).__name__
    seen: BaseException | None = exc
    for _ in range(6):  # the chain httpx/httpcore/anyio build is a few links long
        seen = seen.__cause__ or seen.__context__ if seen is not None else None
        if isinstance(seen, ssl.SSLError):
            break  # its text is already in the message; its errno is an SSL code, not the system's
        if isinstance(seen, OSError) and (seen.errno or seen.strerror):  # an errno's text: `Connection refused`
            reason = os.strerror(seen.errno) if isinstance(seen.errno, int) and seen.errno > 0 else str(seen.strerror)
            return reason if reason in text else f"{text} ({reason})"
    return text


def _decode_error_body(response: httpx.Response) -> object:
    try:
        return json.loads(response.content)
    except JSON_DECODE_ERRORS:
        return response.text


def put_header(headers: dict[str, str], name: str, value: str) -> None:
    """Set ``name`` in a dict of headers, replacing an entry that differs from it only in case."""
    lower = name.lower()
    for key in headers:
        if key.lower() == lower:
            del headers[key]
            break
    headers[name] = value


def is_json(response: httpx.Response) -> bool:
    """Whether the body may be read as JSON: a JSON content type, or none given."""
    content_type = response.headers.get("content-type", "")
    return not content_type or "json" in content_type.lower()


def parse_json(response: httpx.Response) -> Any:
    """The JSON body of a 2xx response, or APIResponseValidationError."""
    content_type = response.headers.get("content-type", "")
    if content_type and "json" not in content_type.lower():
        raise APIResponseValidationError(
            response, None, f"Expected a JSON response, got content-type {content_type!r} ({response.status_code})"
        )
    try:
        return json.loads(response.content)
    except JSON_DECODE_ERRORS as exc:
        raise APIResponseValidationError(
            response, response.text[:RAW_BODY_PREVIEW], f"The response body is not valid JSON: {exc}"
        ) from None


def parse_model(response: httpx.Response, parser: Callable[[Any], _T], name: str) -> _T:
    """Decode and parse a 2xx body; any shape error becomes APIResponseValidationError."""
    data = parse_json(response)
    if not isinstance(data, dict):
        raise APIResponseValidationError(
            response, data, f"Expected a JSON object for {name}, got {type(data).__name__}"
        )
    try:
        return parser(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise APIResponseValidationError(response, data, f"{describe_shape(name, exc)}{_WARN_HINT}") from None


# The strict parse's errors name the option that reads such a server anyway.
_WARN_HINT = " (to read a server that sends this anyway, use response_validation='warn')"


def _stream_type() -> str:
    """The media type of a streamed answer, from the spec (loaded with the operations, not at import)."""
    from threadruns_api.resources._operations import STREAM_CONTENT_TYPE

    return STREAM_CONTENT_TYPE


class SyncAPIClient(BaseClient[httpx.Client]):
    """Sends requests synchronously over an ``httpx.Client``."""

    _client: httpx.Client

    def __init__(self, *, http_client: httpx.Client | None, **config: Any) -> None:
        super().__init__(**config)
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise TypeError(f"http_client must be an httpx.Client, got {type(http_client).__name__}")
        self._owns_client = http_client is None
        if http_client is None:
            http_client = httpx.Client(
                timeout=self.timeout, limits=DEFAULT_CONNECTION_LIMITS, headers=self._default_headers
            )
            self._pool_headers = self._default_headers
            self._headers_on_client = True
        self._client = http_client

    def close(self) -> None:
        """Close the connection pool (only when this client created it)."""
        if self._owns_client:
            self._client.close()

    def request(
        self,
        kwargs: Mapping[str, Any],
        parser: Callable[[httpx.Response], _T],
        options: RequestOptions,
    ) -> _T:
        """Send, retry, raise typed errors, parse. Under ``with_raw_response`` returns the APIResponse."""
        request = self._build_request(self._client, kwargs, options)
        if STREAMED_RESPONSE.get():  # with_streaming_response: the body stays unread until asked for
            streamed = self.send(request, self._max_retries(options), stream=True)
            return APIResponse(streamed, self._tolerance.wrap(parser) if self._tolerance else parser)  # type: ignore[return-value]
        response = self.send(request, self._max_retries(options))
        if self._tolerance is not None:
            parser = self._tolerance.wrap(parser)
        if RAW_RESPONSE.get():
            return APIResponse(response, parser)  # type: ignore[return-value]
        return parser(response)

    def request_stream(self, kwargs: Mapping[str, Any], options: RequestOptions) -> httpx.Response:
        """Send a ``stream: true`` request; the open response is returned once its status is 2xx."""
        request = self._build_request(self._client, kwargs, options, accept=_stream_type())
        return self.send(request, self._max_retries(options), stream=True)

    def send(self, request: httpx.Request, max_retries: int, *, stream: bool = False) -> httpx.Response:
        retries_taken = 0
        while True:
            self._log_request(request, retries_taken)
            try:
                response = self._client.send(request, stream=stream)
            except httpx.TimeoutException as exc:
                if retries_taken < max_retries:
                    self._sleep(retries_taken, None, request)
                    retries_taken += 1
                    continue
                raise APITimeoutError(request) from exc
            except httpx.TransportError as exc:
                if retries_taken < max_retries:
                    self._sleep(retries_taken, None, request)
                    retries_taken += 1
                    continue
                raise APIConnectionError(self._connection_error(request, exc), request) from exc
            except httpx.HTTPError as exc:  # undecodable body, too many redirects: not worth a retry
                raise APIConnectionError(f"The response could not be read: {type(exc).__name__}", request) from exc
            if response.is_success:
                return response
            if retries_taken < max_retries and should_retry(response):
                response.close()
                self._sleep(retries_taken, response.headers, request)
                retries_taken += 1
                continue
            if stream:
                try:
                    response.read()
                except httpx.HTTPError:
                    pass
                finally:
                    response.close()
            raise self._make_status_error(response)

    def _sleep(self, retries_taken: int, headers: httpx.Headers | None, request: httpx.Request) -> None:
        delay = retry_delay(retries_taken, headers)
        logger.info("Retrying %s %s in %.3f seconds", request.method, request.url, delay)
        time.sleep(delay)


class AsyncAPIClient(BaseClient[httpx.AsyncClient]):
    """Sends requests asynchronously over an ``httpx.AsyncClient``."""

    _client: httpx.AsyncClient

    def __init__(self, *, http_client: httpx.AsyncClient | None, **config: Any) -> None:
        super().__init__(**config)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError(f"http_client must be an httpx.AsyncClient, got {type(http_client).__name__}")
        self._owns_client = http_client is None
        if http_client is None:
            http_client = httpx.AsyncClient(
                timeout=self.timeout, limits=DEFAULT_CONNECTION_LIMITS, headers=self._default_headers
            )
            self._pool_headers = self._default_headers
            self._headers_on_client = True
        self._client = http_client

    async def close(self) -> None:
        """Close the connection pool (only when this client created it)."""
        if self._owns_client:
            await self._client.aclose()

    async def request(
        self,
        kwargs: Mapping[str, Any],
        parser: Callable[[httpx.Response], _T],
        options: RequestOptions,
    ) -> _T:
        """Send, retry, raise typed errors, parse. Under ``with_raw_response`` returns the APIResponse."""
        request = self._build_request(self._client, kwargs, options)
        if STREAMED_RESPONSE.get():
            streamed = await self.send(request, self._max_retries(options), stream=True)
            wrapped = self._tolerance.wrap(parser) if self._tolerance else parser
            return AsyncAPIResponse(streamed, wrapped)  # type: ignore[return-value]
        response = await self.send(request, self._max_retries(options))
        if self._tolerance is not None:
            parser = self._tolerance.wrap(parser)
        if RAW_RESPONSE.get():
            return APIResponse(response, parser)  # type: ignore[return-value]
        return parser(response)

    async def request_stream(self, kwargs: Mapping[str, Any], options: RequestOptions) -> httpx.Response:
        """Send a ``stream: true`` request; the open response is returned once its status is 2xx."""
        request = self._build_request(self._client, kwargs, options, accept=_stream_type())
        return await self.send(request, self._max_retries(options), stream=True)

    async def send(self, request: httpx.Request, max_retries: int, *, stream: bool = False) -> httpx.Response:
        retries_taken = 0
        while True:
            self._log_request(request, retries_taken)
            try:
                response = await self._client.send(request, stream=stream)
            except httpx.TimeoutException as exc:
                if retries_taken < max_retries:
                    await self._sleep(retries_taken, None, request)
                    retries_taken += 1
                    continue
                raise APITimeoutError(request) from exc
            except httpx.TransportError as exc:
                if retries_taken < max_retries:
                    await self._sleep(retries_taken, None, request)
                    retries_taken += 1
                    continue
                raise APIConnectionError(self._connection_error(request, exc), request) from exc
            except httpx.HTTPError as exc:  # undecodable body, too many redirects: not worth a retry
                raise APIConnectionError(f"The response could not be read: {type(exc).__name__}", request) from exc
            if response.is_success:
                return response
            if retries_taken < max_retries and should_retry(response):
                await response.aclose()
                await self._sleep(retries_taken, response.headers, request)
                retries_taken += 1
                continue
            if stream:
                try:
                    await response.aread()
                except httpx.HTTPError:
                    pass
                finally:
                    await response.aclose()
            raise self._make_status_error(response)

    async def _sleep(self, retries_taken: int, headers: httpx.Headers | None, request: httpx.Request) -> None:
        delay = retry_delay(retries_taken, headers)
        logger.info("Retrying %s %s in %.3f seconds", request.method, request.url, delay)
        import asyncio

        await asyncio.sleep(delay)
