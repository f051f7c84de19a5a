"""``response_validation="warn"``: read an imperfect server's answers instead of refusing them.

The generated models raise ``ShapeError`` for a value that is not of its annotated type.
Under a tolerant parse they instead keep that value as sent and report it here; this module
logs one warning per model and path (list indexes left out), once per client, so a server
that always omits ``model`` costs one log line, not one per run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Literal, TypeVar

from threadruns_api.types import TOLERATE, ShapeError, warning_key

from ._logging import logger

ResponseValidation = Literal["strict", "warn"]
RESPONSE_VALIDATION_MODES: tuple[ResponseValidation, ...] = ("strict", "warn")

_T = TypeVar("_T")
_A = TypeVar("_A")


def check_response_validation(value: object) -> ResponseValidation:
    if not isinstance(value, str):
        raise TypeError(f"response_validation must be a str, got {type(value).__name__}")
    if value not in RESPONSE_VALIDATION_MODES:
        raise ValueError(f"response_validation must be 'strict' or 'warn', got {value!r}")
    return value


class Tolerance:
    """What a ``warn`` client does with a value that breaks the response contract: log it once, keep it."""

    def __init__(self) -> None:
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, model: str, error: ShapeError) -> None:
        key = warning_key(model, error)
        with self._lock:
            if key in self._warned:
                return
            self._warned.add(key)
        logger.warning(
            "%s%s: %s; kept as sent (response_validation='warn'), later ones at this path are not logged",
            model,
            error.path,
            error.detail,
        )

    def run(self, parse: Callable[[_A], _T], value: _A) -> _T:
        """``parse(value)`` with this tolerance in effect."""
        token = TOLERATE.set(self)
        try:
            return parse(value)
        finally:
            TOLERATE.reset(token)

    def wrap(self, parse: Callable[[_A], _T]) -> Callable[[_A], _T]:
        return lambda value: self.run(parse, value)
