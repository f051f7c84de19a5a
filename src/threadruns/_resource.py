"""What every generated resource method does with its arguments: check, build, send, parse.

The generated resources (``threadruns_api.resources``) hand each call here with the
operation it is (an ``Operation``: the spec's facts as data) and the caller's
arguments by name. This module knows no operation: it checks each argument against
its schema, builds the request with the generated ``_get_kwargs``, and turns the
answer into a model, a cursor page or an event stream.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from threadruns_api.types import ShapeError, tolerated

from ._base_client import AsyncAPIClient, RequestOptions, SyncAPIClient, is_json, parse_model
from ._exceptions import describe_error
from ._fast import fast_parser
from ._operation import Kwargs, Operation
from ._pagination import AsyncCursorPage, AsyncPaginator, Cursor, SyncCursorPage, start_cursor
from ._response import RAW_RESPONSE
from ._schema_check import check_schema
from ._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from ._validation import check_id

if TYPE_CHECKING:
    from ._streaming import AsyncRunStream, RunStream

_DEFAULT_OPTIONS = RequestOptions()
_CURSORS = ("after", "before")


def _options(
    extra_headers: Headers | None,
    extra_query: Query | None,
    extra_body: Body | None,
    timeout: Timeout | NotGiven,
    max_retries: int | NotGiven,
) -> RequestOptions:
    """The per-call options; the usual call passes none and shares one checked instance."""
    if (
        extra_headers is None
        and extra_query is None
        and extra_body is None
        and isinstance(timeout, NotGiven)
        and isinstance(max_retries, NotGiven)
    ):
        return _DEFAULT_OPTIONS
    return RequestOptions(timeout, max_retries, extra_headers, extra_query, extra_body)


_SCALARS = (str, int, float, bool, type(None))


def to_json(value: Any) -> Any:
    """Plain JSON data from a value that may hold generated models, dicts and lists."""
    if type(value) in _SCALARS:
        return value
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def _models() -> Any:
    return importlib.import_module("threadruns_api.models")


def prepare(op: Operation, args: Mapping[str, Any]) -> tuple[Kwargs, bool]:
    """The generated ``_get_kwargs`` of ``op`` for these arguments, and whether the answer streams.

    Every argument is checked against its schema first; a bad one raises TypeError/ValueError
    naming it, and nothing is sent. NOT_GIVEN arguments are left out of the request.
    """
    unknown = [name for name in args if name not in op.by_name]
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) for {op.name}: {', '.join(sorted(unknown))}")
    path: Kwargs = {}
    query: Kwargs = {}
    body: Kwargs | None = {} if op.body_model is not None else None
    for param in op.params:
        value = args.get(param.name, NOT_GIVEN)
        if value is NOT_GIVEN or isinstance(value, NotGiven):  # (most arguments of a call are not given)
            if param.required:
                raise TypeError(f"{op.name}() missing required argument: {param.name!r}")
            continue
        if param.location == "path":
            path[param.name] = check_id(param.name, value)
            continue
        data = to_json(value)
        check_schema(param.name, data, param.schema, op.schemas)
        if param.name.endswith("_id") and isinstance(data, str):
            check_id(param.name, data)  # an object ID, even in a body: the same rules as in a path
        if param.location == "query":
            query[param.name] = data
        elif body is not None:
            body[param.wire] = data
    stream = op.stream and body is not None and body.get("stream") is True
    return _build(op, path, query, body), stream


def _build(op: Operation, path: Kwargs, query: Kwargs, body: Kwargs | None) -> Kwargs:
    try:
        return op.build(path, query, body)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # A shape the schema checks let through but the generated model cannot take: name the argument.
        if body and op.body_model:
            model = getattr(_models(), op.body_model)
            required = {p.wire for p in op.params if p.location == "body" and p.required}
            base = {key: value for key, value in body.items() if key in required}
            for key, value in body.items():
                try:
                    model.from_dict({**base, key: value})
                except (AttributeError, KeyError, TypeError, ValueError) as inner:
                    raise ValueError(f"{key} is not valid for {op.name}: {describe_error(inner)}") from None
        raise ValueError(f"invalid arguments for {op.name}: {describe_error(exc)}") from None


def _check_answer_id(model: str, path: str, value: object) -> None:
    """An answer's object id, as later request paths need it (``check_id``); a ShapeError at ``path`` if not."""
    try:
        check_id("id", value)
    except (TypeError, ValueError) as exc:
        error = ShapeError(str(exc).removeprefix("id "), path)
        if not tolerated(model, error):
            raise error from None


_PARSERS: dict[int, Callable[[httpx.Response], Any]] = {}


def parser(op: Operation) -> Callable[[httpx.Response], Any]:
    """The answer of ``op`` as its response model (built once per operation).

    A body that matches the schema exactly takes the fast path (``_fast``); any other goes to the
    generated ``from_dict``, which keeps what the spec allows and raises naming what it does not.
    """
    found = _PARSERS.get(id(op))
    if found is not None:
        return found
    import attrs

    model = getattr(_models(), op.response_model)
    name = op.response_model
    check = _id_check(name, paged=op.item_model is not None, has_id="id" in attrs.fields_dict(model))
    fast = fast_parser(name)

    def build(data: Any) -> Any:
        obj = model.from_dict(data)
        check(obj)
        return obj

    def parse(response: httpx.Response) -> Any:
        if fast is not None and is_json(response):
            obj = fast(response.content)
            if obj is not None:
                try:
                    check(obj)
                    return obj
                except ShapeError:
                    pass  # the full parse below raises it, with the body
        return parse_model(response, build, name)

    _PARSERS[id(op)] = parse
    return parse


