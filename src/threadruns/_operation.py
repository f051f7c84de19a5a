"""What one API operation is, as the generated ``threadruns_api.resources._operations`` states it.

This module holds only the shape of that data and the small conversions the generated
``_get_kwargs`` calls need; every fact in it (paths, arguments, schemas) is generated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Param(NamedTuple):
    """One argument of an operation."""

    name: str  # the Python argument
    wire: str  # its name in the path, query or body
    location: str  # "path", "query" or "body"
    required: bool
    schema: Any  # JSON schema, `$ref`s by component name


Kwargs = dict[str, Any]


@dataclass(frozen=True, eq=False)
class Operation:
    """One operation: how to check its arguments, build its request and parse its answer."""

    id: str
    name: str  # the method's name, for messages
    method: str
    path: str
    params: tuple[Param, ...]
    body_model: str | None
    response_model: str
    item_model: str | None  # a cursor-paged list of these
    stream: bool  # the answer can be an event stream (`stream=True`)
    build: Callable[[Kwargs, Kwargs, Kwargs | None], Kwargs]
    schemas: Mapping[str, Any]
    by_name: dict[str, Param] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {p.name: p for p in self.params})

    @property
    def label(self) -> str:
        return f"{self.name} ({self.method} {self.path})"


def _enum(enum: Callable[[Any], Any], value: Any) -> Any:
    from threadruns_api.types import Unset

    return value if isinstance(value, Unset) else enum(value)


def _enum_list(enum: Callable[[Any], Any], value: Any) -> Any:
    from threadruns_api.types import Unset

    if isinstance(value, Unset):
        return value
    items: Sequence[Any] = value
    return [enum(item) for item in items]
