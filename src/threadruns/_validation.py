"""Argument checks run before any request is sent.

Each check raises ``TypeError`` (wrong type) or ``ValueError`` (wrong value)
naming the argument, so a mistake never costs a round trip, and no caller
input can change the path or query of a request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._constants import (
    METADATA_MAX_KEY_LENGTH,
    METADATA_MAX_KEYS,
    METADATA_MAX_VALUE_LENGTH,
    MIN_MAX_TOKENS,
    PAGE_LIMIT_RANGE,
    TEMPERATURE_RANGE,
    TOP_P_RANGE,
)
from ._types import NotGiven

_FORBIDDEN_IN_IDS = ("/", "?", "#", "..")


def check_id(name: str, value: object) -> str:
    """An object ID used in a URL path: a non-empty str that cannot alter the path or query."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    # Every whitespace character but the space is also unprintable, so this covers str.isspace() in C.
    if " " in value or not value.isprintable():
        raise ValueError(f"{name} must not contain whitespace or control characters: {value!r}")
    if not value.strip("."):
        raise ValueError(f"{name} must not be only dots (a dot segment would change the path): {value!r}")
    for bad in _FORBIDDEN_IN_IDS:
        if bad in value:
            raise ValueError(f"{name} must not contain {bad!r}: {value!r}")
    return value


def check_optional_id(name: str, value: object) -> None:
    if not isinstance(value, NotGiven):
        check_id(name, value)


def check_int_range(name: str, value: object, low: int, high: int | None = None) -> None:
    if isinstance(value, NotGiven):
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bounds}, got {value}")


def check_limit(value: object) -> None:
    check_int_range("limit", value, *PAGE_LIMIT_RANGE)


def check_order(value: object) -> None:
    if isinstance(value, NotGiven):
        return
    if not isinstance(value, str):
        raise TypeError(f"order must be a str, got {type(value).__name__}")
    if value not in ("asc", "desc"):
        raise ValueError(f"order must be 'asc' or 'desc', got {value!r}")


def check_number(name: str, value: object, bounds: tuple[float, float], *, nullable: bool = True) -> None:
    if isinstance(value, NotGiven) or (value is None and nullable):
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    low, high = bounds
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value}")


def check_temperature(value: object) -> None:
    check_number("temperature", value, TEMPERATURE_RANGE)


def check_top_p(value: object) -> None:
    check_number("top_p", value, TOP_P_RANGE)


def check_max_tokens(name: str, value: object) -> None:
    if value is not None:
        check_int_range(name, value, MIN_MAX_TOKENS)


def check_metadata(value: object, name: str = "metadata") -> None:
    """At most 16 str keys of up to 64 characters, str values of up to 512; ``None`` clears."""
    if isinstance(value, NotGiven) or value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of str to str, got {type(value).__name__}")
    if len(value) > METADATA_MAX_KEYS:
        raise ValueError(f"{name} may have at most {METADATA_MAX_KEYS} keys, got {len(value)}")
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be str, got {type(key).__name__}")
        if len(key) > METADATA_MAX_KEY_LENGTH:
            raise ValueError(f"{name} key {key[:20]!r}... is longer than {METADATA_MAX_KEY_LENGTH} characters")
        if not isinstance(item, str):
            raise TypeError(f"{name}[{key!r}] must be a str, got {type(item).__name__}")
        if len(item) > METADATA_MAX_VALUE_LENGTH:
            raise ValueError(f"{name}[{key!r}] is longer than {METADATA_MAX_VALUE_LENGTH} characters")


def check_type(name: str, value: object, types: type | tuple[type, ...], *, nullable: bool = True) -> None:
    """``value`` is NOT_GIVEN, None (when nullable), or an instance of ``types``."""
    if isinstance(value, NotGiven) or (value is None and nullable):
        return
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise TypeError(f"{name} must be {_describe(types)}, got bool")
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {_describe(types)}, got {type(value).__name__}")


def check_sequence_of(name: str, value: object, item_types: type | tuple[type, ...], *, nullable: bool = True) -> None:
    """A list/tuple whose items are all instances of ``item_types``."""
    if isinstance(value, NotGiven) or (value is None and nullable):
        return
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list, got {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, item_types):
            raise TypeError(f"{name}[{index}] must be {_describe(item_types)}, got {type(item).__name__}")


def _describe(types: type | tuple[type, ...]) -> str:
    names = [t.__name__ for t in (types if isinstance(types, tuple) else (types,))]
    return " or ".join(names)


def drop_not_given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments the caller actually passed."""
    return {key: value for key, value in values.items() if not isinstance(value, NotGiven)}