def _id_check(name: str, *, paged: bool, has_id: bool) -> Callable[[Any], None]:
    """What a parsed answer's ids must also be: usable in later request paths (``check_id``)."""
    if paged:

        def check(listing: Any) -> None:
            # The page's own fields drive the walk: the model checks their types (has_more a bool, the cursors
            # str or null, data a list); every item's id must also be usable as the next cursor, as retrieve checks it.
            items = listing.data if isinstance(listing.data, list) else ()
            for index, item in enumerate(items):
                item_id = getattr(item, "id", None)
                if type(item_id) is not str or not (item_id.isascii() and item_id.isidentifier()):  # (check_id's own
                    _check_answer_id(name, f".data[{index}].id", item_id)  # fast path, without two calls per item)

        return check
    if has_id:
        return lambda obj: _check_answer_id(name, ".id", obj.id)
    return lambda obj: None


def _page_fields(listing: Any, *, backwards: bool, bound: Cursor) -> dict[str, Any]:
    return {
        "data": list(listing.data),
        "has_more": listing.has_more,
        "first_id": listing.first_id,
        "last_id": listing.last_id,
        "backwards": backwards,
        "bound": dict(bound),
    }


def _start(args: Mapping[str, Any]) -> tuple[dict[str, Any], Cursor, bool]:
    """The arguments without the cursors, the first page's cursor, and the walk's direction."""
    start, backwards = start_cursor(args.get("after", NOT_GIVEN), args.get("before", NOT_GIVEN))
    return {k: v for k, v in args.items() if k not in _CURSORS}, start, backwards


class SyncAPIResource:
    """A resource of ``Client``: its generated methods call ``_call`` and ``_list``."""

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    def _call(self, op: Operation, args: Mapping[str, Any], options: RequestOptions) -> Any:
        kwargs, stream = prepare(op, args)
        if stream:
            return self._open_stream(kwargs, options)
        return self._client.request(kwargs, parser(op), options)

    def _open_stream(self, kwargs: Kwargs, options: RequestOptions) -> RunStream:
        from ._streaming import RunStream

        if RAW_RESPONSE.get():
            raise TypeError("with_raw_response cannot stream: use runs.stream(...) and read stream.response")
        response = self._client.request_stream(kwargs, options)
        try:
            return RunStream(response, self._client._tolerance)
        except BaseException:
            response.close()
            raise

    def _list(self, op: Operation, args: Mapping[str, Any], options: RequestOptions) -> SyncCursorPage[Any]:
        rest, start, backwards = _start(args)
        first, _ = prepare(op, {**rest, **start})  # checks every argument now
        parse_listing = parser(op)

        def fetch(cursor: Cursor, seen: frozenset[str]) -> SyncCursorPage[Any]:
            kwargs = first if cursor is start else prepare(op, {**rest, **cursor})[0]

            def parse(response: httpx.Response) -> SyncCursorPage[Any]:
                fields = _page_fields(parse_listing(response), backwards=backwards, bound=start)
                return SyncCursorPage(fetch=fetch, seen=seen, **fields)

            return self._client.request(kwargs, parse, options)

        return fetch(start, frozenset())


class AsyncAPIResource:
    """A resource of ``AsyncClient``: the async twin of ``SyncAPIResource``."""

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    async def _call(self, op: Operation, args: Mapping[str, Any], options: RequestOptions) -> Any:
        kwargs, stream = prepare(op, args)
        if stream:
            return await self._open_stream(kwargs, options)
        return await self._client.request(kwargs, parser(op), options)

    async def _open_stream(self, kwargs: Kwargs, options: RequestOptions) -> AsyncRunStream:
        from ._streaming import AsyncRunStream

        if RAW_RESPONSE.get():
            raise TypeError("with_raw_response cannot stream: use runs.stream(...) and read stream.response")
        response = await self._client.request_stream(kwargs, options)
        try:
            return AsyncRunStream(response, self._client._tolerance)
        except BaseException:
            await response.aclose()
            raise

    def _list(self, op: Operation, args: Mapping[str, Any], options: RequestOptions) -> AsyncPaginator[Any]:
        rest, start, backwards = _start(args)
        first, _ = prepare(op, {**rest, **start})  # checks every argument now, before anything is awaited
        parse_listing = parser(op)

        async def fetch(cursor: Cursor, seen: frozenset[str]) -> AsyncCursorPage[Any]:
            kwargs = first if cursor is start else prepare(op, {**rest, **cursor})[0]

            def parse(response: httpx.Response) -> AsyncCursorPage[Any]:
                fields = _page_fields(parse_listing(response), backwards=backwards, bound=start)
                return AsyncCursorPage(fetch=fetch, seen=seen, **fields)

            return await self._client.request(kwargs, parse, options)

        return AsyncPaginator(lambda: fetch(start, frozenset()))
