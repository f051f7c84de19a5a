"""Argument checks run before any request is sent.

Each check raises ``TypeError`` (wrong type) or ``ValueError`` (wrong value)
naming the argument, so a mistake never costs a round trip, and no caller
input can change the path or query of a request. The checks against the spec's
schemas are in ``_schema_check``.
"""

from __future__ import annotations

from ._types import NotGiven

_FORBIDDEN_IN_IDS = ("/", "?", "#", "..")


def check_id(name: str, value: object) -> str:
    """An object ID used in a URL path: a non-empty str that cannot alter the path or query."""
    if type(value) is str and value.isascii() and value.isidentifier():
        # The usual id (`run_abc123`): ASCII letters, digits and `_` only, so no check below can fail.
        return value
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
