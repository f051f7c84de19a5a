"""Fault injection: make the next N matching requests fail, stall, lose their body or break their stream.

Rules are checked in the order they were added; each matching request uses up one ``times`` of the first
rule of its kind that matches (``times=None`` never runs out). ``method`` matches case-insensitively;
``path`` matches the request path (prefix included) as a substring, or with ``re.search`` when it is a
compiled pattern. Stream faults (``cut_stream``, ``error_event``) are only used up by streaming responses.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ._objects import Json

FaultKind = Literal["status", "latency", "malformed_body", "cut_stream", "error_event"]
PathMatcher = str | re.Pattern[str] | None


@dataclass
class FaultRule:
    """One injected fault; ``remaining`` counts down as requests use it, ``hits`` counts up."""

    kind: FaultKind
    remaining: int | None
    method: str | None = None
    path: PathMatcher = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    seconds: float = 0.0
    after_events: int = 0
    error: Json | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to a request (ignoring how many times are left)."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is None:
            return True
        if isinstance(self.path, re.Pattern):
            return self.path.search(path) is not None
        return self.path in path

    @property
    def exhausted(self) -> bool:
        """True once the rule has been used ``times`` times."""
        return self.remaining is not None and self.remaining <= 0


class Faults:
    """The fault rules of one server (``server.faults``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(
        self,
        status: int = 503,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: PathMatcher = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> FaultRule:
        """Answer matching requests with ``status`` before they reach the API.

        ``body`` defaults to an OpenAI-style error for the status; a dict or list is sent as JSON, a str or
        bytes as is. ``headers`` (e.g. ``{"retry-after-ms": "100"}``) are added to the response.
        """
        return self._add(
            FaultRule("status", times, method, path, status=status, headers=dict(headers or {}), body=body)
        )

    def latency(
        self, seconds: float, *, times: int | None = 1, method: str | None = None, path: PathMatcher = None
    ) -> FaultRule:
        """Wait ``seconds`` before handling matching requests."""
        return self._add(FaultRule("latency", times, method, path, seconds=seconds))

    def malformed_body(
        self, *, times: int | None = 1, method: str | None = None, path: PathMatcher = None
    ) -> FaultRule:
        """Handle matching requests normally, then answer 200 with the JSON body cut in half."""
        return self._add(FaultRule("malformed_body", times, method, path))

    def cut_stream(
        self, after_events: int, *, times: int | None = 1, method: str | None = None, path: PathMatcher = None
    ) -> FaultRule:
        """End matching event streams after ``after_events`` events, without ``[DONE]``."""
        return self._add(FaultRule("cut_stream", times, method, path, after_events=after_events))

    def error_event(
        self,
        *,
        after_events: int = 0,
        message: str = "The server had an error while processing your request.",
        type: str = "server_error",
        code: str | None = None,
        param: str | None = None,
        times: int | None = 1,
        method: str | None = None,
        path: PathMatcher = None,
    ) -> FaultRule:
        """Send ``event: error`` (an Error payload) after ``after_events`` events, then end the stream."""
        error = {"message": message, "type": type, "param": param, "code": code}
        return self._add(FaultRule("error_event", times, method, path, after_events=after_events, error=error))

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """The rules that still have uses left, in the order they are checked."""
        with self._lock:
            return [rule for rule in self._rules if not rule.exhausted]

    def take(self, kind: FaultKind, method: str, path: str) -> FaultRule | None:
        """Use up one ``times`` of the first live rule of ``kind`` matching the request, if any."""
        with self._lock:
            for rule in self._rules:
                if rule.kind == kind and not rule.exhausted and rule.matches(method, path):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    rule.hits += 1
                    return rule
        return None

    def _add(self, rule: FaultRule) -> FaultRule:
        if rule.remaining is not None and rule.remaining < 1:
            raise ValueError("times must be at least 1 (or None for no limit)")
        with self._lock:
            self._rules.append(rule)
        return rule
