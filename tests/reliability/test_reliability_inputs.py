"""The bad-input catalogue: every bad argument raises ValueError/TypeError naming it, before any request.

Each case runs with ``Client`` and ``AsyncClient`` against one embedded server, whose request log must not
grow. ``raises`` below is the exception class expected (``TypeError`` for a wrong type, ``ValueError``
for a wrong value) and ``names`` the text the message must contain.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from reliability_kit import API_KEY, FIGURES, MODES, Mode

import threadruns
from threadruns.server import RunsServer

T, R, S, A = "thread_ok", "run_ok", "step_ok", "asst_ok"
OUTPUTS = [{"tool_call_id": "call_1", "output": "42"}]
Call = Callable[[Any], Any]


@dataclass(frozen=True)
class Case:
    """One bad input: ``call(client)`` must raise ``raises`` with ``names`` in the message."""

    id: str
    call: Call
    raises: type[Exception]
    names: str


class Harness:
    """One server, one sync and one async client (on one event loop) for the whole module."""

    def __init__(self, server: RunsServer) -> None:
        self.server = server
        self.loop = asyncio.Runner()
        self.sync = threadruns.Client(api_key=API_KEY, base_url=server.url, max_retries=0)
        self.async_ = threadruns.AsyncClient(api_key=API_KEY, base_url=server.url, max_retries=0)

    def run(self, mode: Mode, call: Call) -> None:
        if mode == "sync":
            result = call(self.sync)
            if hasattr(result, "__enter__"):  # a stream manager: entering it would send the request
                with result:
                    pass
            return

        async def invoke() -> None:
            result = call(self.async_)
            if asyncio.iscoroutine(result) or isinstance(result, threadruns.AsyncPaginator):
                result = await result
            if hasattr(result, "__aenter__"):
                async with result:
                    pass

        self.loop.run(asyncio.wait_for(invoke(), 10))

    def close(self) -> None:
        self.sync.close()
        self.loop.run(self.async_.close())
        self.loop.close()


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with RunsServer() as server:
        drv = Harness(server)
        try:
            yield drv
        finally:
            drv.close()


def check(harness: Harness, mode: Mode, case: Case) -> None:
    before = len(harness.server.requests)
    with pytest.raises(Exception) as info:
        harness.run(mode, case.call)
    error = info.value
    assert type(error) is case.raises, f"expected {case.raises.__name__}, got {type(error).__name__}: {error}"
    assert case.names in str(error), f"the message does not name {case.names!r}: {error}"
    assert len(harness.server.requests) == before, "a request was sent for a bad argument"
    FIGURES.distinct("input.bad_inputs", case.id)


# ----------------------------------------------------------------------------- ids

BAD_IDS: dict[str, tuple[object, type[Exception]]] = {
    "slash": ("a/b", ValueError),
    "question": ("a?b=1", ValueError),
    "hash": ("a#frag", ValueError),
    "dotdot": ("..", ValueError),
    "dotdot-inside": ("run..x", ValueError),
    "dot": (".", ValueError),
    "space": ("run 1", ValueError),
    "tab": ("\t", ValueError),
    "newline": ("run_1\n", ValueError),
    "crlf-header": ("run_1\r\nX-Evil: 1", ValueError),
    "nul": ("run\x00", ValueError),
    "nbsp": ("run\u00a0x", ValueError),
    "zero-width": ("run\u200bx", ValueError),
    "rtl-override": ("run\u202ex", ValueError),
    "empty": ("", ValueError),
    "none": (None, TypeError),
    "int": (7, TypeError),
    "bytes": (b"run_1", TypeError),
    "list": (["run_1"], TypeError),
}

# (method label, id argument) -> a call taking the bad value.
ID_CALLS: dict[tuple[str, str], Callable[[object], Call]] = {
    ("list", "thread_id"): lambda v: lambda c: c.runs.list(v),
    ("create", "thread_id"): lambda v: lambda c: c.runs.create(v, assistant_id=A),
    ("create", "assistant_id"): lambda v: lambda c: c.runs.create(T, assistant_id=v),
    ("create-stream", "thread_id"): lambda v: lambda c: c.runs.create(v, assistant_id=A, stream=True),
    ("stream", "thread_id"): lambda v: lambda c: c.runs.stream(thread_id=v, assistant_id=A),
    ("stream", "assistant_id"): lambda v: lambda c: c.runs.stream(thread_id=T, assistant_id=v),
    ("retrieve", "thread_id"): lambda v: lambda c: c.runs.retrieve(R, thread_id=v),
    ("retrieve", "run_id"): lambda v: lambda c: c.runs.retrieve(v, thread_id=T),
    ("update", "thread_id"): lambda v: lambda c: c.runs.update(R, thread_id=v, metadata={}),
    ("update", "run_id"): lambda v: lambda c: c.runs.update(v, thread_id=T, metadata={}),
    ("cancel", "thread_id"): lambda v: lambda c: c.runs.cancel(R, thread_id=v),
    ("cancel", "run_id"): lambda v: lambda c: c.runs.cancel(v, thread_id=T),
    ("submit_tool_outputs", "thread_id"): lambda v: (
        lambda c: c.runs.submit_tool_outputs(R, thread_id=v, tool_outputs=OUTPUTS)
    ),
    ("submit_tool_outputs", "run_id"): lambda v: (
        lambda c: c.runs.submit_tool_outputs(v, thread_id=T, tool_outputs=OUTPUTS)
    ),
    ("submit_tool_outputs_stream", "run_id"): lambda v: (
        lambda c: c.runs.submit_tool_outputs_stream(tool_outputs=OUTPUTS, run_id=v, thread_id=T)
    ),
    ("poll", "run_id"): lambda v: lambda c: c.runs.poll(v, T),
    ("create_and_poll", "thread_id"): lambda v: lambda c: c.runs.create_and_poll(thread_id=v, assistant_id=A),
    ("submit_tool_outputs_and_poll", "run_id"): lambda v: (
        lambda c: c.runs.submit_tool_outputs_and_poll(tool_outputs=OUTPUTS, run_id=v, thread_id=T)
    ),
    ("create_and_run_tools", "thread_id"): lambda v: (
        lambda c: c.runs.create_and_run_tools(thread_id=v, functions={}, assistant_id=A)
    ),
    ("steps.list", "run_id"): lambda v: lambda c: c.runs.steps.list(v, thread_id=T),
    ("steps.retrieve", "step_id"): lambda v: lambda c: c.runs.steps.retrieve(v, thread_id=T, run_id=R),
    ("steps.retrieve", "thread_id"): lambda v: lambda c: c.runs.steps.retrieve(S, thread_id=v, run_id=R),
    ("raw.retrieve", "run_id"): lambda v: lambda c: c.runs.with_raw_response.retrieve(v, thread_id=T),
    ("raw.list", "thread_id"): lambda v: lambda c: c.runs.with_raw_response.list(v),
}

ID_CASES = [
    Case(f"{method}:{arg}={name}", make(value), raises, arg)
    for (method, arg), make in ID_CALLS.items()
    for name, (value, raises) in BAD_IDS.items()
]


@pytest.mark.scenario("input.ids")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", ID_CASES, ids=[case.id for case in ID_CASES])
def test_bad_ids_are_refused_before_sending(harness: Harness, mode: Mode, case: Case) -> None:
    check(harness, mode, case)


# ----------------------------------------------------------------------------- list parameters

LIST_CASES = [
    Case("limit=0", lambda c: c.runs.list(T, limit=0), ValueError, "limit"),
    Case("limit=101", lambda c: c.runs.list(T, limit=101), ValueError, "limit"),
    Case("limit=-1", lambda c: c.runs.list(T, limit=-1), ValueError, "limit"),
    Case("limit='10'", lambda c: c.runs.list(T, limit="10"), TypeError, "limit"),
    Case("limit=True", lambda c: c.runs.list(T, limit=True), TypeError, "limit"),
    Case("limit=1.5", lambda c: c.runs.list(T, limit=1.5), TypeError, "limit"),
    Case("order='up'", lambda c: c.runs.list(T, order="up"), ValueError, "order"),
    Case("order=1", lambda c: c.runs.list(T, order=1), TypeError, "order"),
    Case("after=a/b", lambda c: c.runs.list(T, after="a/b"), ValueError, "after"),
    Case("after=''", lambda c: c.runs.list(T, after=""), ValueError, "after"),
    Case("before=None", lambda c: c.runs.list(T, before=None), TypeError, "before"),
    Case("before='a b'", lambda c: c.runs.list(T, before="a b"), ValueError, "before"),
    Case("steps.limit=1000", lambda c: c.runs.steps.list(R, thread_id=T, limit=1000), ValueError, "limit"),
    Case("steps.order=DESC", lambda c: c.runs.steps.list(R, thread_id=T, order="DESC"), ValueError, "order"),
    Case("steps.include=str", lambda c: c.runs.steps.list(R, thread_id=T, include="x"), TypeError, "include"),
    Case("steps.include=[1]", lambda c: c.runs.steps.list(R, thread_id=T, include=[1]), TypeError, "include"),
]


@pytest.mark.scenario("input.list-params")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", LIST_CASES, ids=[case.id for case in LIST_CASES])
def test_bad_list_parameters(harness: Harness, mode: Mode, case: Case) -> None:
    check(harness, mode, case)


# ----------------------------------------------------------------------------- metadata

BAD_METADATA: dict[str, tuple[object, type[Exception]]] = {
    "17-keys": ({f"k{i}": "v" for i in range(17)}, ValueError),
    "key-65": ({"k" * 65: "v"}, ValueError),
    "value-513": ({"k": "v" * 513}, ValueError),
    "int-key": ({1: "v"}, TypeError),
    "int-value": ({"k": 1}, TypeError),
    "none-value": ({"k": None}, TypeError),
    "list": ([("k", "v")], TypeError),
    "str": ("k=v", TypeError),
}
METADATA_CASES = [
    Case(f"{where}:metadata={name}", make(value), raises, "metadata")
    for where, make in {
        "create": lambda v: lambda c: c.runs.create(T, assistant_id=A, metadata=v),
        "update": lambda v: lambda c: c.runs.update(R, thread_id=T, metadata=v),
        "stream": lambda v: lambda c: c.runs.stream(thread_id=T, assistant_id=A, metadata=v),
    }.items()
    for name, (value, raises) in BAD_METADATA.items()
]


@pytest.mark.scenario("input.metadata")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", METADATA_CASES, ids=[case.id for case in METADATA_CASES])
def test_bad_metadata(harness: Harness, mode: Mode, case: Case) -> None:
    check(harness, mode, case)


# ----------------------------------------------------------------------------- numbers


def _create(**kwargs: Any) -> Call:
    return lambda c: c.runs.create(T, assistant_id=A, **kwargs)


NUMBER_CASES = [
    Case("temperature=-0.1", _create(temperature=-0.1), ValueError, "temperature"),
    Case("temperature=2.1", _create(temperature=2.1), ValueError, "temperature"),
    Case("temperature=nan", _create(temperature=math.nan), ValueError, "temperature"),
    Case("temperature=inf", _create(temperature=math.inf), ValueError, "temperature"),
    Case("temperature='1'", _create(temperature="1"), TypeError, "temperature"),
    Case("temperature=True", _create(temperature=True), TypeError, "temperature"),
    Case("top_p=1.1", _create(top_p=1.1), ValueError, "top_p"),
    Case("top_p=-1", _create(top_p=-1), ValueError, "top_p"),
    Case("top_p=nan", _create(top_p=math.nan), ValueError, "top_p"),
    Case("max_prompt_tokens=255", _create(max_prompt_tokens=255), ValueError, "max_prompt_tokens"),
    Case("max_prompt_tokens='300'", _create(max_prompt_tokens="300"), TypeError, "max_prompt_tokens"),
    Case("max_completion_tokens=1.5", _create(max_completion_tokens=1.5), TypeError, "max_completion_tokens"),
    Case("max_completion_tokens=-1", _create(max_completion_tokens=-1), ValueError, "max_completion_tokens"),
    Case("max_completion_tokens=True", _create(max_completion_tokens=True), TypeError, "max_completion_tokens"),
]


@pytest.mark.scenario("input.numbers")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", NUMBER_CASES, ids=[case.id for case in NUMBER_CASES])
def test_bad_numbers(harness: Harness, mode: Mode, case: Case) -> None:
    check(harness, mode, case)


# ----------------------------------------------------------------------------- create: every argument

CREATE_CASES = [
    Case("model=1", _create(model=1), TypeError, "model"),
    Case("instructions=[]", _create(instructions=[]), TypeError, "instructions"),
    Case("additional_instructions=b''", _create(additional_instructions=b"x"), TypeError, "additional_instructions"),
    Case("additional_messages=str", _create(additional_messages="hi"), TypeError, "additional_messages"),
    Case("additional_messages=[1]", _create(additional_messages=[1]), TypeError, "additional_messages[0]"),
    Case("additional_messages=dict", _create(additional_messages={"role": "user"}), TypeError, "additional_messages"),
    Case("tools=str", _create(tools="code_interpreter"), TypeError, "tools"),
    Case("tools=[1]", _create(tools=[1]), TypeError, "tools[0]"),
    Case("tools=21", _create(tools=[{"type": "code_interpreter"}] * 21), ValueError, "tools"),
    Case("metadata=1", _create(metadata=1), TypeError, "metadata"),
    Case("truncation_strategy=1", _create(truncation_strategy=1), TypeError, "truncation_strategy"),
    Case("tool_choice=1", _create(tool_choice=1), TypeError, "tool_choice"),
    Case("tool_choice=[]", _create(tool_choice=[]), TypeError, "tool_choice"),
    Case("parallel_tool_calls='yes'", _create(parallel_tool_calls="yes"), TypeError, "parallel_tool_calls"),
    Case("parallel_tool_calls=None", _create(parallel_tool_calls=None), TypeError, "parallel_tool_calls"),
    Case("parallel_tool_calls=1", _create(parallel_tool_calls=1), TypeError, "parallel_tool_calls"),
    Case("response_format=1", _create(response_format=1), TypeError, "response_format"),
    Case("reasoning_effort=''", _create(reasoning_effort=""), ValueError, "reasoning_effort"),
    Case("reasoning_effort=1", _create(reasoning_effort=1), TypeError, "reasoning_effort"),
    Case("include=str", _create(include="step_details"), TypeError, "include"),
    Case("include=[1]", _create(include=[1]), TypeError, "include[0]"),
    Case("stream='yes'", _create(stream="yes"), TypeError, "stream"),
    Case("stream=1", _create(stream=1), TypeError, "stream"),
    Case("unknown-keyword", _create(temprature=1), TypeError, "temprature"),
    Case("stream:unknown-keyword", lambda c: c.runs.stream(thread_id=T, assistant_id=A, modle="x"), TypeError, "modle"),
    Case("stream:no-assistant", lambda c: c.runs.stream(thread_id=T), TypeError, "assistant_id"),
    Case(
        "create_and_run_tools:functions=list",
        lambda c: c.runs.create_and_run_tools(thread_id=T, functions=[print], assistant_id=A),
        TypeError,
        "functions",
    ),
    Case(
        "create_and_run_tools:max_rounds=0",
        lambda c: c.runs.create_and_run_tools(thread_id=T, functions={}, max_rounds=0, assistant_id=A),
        ValueError,
        "max_rounds",
    ),
]


@pytest.mark.scenario("input.create-types")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CREATE_CASES, ids=[case.id for case in CREATE_CASES])
def test_bad_create_arguments(harness: Harness, mode: Mode, case: Case) -> None:
    check(harness, mode, case)


@pytest.mark.scenario("input.create-types")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("message", [{}, {"role": "user"}, {"content": "hi"}], ids=["empty", "no-content", "no-role"])
def test_additional_message_missing_required_keys(harness: Harness, mode: Mode, message: dict[str, Any]) -> None:
    check(
        harness,
        mode,
        Case(
            f"additional_messages=[{message}]",
            _create(additional_messages=[message]),
            ValueError,
            "additional_messages",
        ),
    )


# ----------------------------------------------------------------------------- tool outputs


def _submit(outputs: object) -> Call:
    return lambda c: c.runs.submit_tool_outputs(R, thread_id=T, tool_outputs=outputs)


TOOL_OUTPUT_CASES = [
    Case("empty", _submit([]), ValueError, "tool_outputs"),
    Case("str", _submit("42"), TypeError, "tool_outputs"),
    Case("none", _submit(None), TypeError, "tool_outputs"),
    Case("ints", _submit([1, 2]), TypeError, "tool_outputs[0]"),
    Case("call-id-int", _submit([{"tool_call_id": 1, "output": "x"}]), TypeError, "tool_outputs[0].tool_call_id"),
    Case("output-int", _submit([{"tool_call_id": "c", "output": 2}]), TypeError, "tool_outputs[0].output"),
    Case("output-none", _submit([{"tool_call_id": "c", "output": None}]), TypeError, "tool_outputs[0].output"),
    Case(
        "stream:empty",
        lambda c: c.runs.submit_tool_outputs_stream(tool_outputs=[], run_id=R, thread_id=T),
        ValueError,
        "tool_outputs",
    ),
    Case(
        "and_poll:str",
        lambda c: c.runs.submit_tool_outputs_and_poll(tool_outputs="x", run_id=R, thread_id=T),
        TypeError,
        "tool_outputs",
    ),
    Case(
        "unknown-keyword",
        lambda c: c.runs.submit_tool_outputs(R, thread_id=T, tool_outputs=OUTPUTS, outputs=OUTPUTS),
        TypeError,
        "outputs",
    ),
]


@pytest.mark.scenario("input.tool-outputs")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", TOOL_OUTPUT_CASES, ids=[case.id for case in TOOL_OUTPUT_CASES])
def test_bad_tool_outputs(harness: Harness, mode: Mode, case: Case) -> None:
    check(harness, mode, case)


# ----------------------------------------------------------------------------- per-call options

OPTION_CASES = [
    Case("timeout=None", lambda c: c.runs.retrieve(R, thread_id=T, timeout=None), ValueError, "timeout"),
    Case("timeout=0", lambda c: c.runs.retrieve(R, thread_id=T, timeout=0), ValueError, "timeout"),
    Case("timeout=-1", lambda c: c.runs.retrieve(R, thread_id=T, timeout=-1), ValueError, "timeout"),
    Case("timeout=inf", lambda c: c.runs.retrieve(R, thread_id=T, timeout=math.inf), ValueError, "timeout"),
    Case("timeout='5'", lambda c: c.runs.retrieve(R, thread_id=T, timeout="5"), TypeError, "timeout"),
    Case(
        "timeout=Timeout(read=None)",
        lambda c: c.runs.retrieve(R, thread_id=T, timeout=httpx.Timeout(5.0, read=None)),
        ValueError,
        "timeout.read",
    ),
    Case("max_retries=-1", lambda c: c.runs.retrieve(R, thread_id=T, max_retries=-1), ValueError, "max_retries"),
    Case("max_retries=True", lambda c: c.runs.retrieve(R, thread_id=T, max_retries=True), TypeError, "max_retries"),
    Case("max_retries='2'", lambda c: c.runs.retrieve(R, thread_id=T, max_retries="2"), TypeError, "max_retries"),
    Case("create:timeout=0", _create(timeout=0), ValueError, "timeout"),
    Case(
        "stream:max_retries=-1",
        lambda c: c.runs.stream(thread_id=T, assistant_id=A, max_retries=-1),
        ValueError,
        "max_retries",
    ),
    Case("poll:poll_interval=0", lambda c: c.runs.poll(R, T, poll_interval_ms=0), ValueError, "poll_interval"),
    Case(
        "poll:poll_interval='1'", lambda c: c.runs.poll(R, T, poll_interval_ms=("1") * 1000), TypeError, "poll_interval"
    ),
    Case("poll:timeout=-5", lambda c: c.runs.poll(R, T, poll_timeout=-5), ValueError, "timeout"),
    Case(
        "create_and_poll:poll_timeout=0",
        lambda c: c.runs.create_and_poll(thread_id=T, assistant_id=A, poll_timeout=0),
        ValueError,
        "timeout",
    ),
]


@pytest.mark.scenario("input.request-options")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", OPTION_CASES, ids=[case.id for case in OPTION_CASES])
def test_bad_request_options(harness: Harness, mode: Mode, case: Case) -> None:
    check(harness, mode, case)


UNCHECKED_OPTIONS = {
    "extra_headers=str": (lambda c: c.runs.retrieve(R, thread_id=T, extra_headers="x"), "extra_headers"),
    "extra_headers-int-value": (lambda c: c.runs.retrieve(R, thread_id=T, extra_headers={"X-A": 1}), "extra_headers"),
    "extra_headers-bad-name": (lambda c: c.runs.retrieve(R, thread_id=T, extra_headers={"X A": "1"}), "extra_headers"),
    "extra_query=str": (lambda c: c.runs.retrieve(R, thread_id=T, extra_query="x"), "extra_query"),
    "extra_body=list": (lambda c: c.runs.update(R, thread_id=T, metadata={}, extra_body=[1]), "extra_body"),
}


@pytest.mark.scenario("input.request-options")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(UNCHECKED_OPTIONS))
def test_unchecked_option_types(harness: Harness, mode: Mode, name: str) -> None:
    call, option = UNCHECKED_OPTIONS[name]
    before = len(harness.server.requests)
    with pytest.raises((TypeError, ValueError)) as info:
        harness.run(mode, call)
    assert len(harness.server.requests) == before
    assert option in str(info.value), f"the message does not name {option!r}: {info.value}"


# ----------------------------------------------------------------------------- client configuration

CONFIG_CASES: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("api_key=None", {"api_key": None}, threadruns.ThreadRunsError, "api_key"),
    ("api_key=''", {"api_key": ""}, threadruns.ThreadRunsError, "api_key"),
    ("api_key=int", {"api_key": 12345}, TypeError, "api_key"),
    ("base_url=ftp", {"base_url": "ftp://example.com/v1"}, ValueError, "base_url"),
    ("base_url=relative", {"base_url": "/v1"}, ValueError, "base_url"),
    ("base_url=no-host", {"base_url": "http:///v1"}, ValueError, "base_url"),
    ("timeout=None", {"timeout": None}, ValueError, "timeout"),
    ("timeout=0", {"timeout": 0}, ValueError, "timeout"),
    ("timeout=nan", {"timeout": math.nan}, ValueError, "timeout"),
    ("timeout=Timeout(None)", {"timeout": httpx.Timeout(None)}, ValueError, "timeout"),
    ("max_retries=-1", {"max_retries": -1}, ValueError, "max_retries"),
    ("max_retries=2.0", {"max_retries": 2.0}, TypeError, "max_retries"),
    ("http_client=wrong-kind", {"http_client": "wrong"}, TypeError, "http_client"),
    ("default_headers=bad-name", {"default_headers": {"X Team": "a"}}, ValueError, "X Team"),
    ("default_headers=colon-name", {"default_headers": {"X-Team:": "a"}}, ValueError, "default_headers"),
]


@pytest.mark.scenario("input.client-config")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("options", "raises", "names"),
    [case[1:] for case in CONFIG_CASES],
    ids=[case[0] for case in CONFIG_CASES],
)
def test_bad_client_configuration(
    harness: Harness, mode: Mode, options: dict[str, Any], raises: type[Exception], names: str
) -> None:
    cls = threadruns.Client if mode == "sync" else threadruns.AsyncClient
    config = {"api_key": API_KEY, "base_url": harness.server.url, **options}
    before = len(harness.server.requests)
    with pytest.raises(Exception) as info:
        cls(**config)
    assert type(info.value) is raises, f"expected {raises.__name__}, got {type(info.value).__name__}: {info.value}"
    assert names in str(info.value)
    assert len(harness.server.requests) == before
    FIGURES.distinct("input.bad_inputs", f"config:{names}={options!r}")


@pytest.mark.scenario("input.client-config")
def test_the_wrong_http_client_class_is_refused(harness: Harness) -> None:
    """A sync client refuses an httpx.AsyncClient and the other way round."""
    wrong_async = httpx.AsyncClient()
    wrong_sync = httpx.Client()
    try:
        with pytest.raises(TypeError, match="http_client"):
            threadruns.Client(api_key=API_KEY, base_url=harness.server.url, http_client=wrong_async)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="http_client"):
            threadruns.AsyncClient(api_key=API_KEY, base_url=harness.server.url, http_client=wrong_sync)  # type: ignore[arg-type]
    finally:
        wrong_sync.close()
        harness.loop.run(wrong_async.aclose())
