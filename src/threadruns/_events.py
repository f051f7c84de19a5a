"""Typed events of a run's server-sent event stream.

Each event keeps the SSE event name in ``.event`` and its payload, parsed into
the generated model, in ``.data``. An event name this client does not know, or
a payload that does not parse, arrives as ``UnknownEvent`` with the raw JSON:
never dropped, never a crash. ``match event: case RunEvent(data=run): ...``
type-checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from threadruns_api.models import MessageDeltaObject, MessageObject, RunObject, RunStepDeltaObject, RunStepObject

# A run stream ends after one of these (or after ``done``).
TERMINAL_RUN_EVENTS = frozenset(
    {
        "thread.run.completed",
        "thread.run.failed",
        "thread.run.cancelled",
        "thread.run.expired",
        "thread.run.incomplete",
        "thread.run.requires_action",
    }
)


@dataclass(frozen=True, slots=True)
class RunEvent:
    """``thread.run.*``: the run changed state."""

    event: str
    data: RunObject


@dataclass(frozen=True, slots=True)
class RunStepEvent:
    """``thread.run.step.*`` (not delta): a run step changed state."""

    event: str
    data: RunStepObject


@dataclass(frozen=True, slots=True)
class RunStepDeltaEvent:
    """``thread.run.step.delta``: part of a run step (tool call arguments, outputs) arrived."""

    event: str
    data: RunStepDeltaObject


@dataclass(frozen=True, slots=True)
class MessageEvent:
    """``thread.message.*`` (not delta): a message changed state."""

    event: str
    data: MessageObject


@dataclass(frozen=True, slots=True)
class MessageDeltaEvent:
    """``thread.message.delta``: part of a message's content arrived."""

    event: str
    data: MessageDeltaObject


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """An event this client does not know, or whose payload did not parse; ``data`` is the raw JSON."""

    event: str
    data: Any


AssistantStreamEvent: TypeAlias = (
    RunEvent | RunStepEvent | RunStepDeltaEvent | MessageEvent | MessageDeltaEvent | UnknownEvent
)


def parse_event(name: str, payload: Any) -> AssistantStreamEvent:
    """The typed event for an SSE event name and its decoded JSON payload."""
    if isinstance(payload, dict):
        try:
            if name.startswith("thread.run.step."):
                if name == "thread.run.step.delta":
                    return _typed(RunStepDeltaEvent(name, RunStepDeltaObject.from_dict(payload)))
                return _typed(RunStepEvent(name, RunStepObject.from_dict(payload)))
            if name.startswith("thread.message."):
                if name == "thread.message.delta":
                    return _typed(MessageDeltaEvent(name, MessageDeltaObject.from_dict(payload)))
                return _typed(MessageEvent(name, MessageObject.from_dict(payload)))
            if name.startswith("thread.run."):
                return _typed(RunEvent(name, RunObject.from_dict(payload)))
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    return UnknownEvent(name, payload)


def _typed(event: AssistantStreamEvent) -> AssistantStreamEvent:
    """``event``, or its raw form when its object has no usable string ``id``."""
    if isinstance(getattr(event.data, "id", None), str):
        return event
    return UnknownEvent(event.event, event.data.to_dict())
