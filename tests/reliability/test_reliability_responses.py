"""The response fuzz: every answer the client parses, mutated on every field path, judged against the spec.

For each mutated body the spec judge (``response_fuzz.judge``, which reads the spec, not the generated
code) says whether the response contract allows it. Then, through the client's own answer parser
(fast path and ``from_dict`` alike):

* an allowed body is accepted, every attribute holds its annotated type, and ``to_dict()`` gives back
  every key as sent (0 valid bodies rejected, 0 lost values);
* any other body raises ``APIResponseValidationError`` naming a JSON path, never a raw exception and
  never a garbage value passed on (0 garbage);
* the fast path accepts a body only when ``from_dict`` gives the same object;
* under ``response_validation="warn"`` nothing raises for shape, and ``to_dict()`` writes the body back
  exactly as it came.
"""

from __future__ import annotations

import copy
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import response_fuzz as fuzz
import threadruns_api.models as models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_kit import FIGURES
from threadruns_api.resources import _operations as operations
from threadruns_api.types import TOLERATE, ShapeError

import threadruns
from threadruns._events import InvalidEventPayload, UnknownEvent, parse_event
from threadruns._fast import fast_parser
from threadruns._resource import parser

# The operation whose answer is each model (a stream payload model is parsed as an event instead).
_OPERATIONS = {
    "RunObject": operations.GET_RUN,
    "RunStepObject": operations.GET_RUN_STEP,
    "MessageObject": operations.GET_MESSAGE,
    "ListRunsResponse": operations.LIST_RUNS,
    "ListRunStepsResponse": operations.LIST_RUN_STEPS,
    "ListMessagesResponse": operations.LIST_MESSAGES,
}
_EVENTS = {"RunStepDeltaObject": "thread.run.step.delta", "MessageDeltaObject": "thread.message.delta"}
BODIES = fuzz.bodies()


def _response(body: Any) -> httpx.Response:
    request = httpx.Request("GET", "http://127.0.0.1:9/v1/threads/thread_1/runs/run_1")
    return httpx.Response(200, content=json.dumps(body).encode(), request=request)


def _parse(model: str) -> Callable[[Any], Any]:
    """The client's parse of a body of ``model``: its operation's answer parser, or the stream event parser."""
    if model in _OPERATIONS:
        answer = parser(_OPERATIONS[model])
        return lambda body: answer(_response(body))
    name = _EVENTS[model]

    def event(body: Any) -> Any:
        try:
            return parse_event(name, body).data
        except InvalidEventPayload as exc:  # what the stream turns into APIResponseValidationError
            raise threadruns.APIResponseValidationError(_response(body), body, str(exc)) from None

    return event


