"""Property tests (hypothesis, derandomized so CI is reproducible).

* Every model of ``threadruns_api.models`` round-trips values generated from its JSON schema.
* ``RunStream``/``AsyncRunStream`` over arbitrary bytes, and over arbitrary SSE frames, delivered in random
  chunks through the whole SDK path (``runs.create(stream=True)`` over an ``httpx.MockTransport``), yield
  events or raise a threadruns error, nothing else.
* The SSE decoder gives the same events however the bytes are split into chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import enum
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_kit import API_KEY, FIGURES, spec_schemas
from reliability_schemas import ANY_JSON, SchemaStrategies, model_schemas
from threadruns_api import models

import threadruns
from threadruns._events import (
    MessageDeltaEvent,
    MessageEvent,
    RunEvent,
    RunStepDeltaEvent,
    RunStepEvent,
    UnknownEvent,
)
from threadruns._sse import iter_events

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
COMPONENTS = spec_schemas()
STRATEGIES = SchemaStrategies(COMPONENTS)
MODEL_SCHEMAS = model_schemas(COMPONENTS)
MODEL_CLASSES = {name: getattr(models, name) for name in models.__all__ if hasattr(getattr(models, name), "from_dict")}
ENUM_CLASSES = {
    name: getattr(models, name)
    for name in models.__all__
    if isinstance(getattr(models, name), type) and issubclass(getattr(models, name), enum.Enum)
}
EVENT_TYPES = (RunEvent, RunStepEvent, RunStepDeltaEvent, MessageEvent, MessageDeltaEvent, UnknownEvent)


# ----------------------------------------------------------------------------- model round trips


def _reached(value: Any, found: set[str]) -> None:
    """Names of the model classes inside ``value`` (attrs instances, lists, additional properties)."""
    if attrs.has(type(value)):
        found.add(type(value).__name__)
        for attribute in attrs.fields(type(value)):
            _reached(getattr(value, attribute.name), found)
    elif isinstance(value, list | tuple):
        for item in value:
            _reached(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _reached(item, found)


@pytest.mark.scenario("input.model-roundtrip")
def test_every_model_class_has_a_schema() -> None:
    """The generator's naming is understood for every class, so every model is round-tripped directly."""
    assert MODEL_CLASSES, "threadruns_api.models exposes no models"
    missing = sorted(set(MODEL_CLASSES) - set(MODEL_SCHEMAS))
    assert not missing, f"no schema found for {missing}"
    FIGURES.set("input.models_roundtripped", len(MODEL_CLASSES))


@pytest.mark.scenario("input.model-roundtrip")
@pytest.mark.parametrize("name", sorted(MODEL_CLASSES))
def test_model_round_trips(name: str) -> None:
    cls = MODEL_CLASSES[name]
    strategy = STRATEGIES.build(MODEL_SCHEMAS[name])
    reached: set[str] = set()

    @settings(SETTINGS, max_examples=12)
    @given(value=strategy)
    def round_trip(value: Any) -> None:
        model = cls.from_dict(copy.deepcopy(value))
        assert isinstance(model, cls)
        dumped = model.to_dict()
        assert dumped == value, f"to_dict(from_dict(v)) != v\n v = {value!r}\n to_dict = {dumped!r}"
        json.dumps(dumped, allow_nan=False)  # still plain JSON
        again = cls.from_dict(copy.deepcopy(dumped))
        assert again == model, f"from_dict(to_dict(m)) != m\n m = {model!r}\n again = {again!r}"
        _reached(model, reached)
        FIGURES.add("input.model_examples")

    round_trip()
    assert name in reached


@pytest.mark.scenario("input.model-roundtrip")
@pytest.mark.parametrize("name", sorted(ENUM_CLASSES))
def test_enum_values_round_trip(name: str) -> None:
    """Enums round-trip by value (the models keep unknown values as plain strings elsewhere)."""
    cls = ENUM_CLASSES[name]
    for member in cls:
        assert cls(member.value) is member
        assert str(member) == member.value


# ----------------------------------------------------------------------------- streams over arbitrary bytes

EVENT_NAMES = [
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.requires_action",
    "thread.run.completed",
    "thread.run.failed",
    "thread.run.step.created",
    "thread.run.step.delta",
    "thread.run.step.completed",
    "thread.message.created",
    "thread.message.delta",
    "thread.message.completed",
    "error",
    "done",
    "message",
    "thread.unknown.thing",
]
PAYLOADS: dict[str, str] = {
    "thread.run.": "RunObject",
    "thread.run.step.delta": "RunStepDeltaObject",
    "thread.run.step.": "RunStepObject",
    "thread.message.delta": "MessageDeltaObject",
    "thread.message.": "MessageObject",
}


