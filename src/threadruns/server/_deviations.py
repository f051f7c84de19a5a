"""Known ways compatible servers depart from the Runs API, reproduced one by one on request.

``RunsServer(deviations=["null-model"])`` (or ``threadruns serve --deviate null-model``) makes the
embedded server behave like a server with that flaw, so that ``threadruns conformance`` and users' own
tests can see what the flaw looks like to a client. Each name changes one thing; with none given the
server follows the spec.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._objects import Json
from ._streaming import EventSource

# Name -> what a server with this flaw does.
DEVIATIONS: dict[str, str] = {
    "no-parallel-tool-calls": "runs come without the `parallel_tool_calls` key",
    "no-usage": "runs come without the `usage` key",
    "null-model": "runs have `model: null`",
    "created-at-ms": "a run's `created_at` is in milliseconds (its other times stay in seconds)",
    "has-more-false": "list pages always say `has_more: false`",
    "inverted-cursors": "in descending order, `after` and `before` swap meanings",
    "500-for-unknown-ids": "an unknown id is a 500, not a 404",
    "detail-errors": 'error bodies are `{"detail": "..."}`, not `{"error": {...}}`',
    "no-cancel": "cancelling a run is not implemented (501)",
    "stream-ignored": "`stream: true` in the body is ignored: the answer is the run as JSON",
    "foreign-events": "streams send chat-completion chunks, not Assistants events",
    "tools-ignored": "function tools are accepted but never offered to the model: no run requires action",
    "no-auth": "requests without an API key are answered",
    "no-request-id": "answers carry no request id header",
    "no-poll-header": "run answers carry no poll interval header",
}

_RUN = "thread.run"
_BY_ID = ("run", "run step", "message")  # what 500-for-unknown-ids fails on: an id in the path, not the thread
FOREIGN_DONE = b"data: [DONE]\n\n"  # how a chat-completion stream ends


@dataclass(frozen=True)
class Deviations:
    """The set of flaws one server has; empty by default (the server follows the spec)."""

    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: Iterable[str] | None) -> Deviations:
        """Check the names against :data:`DEVIATIONS` (a ``ValueError`` lists the known ones)."""
        if isinstance(names, str):
            raise TypeError("deviations must be a list of names, not a str")
        chosen = frozenset(names or ())
        unknown = sorted(chosen - DEVIATIONS.keys())
        if unknown:
            raise ValueError(f"unknown deviations {unknown}; known: {', '.join(DEVIATIONS)}")
        return cls(chosen)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __bool__(self) -> bool:
        return bool(self.names)

    def run(self, run: Json) -> Json:
        """A run object as the flawed server sends it."""
        if not self.names or run.get("object") != _RUN:
            return run
        run = dict(run)
        if "no-parallel-tool-calls" in self:
            run.pop("parallel_tool_calls", None)
        if "no-usage" in self:
            run.pop("usage", None)
        if "null-model" in self:
            run["model"] = None
        if "created-at-ms" in self and isinstance(run.get("created_at"), int):
            run["created_at"] = run["created_at"] * 1000
        return run

    def page(self, page: Json) -> Json:
        """A list page as the flawed server sends it."""
        if not self.names:
            return page
        page = {**page, "data": [self.run(item) for item in page.get("data", [])]}
        if "has-more-false" in self:
            page["has_more"] = False
        return page

    def cursors(self, order: str, after: str | None, before: str | None) -> tuple[str | None, str | None]:
        """The ``after``/``before`` a flawed server acts on."""
        if "inverted-cursors" in self and order == "desc":
            return before, after
        return after, before

    def error(self, status: int, body: Any, missing: str | None = None) -> tuple[int, Any]:
        """An error answer's status and body as the flawed server sends them (``missing``: the kind of
        object a 404 did not find, if it is one)."""
        if "500-for-unknown-ids" in self and status == 404 and missing in _BY_ID:
            status, body = 500, {"error": {**body["error"], "type": "server_error"}}
        if "detail-errors" in self and isinstance(body, dict) and isinstance(body.get("error"), dict):
            body = {"detail": body["error"].get("message", "")}
        return status, body

    def events(self, events: EventSource) -> EventSource:
        """A run's events as the flawed server streams them (closing this closes ``events``, too).

        With ``foreign-events`` each becomes a chat-completion chunk with no event name (``""``)."""
        try:
            for name, data in events:
                if "foreign-events" not in self:
                    yield name, self.run(data) if name.startswith(_RUN + ".") else data
                else:
                    yield "", _chunk(name, data)
        finally:
            events.close()

    @property
    def done_frame(self) -> bytes | None:
        """The stream's last frame, when the flaw changes it."""
        return FOREIGN_DONE if "foreign-events" in self else None


def _chunk(name: str, data: Json) -> Json:
    """An Assistants event as a chat-completion chunk: a message delta's text, else an empty delta."""
    parts = data.get("delta", {}).get("content", []) if name == "thread.message.delta" else []
    text = "".join(part.get("text", {}).get("value", "") for part in parts)
    finish = "stop" if name == "thread.run.completed" else None
    choice = {"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}
    return {"object": "chat.completion.chunk", "choices": [choice]}


NONE = Deviations()  # a server that follows the spec

__all__ = ["DEVIATIONS", "NONE", "Deviations"]
