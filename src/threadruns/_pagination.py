"""Cursor pages that walk every item lazily, one page in memory at a time.

``for run in client.runs.list(thread_id)`` follows ``after=<last id>`` while the
server says ``has_more`` (or ``before=<first id>`` when the walk started from a
``before`` cursor). It stops on an empty page or a repeated cursor even if
``has_more`` says otherwise, so a misbehaving server cannot loop it forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, Protocol, TypeVar

from ._exceptions import ThreadRunsError
from ._validation import check_optional_id


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_HasId)

Cursor = dict[str, str]


def start_cursor(after: object, before: object) -> tuple[Cursor, bool]:
    """The first page's cursor, and whether the walk goes backwards (``before`` given without ``after``)."""
    check_optional_id("after", after)
    check_optional_id("before", before)
    cursor: Cursor = {}
    if isinstance(after, str):
        cursor["after"] = after
    if isinstance(before, str):
        cursor["before"] = before
    return cursor, "before" in cursor and "after" not in cursor


class _BasePage(Generic[_T]):
    data: list[_T]
    has_more: bool
    first_id: str | None
    last_id: str | None

    def __init__(
        self,
        *,
        data: list[_T],
        has_more: bool,
        first_id: str | None,
        last_id: str | None,
        backwards: bool,
        bound: Cursor | None = None,
        seen: frozenset[str] = frozenset(),
    ) -> None:
        self.data = data
        self.has_more = has_more
        self.first_id = first_id
        self.last_id = last_id
        self._backwards = backwards
        self._bound = {} if backwards or bound is None or "before" not in bound else {"before": bound["before"]}
        self._seen = seen

    def next_page_params(self) -> Cursor | None:
        """The cursor of the next page, or None when this is the last one."""
        if not self.has_more or not self.data:
            return None
        cursor = self.data[0].id if self._backwards else self.data[-1].id
        if cursor in self._seen:
            return None  # the server sent a cursor we already followed: stop rather than loop
        if self._backwards:
            return {"before": cursor}
        # A walk between two cursors keeps its upper bound on every page.
        return {**self._bound, "after": cursor}

    def has_next_page(self) -> bool:
        return self.next_page_params() is not None

    def _next_seen(self, cursor: Cursor) -> frozenset[str]:
        moving = cursor["before"] if self._backwards else cursor["after"]
        return self._seen | {moving}

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(items={len(self.data)}, has_more={self.has_more}, last_id={self.last_id!r})"


class SyncCursorPage(_BasePage[_T]):
    """One page of a list; iterating it yields every item of every following page."""

    def __init__(self, *, fetch: Callable[[Cursor, frozenset[str]], SyncCursorPage[_T]], **fields: Any) -> None:
        super().__init__(**fields)
        self._fetch = fetch

    def next_page(self) -> SyncCursorPage[_T]:
        cursor = self.next_page_params()
        if cursor is None:
            raise ThreadRunsError("No next page: check has_next_page() first")
        return self._fetch(cursor, self._next_seen(cursor))

    get_next_page = next_page  # openai-python's name

    def iter_pages(self) -> Iterator[SyncCursorPage[_T]]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.next_page()

    def __iter__(self) -> Iterator[_T]:
        for page in self.iter_pages():
            yield from page.data


class AsyncCursorPage(_BasePage[_T]):
    """One page of a list; ``async for`` over it yields every item of every following page."""

    def __init__(
        self, *, fetch: Callable[[Cursor, frozenset[str]], Awaitable[AsyncCursorPage[_T]]], **fields: Any
    ) -> None:
        super().__init__(**fields)
        self._fetch = fetch

    async def next_page(self) -> AsyncCursorPage[_T]:
        cursor = self.next_page_params()
        if cursor is None:
            raise ThreadRunsError("No next page: check has_next_page() first")
        return await self._fetch(cursor, self._next_seen(cursor))

    get_next_page = next_page  # openai-python's name

    async def iter_pages(self) -> AsyncIterator[AsyncCursorPage[_T]]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[_T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncPaginator(Generic[_T]):
    """What ``AsyncClient`` list methods return: ``await`` it for the first page, ``async for`` it for all items."""

    def __init__(self, first_page: Callable[[], Awaitable[AsyncCursorPage[_T]]]) -> None:
        self._first_page = first_page

    def __await__(self) -> Generator[Any, None, AsyncCursorPage[_T]]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[_T]:
        page = await self._first_page()
        async for item in page:
            yield item
