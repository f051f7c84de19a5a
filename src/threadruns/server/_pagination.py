"""Cursor pagination as the spec describes it: ``limit``, ``order``, ``after``, ``before``.

Items are kept in one total order (``created_at``, ties broken by a creation sequence). A cursor is the
position of its ID in that order, looked up afresh on every request. Objects are never deleted, so a walk
with ``after`` never repeats or skips an object that existed when the walk started, whatever is inserted
meanwhile: new objects land at the newest end, outside the part of the order still ahead of a
newest-first walk. An unknown cursor ID is a 400 naming ``after`` or ``before``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

from ._errors import ApiError
from ._objects import Json

T = TypeVar("T")
Order = Literal["asc", "desc"]

DEFAULT_LIMIT = 20


def paginate(
    items: Sequence[T],
    *,
    item_id: Callable[[T], str],
    to_json: Callable[[T], Json],
    kind: str,
    limit: int = DEFAULT_LIMIT,
    order: Order = "desc",
    after: str | None = None,
    before: str | None = None,
) -> Json:
    """One page of ``items`` (given oldest first) as a list object with ``first_id``/``last_id``/``has_more``.

    ``after`` pages towards the end of the chosen order; ``before`` alone returns the ``limit`` items right
    before the cursor, and ``has_more`` then says whether more items lie further towards the start.
    """
    ordered = list(items) if order == "asc" else list(reversed(items))
    positions = {item_id(item): index for index, item in enumerate(ordered)}
    start, end = 0, len(ordered)
    if after is not None:
        start = _position(positions, after, "after", kind) + 1
    if before is not None:
        end = _position(positions, before, "before", kind)
    if before is not None and after is None:
        first = max(start, end - limit)
        page = ordered[first:end]
        has_more = first > start
    else:
        page = ordered[start : min(end, start + limit)] if start < end else []
        has_more = start + limit < end
    data = [to_json(item) for item in page]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def _position(positions: dict[str, int], cursor: str, param: str, kind: str) -> int:
    try:
        return positions[cursor]
    except KeyError:
        raise ApiError(400, f"Invalid '{param}': no {kind} with id '{cursor}' in this list.", param=param) from None