def _payload_for(name: str) -> st.SearchStrategy[str]:
    """Event data: a spec-valid object for the event's name, arbitrary JSON, or arbitrary text."""
    schema = next(
        (PAYLOADS[prefix] for prefix in sorted(PAYLOADS, key=len, reverse=True) if name.startswith(prefix)), None
    )
    options: list[st.SearchStrategy[str]] = [
        ANY_JSON.map(json.dumps),
        st.text(max_size=20),
        st.just("[DONE]"),
        st.just('{"message": "boom", "type": "server_error", "code": "x", "param": null}'),
    ]
    if schema is not None:
        options.insert(0, STRATEGIES.component(schema).map(lambda value: json.dumps(value)))
    return st.one_of(options)


@st.composite
def sse_frames(draw: st.DrawFn) -> bytes:
    """A stream of SSE frames with assorted line endings, comments, ids and retry fields."""
    frames: list[bytes] = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(EVENT_NAMES) | st.text(max_size=8))
        data = draw(_payload_for(name))
        eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        lines = []
        if draw(st.booleans()):
            lines.append(": keep-alive")
        lines.append(f"event: {name}")
        lines += [f"data: {line}" for line in (data.split("\n") or [""])]
        if draw(st.booleans()):
            lines.append(f"id: {draw(st.integers(0, 99))}")
        frames.append((eol.join(lines) + eol + eol).encode("utf-8", "surrogatepass"))
    if draw(st.booleans()):
        frames.append(b"event: done\ndata: [DONE]\n\n")
    return b"".join(frames)


@st.composite
def chunked(draw: st.DrawFn, body: st.SearchStrategy[bytes]) -> list[bytes]:
    whole = draw(body)
    cuts = sorted(draw(st.lists(st.integers(0, len(whole)), max_size=8)))
    return [whole[a:b] for a, b in zip([0, *cuts], [*cuts, len(whole)], strict=True)]


STREAM_BODIES = chunked(st.binary(max_size=600) | sse_frames())


def _sync_client(chunks: list[bytes]) -> threadruns.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(list(chunks)))

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return threadruns.Client(api_key=API_KEY, base_url="http://127.0.0.1:9/v1", http_client=http, max_retries=0)


def _async_client(chunks: list[bytes]) -> threadruns.AsyncClient:
    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return threadruns.AsyncClient(api_key=API_KEY, base_url="http://127.0.0.1:9/v1", http_client=http, max_retries=0)


def _check_events(events: list[Any]) -> None:
    for event in events:
        assert isinstance(event, EVENT_TYPES), type(event)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as runner:
        yield runner


@pytest.mark.scenario("input.stream-arbitrary-bytes")
def test_sync_stream_over_arbitrary_bytes() -> None:
    @settings(SETTINGS, max_examples=150)
    @given(chunks=STREAM_BODIES)
    def decode(chunks: list[bytes]) -> None:
        client = _sync_client(chunks)
        events: list[Any] = []
        try:
            with client.runs.create("thread_1", assistant_id="asst_1", stream=True) as stream:
                for event in stream:
                    events.append(event)
                with contextlib.suppress(threadruns.ThreadRunsError):
                    stream.final_run()
        except threadruns.ThreadRunsError:
            pass
        finally:
            client._client.close()
        _check_events(events)
        FIGURES.add("input.stream_examples")

    decode()


@pytest.mark.scenario("input.stream-arbitrary-bytes")
def test_async_stream_over_arbitrary_bytes(loop: asyncio.Runner) -> None:
    async def consume(chunks: list[bytes]) -> list[Any]:
        client = _async_client(chunks)
        events: list[Any] = []
        try:
            async with client.runs.stream(thread_id="thread_1", assistant_id="asst_1") as stream:
                async for event in stream:
                    events.append(event)
                with contextlib.suppress(threadruns.ThreadRunsError):
                    await stream.final_messages()
        except threadruns.ThreadRunsError:
            pass
        finally:
            await client._client.aclose()
        return events

    @settings(SETTINGS, max_examples=150)
    @given(chunks=STREAM_BODIES)
    def decode(chunks: list[bytes]) -> None:
        _check_events(loop.run(asyncio.wait_for(consume(chunks), 10)))
        FIGURES.add("input.stream_examples")

    decode()


@pytest.mark.scenario("input.stream-arbitrary-bytes")
def test_sse_decoding_does_not_depend_on_chunking() -> None:
    parts = st.sampled_from(
        [b"\r", b"\n", b"\r\n", b"data: x", b"data:y", b"event: e", b": c", b"id: 1", b"retry: 5", b"\xff", b" "]
    )

    @settings(SETTINGS, max_examples=400)
    @given(whole=st.lists(parts, max_size=25).map(b"".join), data=st.data())
    def same_events(whole: bytes, data: st.DataObject) -> None:
        cuts = sorted(data.draw(st.lists(st.integers(0, len(whole)), max_size=6)))
        chunks = [whole[a:b] for a, b in zip([0, *cuts], [*cuts, len(whole)], strict=True)]
        assert list(iter_events(chunks)) == list(iter_events([whole]))

    same_events()
