"""Typed events of a run's server-sent event stream.

Each event keeps the SSE event name in ``.event`` and its payload, parsed into
the generated model, in ``.data``. An event name this client does not know
arrives as ``UnknownEvent`` with the raw JSON: never dropped. A known event
whose payload is not its model raises ``InvalidEventPayload`` (the stream turns it
into ``APIResponseValidationError`` naming the event): garbage is not passed on.
``match event: case RunEvent(data=run): ...`` type-checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from threadruns_api.models import MessageDeltaObject, MessageObject, RunObject, RunStepDeltaObject, RunStepObject

from ._exceptions import describe_shape
from ._fast import fast_parts


def _terminal_run_events() -> frozenset[str]:
    """The run events after which a stream is over: ``thread.run.<status>`` for each status polling stops at."""
    from threadruns_api.resources._operations import POLL_STOP_STATUSES

    return frozenset(f"thread.run.{status}" for status in POLL_STOP_STATUSES)


# A run stream ends after one of these (or after ``done``).
TERMINAL_RUN_EVENTS = _terminal_run_events()


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


def _payload_models() -> tuple[tuple[str, bool, type[Any]], ...]:
    """(name or prefix, is a prefix, model) for each event of the spec (``openapi/trim.yaml``: stream_events)."""
    from threadruns_api import models
    from threadruns_api.resources._operations import STREAM_EVENTS

    return tuple(
        (pattern.removesuffix("*"), pattern.endswith(".*"), getattr(models, model)) for pattern, model in STREAM_EVENTS
    )


_PAYLOADS = _payload_models()
# The typed event each payload model arrives in; a model without one arrives as UnknownEvent.
_WRAPPERS: dict[type[Any], Any] = {
    RunObject: RunEvent,
    RunStepObject: RunStepEvent,
    RunStepDeltaObject: RunStepDeltaEvent,
    MessageObject: MessageEvent,
    MessageDeltaObject: MessageDeltaEvent,
}


class InvalidEventPayload(ValueError):
    """A known event whose payload is not the model the spec gives it."""


@dataclass(frozen=True, slots=True)
class EventKind:
    """What an event name stands for: its payload model, the typed event it arrives in, its fast parse
    (``_fast.fast_parts``: decode, build, the exception of a miss), and whether the stream notes it."""

    model: type[Any]
    wrapper: Any
    fast: tuple[Callable[[bytes | str], Any], Callable[[Any], Any], type[Exception]] | None
    noted: bool  # a run (the final run) or a message (the final messages)


_KINDS: dict[str, EventKind | None] = {}
_MAX_KINDS = 256  # names are the server's: a bound on what is remembered of them


def event_kind(name: str) -> EventKind | None:
    """The kind of event ``name`` by the spec's patterns (remembered per name), or None when unknown."""
    try:
        return _KINDS[name]
    except KeyError:
        pass
    kind = None
    for pattern, prefix, model in _PAYLOADS:
        if name == pattern or (prefix and name.startswith(pattern)):
            wrapper = _WRAPPERS.get(model)
            if wrapper is not None:
                noted = wrapper in (RunEvent, MessageEvent)
                kind = EventKind(model, wrapper, fast_parts(model.__name__), noted)
            break
    if len(_KINDS) < _MAX_KINDS:
        _KINDS[name] = kind
    return kind


def parse_event(name: str, payload: Any) -> AssistantStreamEvent:
    """The typed event for an SSE event name and its decoded JSON payload."""
    kind = event_kind(name)
    if kind is None:
        return UnknownEvent(name, payload)
    expected = kind.model.__name__
    if not isinstance(payload, dict):
        raise InvalidEventPayload(f"expected a {expected} object, got {type(payload).__name__}")
    try:  # the model checks every field, `id` included (a str, or under warn kept as sent)
        return kind.wrapper(name, kind.model.from_dict(payload))  # type: ignore[no-any-return]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidEventPayload(describe_shape(expected, exc)) from None