def _subset(sent: Any, written: Any, path: str = "") -> str | None:
    """None when every key and item of ``sent`` is in ``written`` with an equal value, else where not."""
    if isinstance(sent, dict):
        if not isinstance(written, dict):
            return f"{path}: an object became {type(written).__name__}"
        for key, value in sent.items():
            if key not in written:
                return f"{path}.{key}: lost"
            found = _subset(value, written[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(sent, list):
        if not isinstance(written, list) or len(sent) != len(written):
            return f"{path}: the list changed"
        return next(
            (f for i, (a, b) in enumerate(zip(sent, written, strict=True)) if (f := _subset(a, b, f"{path}[{i}]"))),
            None,
        )
    same = sent == written and type(sent) is type(written)
    return None if same else f"{path}: {sent!r} became {written!r}"


class Tally:
    """What the fuzz saw, and every broken promise (each one a failure message)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.broken: list[str] = []

    def check(self, model: str, label: str, body: Any) -> None:
        self.counts["bodies"] += 1
        allowed = fuzz.judge(body, fuzz.model_schema(model))
        self.counts["valid" if allowed else "invalid"] += 1
        parse = _parse(model)
        started = time.monotonic()
        try:
            obj = parse(copy.deepcopy(body))
        except threadruns.APIResponseValidationError as exc:
            obj = None
            if allowed:
                self.broken.append(f"{label}: a valid body rejected: {exc}")
            self.counts["rejected"] += 1
            if not _names_a_path(str(exc)):
                self.broken.append(f"{label}: the error names no JSON path: {exc}")
        except Exception as exc:
            self.broken.append(f"{label}: raw {type(exc).__name__}: {exc}")
            return
        finally:
            if time.monotonic() - started > 2:
                self.broken.append(f"{label}: took over 2 s")
        if obj is not None:
            self.counts["accepted"] += 1
            if not allowed:
                self.broken.append(f"{label}: an invalid body accepted")
            self._accepted(model, label, body, obj)
        self._fast(model, label, body, obj)
        if not allowed:
            self._tolerant(model, label, body)

    def _accepted(self, model: str, label: str, body: Any, obj: Any) -> None:
        cls = getattr(models, model)
        garbage = fuzz.typed(obj, cls)
        if garbage:
            self.counts["garbage"] += 1
            self.broken.append(f"{label}: garbage kept: {garbage}")
        written = obj.to_dict()
        lost = _subset(body, written)
        if lost:
            self.broken.append(f"{label}: to_dict() does not give the body back: {lost}")
        if cls.from_dict(written).to_dict() != written:
            self.broken.append(f"{label}: to_dict() does not round-trip")
        self.counts["round_tripped"] += 1

    def _fast(self, model: str, label: str, body: Any, slow: Any) -> None:
        fast = fast_parser(model)
        if fast is None:
            return
        got = fast(json.dumps(body).encode())
        if got is None:
            return
        self.counts["fast"] += 1
        if slow is None or got != slow or got.to_dict() != slow.to_dict():
            self.broken.append(f"{label}: the fast path differs from from_dict (slow: {slow!r})")

    def _tolerant(self, model: str, label: str, body: Any) -> None:
        try:
            token = TOLERATE.set(_quietly)  # the warn parse, without logging each of thousands of bodies
            try:
                obj = _parse(model)(copy.deepcopy(body))
            finally:
                TOLERATE.reset(token)
        except threadruns.APIResponseValidationError as exc:
            self.broken.append(f"{label}: warn still raised: {exc}")
            return
        except Exception as exc:
            self.broken.append(f"{label}: warn raised raw {type(exc).__name__}: {exc}")
            return
        try:
            written = obj.to_dict()
        except Exception as exc:
            self.broken.append(f"{label}: to_dict() raised on a warn parse: {type(exc).__name__}: {exc}")
            return
        lost = _subset(body, written)
        if lost:
            self.broken.append(f"{label}: warn did not keep the body as sent: {lost}")
        self.counts["tolerated"] += 1


def _quietly(model: str, error: ShapeError) -> None:
    """What a warn client's Tolerance is told (it logs; test_response_validation.py checks that)."""


def _names_a_path(message: str) -> bool:
    head = message.split(":", 1)[0]
    return any(head.startswith(name) for name in (*_OPERATIONS, *_EVENTS, "Expected a JSON object"))


@pytest.mark.scenario("responses.valid-bodies")
@pytest.mark.parametrize("name", sorted(BODIES))
def test_every_realistic_body_is_valid_typed_and_round_trips(name: str) -> None:
    model, body = BODIES[name]
    assert fuzz.judge(body, fuzz.model_schema(model)), f"{name} is not a valid {model} by the spec"
    tally = Tally()
    tally.check(model, name, body)
    assert tally.broken == []
    assert tally.counts["accepted"] == 1
    if fast_parser(model) is not None:
        assert tally.counts["fast"] == 1, f"{name} does not take the fast path"


@pytest.mark.scenario("responses.mutations")
def test_every_field_path_mutated_is_typed_or_a_typed_error() -> None:
    tally = Tally()
    started = time.monotonic()
    for name, (model, body) in sorted(BODIES.items()):
        for label, mutated in fuzz.mutations(model, body):
            tally.check(model, f"{name}{label}", mutated)
    elapsed = time.monotonic() - started
    counts = tally.counts
    FIGURES.set("responses.mutated_bodies", counts["bodies"])
    FIGURES.set("responses.valid_accepted", f"{counts['accepted']} of {counts['valid']}")
    FIGURES.set("responses.invalid_rejected", f"{counts['rejected']} of {counts['invalid']}")
    FIGURES.set("responses.garbage", counts["garbage"])
    FIGURES.set("responses.fast_path_bodies", counts["fast"])
    FIGURES.set("responses.warn_kept_as_sent", f"{counts['tolerated']} of {counts['invalid']}")
    FIGURES.set("responses.fuzz_seconds", round(elapsed, 1))
    assert tally.broken == [], "\n".join(tally.broken[:40]) + f"\n... {len(tally.broken)} in all"
    assert counts["valid"] > 500 and counts["invalid"] > 3000, counts  # the fuzz reaches both kinds
    assert counts["accepted"] == counts["valid"] and counts["rejected"] == counts["invalid"]


def _compound(data: st.DataObject) -> tuple[str, str, Any]:
    name = data.draw(st.sampled_from(sorted(BODIES)))
    model, body = BODIES[name]
    label = name
    for _ in range(data.draw(st.integers(2, 4))):
        options = list(fuzz.mutations(model, body))
        if not options:
            break
        step, body = data.draw(st.sampled_from(options))
        label += step
    return model, label, body


@pytest.mark.scenario("responses.mutations")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_several_mutations_at_once_are_typed_or_a_typed_error(data: st.DataObject) -> None:
    model, label, body = _compound(data)
    tally = Tally()
    tally.check(model, label, body)
    assert tally.broken == []


@pytest.mark.scenario("responses.events")
@pytest.mark.parametrize("name", ["run.completed", "run.requires_action"])
def test_a_known_event_with_an_invalid_run_raises_and_an_unknown_event_stays_unknown(name: str) -> None:
    _, body = BODIES[name]
    checked = 0
    for label, mutated in fuzz.mutations("RunObject", body):
        allowed = fuzz.judge(mutated, fuzz.model_schema("RunObject"))
        if allowed:
            assert parse_event("thread.run.completed", copy.deepcopy(mutated)).data.to_dict() is not None
        else:
            with pytest.raises(InvalidEventPayload, match=r"^RunObject[.\[]"):
                parse_event("thread.run.completed", copy.deepcopy(mutated))
            unknown = parse_event("thread.vendor.heartbeat", mutated)  # outside every pattern of the spec
            assert isinstance(unknown, UnknownEvent) and unknown.data == mutated, label
        checked += 1
    assert checked > 100
